package org.attn4j.internal.natives;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The one loader of libattn4j.so and the native files it needs. The jar carries, under
 * {@value #RESOURCE_DIR}, libattn4j.so, oneDNN ({@code libdnnl.so.3}) and the OpenMP runtime
 * both use ({@code libgomp.so.1}). They are extracted into one private temporary directory
 * (created per JVM, deleted on exit; folders of JVMs that were killed are swept at the next load,
 * see {@link ExtractionFolders}) and loaded from there in dependency order ({@link #FILES}),
 * each by its absolute path: once a file is loaded, the dynamic loader resolves the next one's
 * dependency on it by its soname to that very file, so nothing comes from the system's
 * libraries (libattn4j.so's RUNPATH {@code $ORIGIN} names the same directory as a second line).
 *
 * <p>The system property {@value #PATH_PROPERTY} names a libattn4j.so to load instead (a build
 * of your own); only that file is loaded, and its dependencies (libdnnl.so.3, libgomp.so.1) must
 * lie in its directory (its RUNPATH is {@code $ORIGIN}) or be found by the system's loader.
 *
 * <p>Loading happens once per JVM, under a lock; every failure is an {@link UnsatisfiedLinkError}
 * that names os.name, os.arch, the file or resource it looked for, and the cause, except a
 * refused native access: an {@link IllegalCallerException} that names the --enable-native-access
 * flag to add. Nothing is
 * swallowed, and a failed load is retried (and fails again, loudly) on the next call.
 *
 * <p>Everything that calls the generated bindings calls {@link #load()} first: their symbol
 * lookup ({@code SymbolLookup.loaderLookup()}) sees the libraries this class loader loaded.
 */
public final class NativeLibrary {
    /** System property: path of a libattn4j.so to load instead of the one in the jar. */
    public static final String PATH_PROPERTY = "attn4j.library.path";
    /** Where the jar carries the native files (the only platform built today). */
    public static final String RESOURCE_DIR = "/native/linux-x86_64/";
    /** The library itself, as the jar carries it. */
    public static final String RESOURCE = RESOURCE_DIR + "libattn4j.so";
    /** The files under {@link #RESOURCE_DIR} in load order: each after the files it needs. */
    public static final List<String> FILES = List.of("libgomp.so.1", "libdnnl.so.3", "libattn4j.so");

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

    /** The libattn4j.so file that was loaded (loading it first if needed). */
    public static Path path() {
        load();
        return loadedFrom;
    }

    private static Path loadOnce(String override, String osName, String osArch) {
        if (override != null && !override.isBlank()) {
            Path file = overrideFile(override, osName, osArch);
            loadFile(file, "-D" + PATH_PROPERTY + "=" + override
                    + "; its libdnnl.so.3 and libgomp.so.1 must lie beside it or be installed", osName, osArch);
            NativeAccess.checkBindings();
            return file;
        }
        checkPlatform(osName, osArch);
        Path dir = extractAll(Path.of(System.getProperty("java.io.tmpdir")), RESOURCE_DIR, FILES, osName, osArch);
        for (String name : FILES) {
            loadFile(dir.resolve(name), "resource " + RESOURCE_DIR + name + " extracted to " + dir, osName, osArch);
        }
        NativeAccess.checkBindings();
        return dir.resolve(FILES.getLast());
    }

    private static void loadFile(Path file, String origin, String osName, String osArch) {
        try {
            NativeAccess.load(file.toString()); // IllegalCallerException naming the flag when refused
        } catch (UnsatisfiedLinkError e) {
            throw linkError("cannot load " + file + " (" + origin + ")", osName, osArch, e);
        }
    }

    /** The file named by the override property, which must exist. */
    public static Path overrideFile(String override, String osName, String osArch) {
        Path file = Path.of(override).toAbsolutePath().normalize(); // System.load wants an absolute path
        if (!Files.isRegularFile(file)) {
            throw linkError("-D" + PATH_PROPERTY + "=" + override + ": expected a libattn4j.so file, got "
                    + (Files.exists(file) ? "a directory or special file" : "no such file") + " at " + file,
                    osName, osArch, null);
        }
        return file;
    }

    /** Throws unless this is the one platform the jar carries a library for. */
    public static void checkPlatform(String osName, String osArch) {
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

    /**
     * Copies the resources {@code dir + name} for every name into a new private directory under
     * {@code root} (owner-only, as {@link Files#createTempDirectory} makes it on POSIX; unique, so
     * JVMs never share one; stale ones swept first, see {@link ExtractionFolders}) and returns that
     * directory. The files and the directory are deleted when the JVM exits.
     */
    static Path extractAll(Path root, String dir, List<String> names, String osName, String osArch) {
        Path target;
        try {
            target = ExtractionFolders.create(root);
        } catch (IOException e) {
            throw linkError("cannot create a temporary directory in " + root + " for " + dir + names, osName, osArch, e);
        }
        for (String name : names) {
            String resource = dir + name;
            Path file = target.resolve(name);
            try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw linkError("resource " + resource + " not found on the class path (is attn4j-core's jar complete?)",
                            osName, osArch, null);
                }
                file.toFile().deleteOnExit();
                Files.copy(in, file);
            } catch (IOException e) {
                throw linkError("cannot extract resource " + resource + " to " + file, osName, osArch, e);
            }
        }
        return target;
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
