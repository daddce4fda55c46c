package org.attn4j.internal.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.attn4j.bindings.attn4j_h;
import org.attn4j.consumer.FirstCall;
import org.junit.jupiter.api.Test;

/**
 * A JVM that denies native access: the first call fails with an IllegalCallerException naming
 * the exact flag, for attn4j on the class path and on the module path (the modules' class folders
 * as exploded modules); with that flag the same call works.
 */
class NativeAccessTest {
    private record Result(int code, String out, String err) {
    }

    /** JDK 24+ denies with --illegal-native-access=deny; JDK 22 and 23 deny modules an --enable-native-access list leaves out. */
    private static String deny() {
        return Runtime.version().feature() >= 24 ? "--illegal-native-access=deny" : "--enable-native-access=java.base";
    }

    private static Path location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Result run(List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String library = System.getProperty(NativeLibrary.PATH_PROPERTY);
        if (library != null) {
            cmd.add("-D" + NativeLibrary.PATH_PROPERTY + "=" + library);
        }
        cmd.addAll(options);
        cmd.add(FirstCall.class.getName());
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        return new Result(p.exitValue(), out, err);
    }

    /** attn4j's classes, the bindings and the consumer all on the class path. */
    private static List<String> classPath() throws Exception {
        return List.of("-cp", location(NativeLibrary.class) + File.pathSeparator + location(attn4j_h.class)
                + File.pathSeparator + location(FirstCall.class));
    }

    /** attn4j and its bindings as modules, the consumer on the class path. */
    private static List<String> modulePath() throws Exception {
        return List.of("-p", location(NativeLibrary.class) + File.pathSeparator + location(attn4j_h.class),
                "--add-modules", "org.attn4j", "-cp", location(FirstCall.class).toString());
    }

    @Test
    void onTheClassPathTheErrorNamesAllUnnamed() throws Exception {
        Result denied = run(concat(List.of(deny()), classPath()));
        assertEquals(3, denied.code(), denied.out() + denied.err());
        assertTrue(denied.err().startsWith(IllegalCallerException.class.getName()), denied.err());
        assertTrue(denied.err().contains("add --enable-native-access=ALL-UNNAMED to the java command"), denied.err());
        assertTrue(denied.err().contains("Enable-Native-Access: ALL-UNNAMED"), denied.err());

        Result allowed = run(concat(List.of(deny(), NativeAccess.CLASS_PATH_FLAG), classPath()));
        assertEquals(0, allowed.code(), allowed.err());
        assertTrue(allowed.out().startsWith("attn4j "), allowed.out());
    }

    @Test
    void onTheModulePathTheErrorNamesBothModules() throws Exception {
        Result denied = run(concat(List.of(deny()), modulePath()));
        assertEquals(3, denied.code(), denied.out() + denied.err());
        assertTrue(denied.err().contains("add --enable-native-access=org.attn4j,org.attn4j.bindings to the java command"),
                denied.err());
        assertFalse(denied.err().contains("ALL-UNNAMED"), denied.err());

        // core alone is not enough: the bindings make the downcall handles
        Result half = run(concat(List.of(deny(), "--enable-native-access=org.attn4j"), modulePath()));
        assertEquals(3, half.code(), half.out() + half.err());
        assertTrue(half.err().contains(NativeAccess.MODULE_PATH_FLAG), half.err());

        Result allowed = run(concat(List.of(deny(), NativeAccess.MODULE_PATH_FLAG), modulePath()));
        assertEquals(0, allowed.code(), allowed.err());
        assertTrue(allowed.out().startsWith("attn4j "), allowed.out());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
