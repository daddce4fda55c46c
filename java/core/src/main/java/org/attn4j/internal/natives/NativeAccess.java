package org.attn4j.internal.natives;

import org.attn4j.bindings.attn4j_h;

/**
 * The JVM's refusal of native access, turned into an error that names the flag to add. Loading a
 * library (System.load, restricted since JDK 24) and making a downcall handle (restricted since
 * JDK 22) throw IllegalCallerException when native access is not enabled for the calling module
 * and the JVM denies it (--illegal-native-access=deny on JDK 24+; or, on JDK 22 and 23, any
 * --enable-native-access that leaves the module out). Both attn4j modules make such calls: core
 * loads the library, the generated bindings make the handles.
 */
public final class NativeAccess {
    /** What to add to the java command on the class path. */
    public static final String CLASS_PATH_FLAG = "--enable-native-access=ALL-UNNAMED";
    /** What to add on the module path: both modules make restricted calls. */
    public static final String MODULE_PATH_FLAG = "--enable-native-access=org.attn4j,org.attn4j.bindings";

    private NativeAccess() {
    }

    /** The flag for the way attn4j was loaded: named modules on the module path, else the class path. */
    public static String flag() {
        return NativeAccess.class.getModule().isNamed() ? MODULE_PATH_FLAG : CLASS_PATH_FLAG;
    }

    /** Runs System.load(file), naming the flag when the JVM refuses it. */
    @SuppressWarnings("restricted") // loading the library is the point
    public static void load(String file) {
        try {
            System.load(file);
        } catch (IllegalCallerException e) {
            throw denied(e);
        }
    }

    /**
     * Makes the bindings' first downcall handle (attn4j_ping's), so that a refusal surfaces here,
     * with the flag, rather than as an ExceptionInInitializerError deep in the first operation.
     */
    public static void checkBindings() {
        try {
            attn4j_h.attn4j_ping$handle();
        } catch (IllegalCallerException | LinkageError e) {
            // a holder class's initializer wraps the refusal (ExceptionInInitializerError), and a
            // second try gets NoClassDefFoundError whose cause chain still holds it
            if (refusal(e)) {
                throw denied(e);
            }
            throw e;
        }
    }

    /** True when {@code t} or one of its causes is the JVM's IllegalCallerException. */
    public static boolean refusal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IllegalCallerException) {
                return true;
            }
        }
        return false;
    }

    public static IllegalCallerException denied(Throwable cause) {
        String flag = flag();
        String where = flag.equals(CLASS_PATH_FLAG)
                ? "attn4j is on the class path: add " + flag + " to the java command (an executable jar can say"
                        + " Enable-Native-Access: ALL-UNNAMED in its manifest instead)"
                : "attn4j is on the module path: add " + flag + " to the java command";
        return new IllegalCallerException("attn4j: native access is not enabled, so the JVM refuses to load"
                + " libattn4j.so and call it. " + where + " [" + cause + "]", cause);
    }
}
