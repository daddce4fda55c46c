package org.attn4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The one loader of libattn4j.so. The system property {@value #PATH_PROPERTY} names a file to
 * load; without it the library is extracted from this jar ({@value #RESOURCE}) to a unique
 * temporary file (deleted on exit) and loaded from there. Loading happens once per JVM, under a
 * lock; every failure is an {@link UnsatisfiedLinkError} that names os.name, os.arch, the file
 * or resource it looked for, and the cause, except a refused native access: an
 * {@link IllegalCallerException} that names the --enable-native-access flag to add. Nothing is
 * swallowed, and a failed load is retried (and fails again, loudly) on the next call.
 *
 * <p>Everything that calls the generated bindings calls {@link #load()} first: their symbol
 * lookup ({@code SymbolLookup.loaderLookup()}) sees the libraries this class loader loaded.
 */
public final class NativeLibrary {
    /** System property: path of a libattn4j.so to load instead of the one in the jar. */
    public static final String PATH_PROPERTY = "attn4j.library.path";
    /** Where the jar carries the library (the only platform built today). */
    public static final String RESOURCE = "/native/linux-x86_64/libattn4j.so";

    private static final Object LOCK = new Object();
    private static volatile Path loadedFrom; // null until a load succeeded

    private NativeLibrary() {
    }

    /** Loads libattn4j.so if it is not loaded yet; throws UnsatisfiedLinkError when it cannot. */
    public static void load() {
        if (loadedFrom != null) {
            return;
        }
        synchronized (LOCK) {
            if (loadedFrom == null) {
                loadedFrom = loadOnce(System.getProperty(PATH_PROPERTY),
                        System.getProperty("os.name", "?"), System.getProperty("os.arch", "?"));
            }
        }
    }

    /** The file the library was loaded from (loading it first if needed). */
    public static Path path() {
        load();
        return loadedFrom;
    }

    private static Path loadOnce(String override, String osName, String osArch) {
        Path file;
        String origin;
        if (override != null && !override.isBlank()) {
            file = overrideFile(override, osName, osArch);
            origin = "-D" + PATH_PROPERTY + "=" + override;
        } else {
            checkPlatform(osName, osArch);
            file = extract(RESOURCE, osName, osArch);
            origin = "resource " + RESOURCE + " extracted to " + file;
        }
        try {
            NativeAccess.load(file.toString()); // IllegalCallerException naming the flag when refused
        } catch (UnsatisfiedLinkError e) {
            throw linkError("cannot load " + file + " (" + origin + ")", osName, osArch, e);
        }
        NativeAccess.checkBindings();
        return file;
    }

    /** The file named by the override property, which must exist. */
    static Path overrideFile(String override, String osName, String osArch) {
        Path file = Path.of(override).toAbsolutePath().normalize(); // System.load wants an absolute path
        if (!Files.isRegularFile(file)) {
            throw linkError("-D" + PATH_PROPERTY + "=" + override + ": expected a libattn4j.so file, got "
                    + (Files.exists(file) ? "a directory or special file" : "no such file") + " at " + file,
                    osName, osArch, null);
        }
        return file;
    }

    /** Throws unless this is the one platform the jar carries a library for. */
    static void checkPlatform(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        boolean linux = os.startsWith("linux");
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        if (!linux || !x64) {
            throw linkError("unsupported platform: this jar carries libattn4j.so only for linux-x86_64 (" + RESOURCE
                    + "); build native/ for your platform and point -D" + PATH_PROPERTY + " at the result",
                    osName, osArch, null);
        }
    }

    /** Copies {@code resource} to a new temporary file (deleted on exit) and returns it. */
    static Path extract(String resource, String osName, String osArch) {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw linkError("resource " + resource + " not found on the class path (is attn4j-core's jar complete?)",
                        osName, osArch, null);
            }
            Path file = Files.createTempFile("libattn4j-", ".so"); // unique: JVMs never share one file
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw linkError("cannot extract resource " + resource + " to a temporary file", osName, osArch, e);
        }
    }

    private static UnsatisfiedLinkError linkError(String what, String osName, String osArch, Throwable cause) {
        String message = "attn4j: " + what + " [os.name=" + osName + ", os.arch=" + osArch + "]"
                + (cause == null ? "" : ": " + cause);
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(message);
        if (cause != null) {
            error.initCause(cause);
        }
        return error;
    }
}
