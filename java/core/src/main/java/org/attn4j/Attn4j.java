package org.attn4j;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import org.attn4j.bindings.attn4j_h;
import org.attn4j.bindings.attn4j_info;
import org.attn4j.internal.natives.NativeLibrary;
import org.attn4j.internal.natives.NativeStatus;

/** Library-level facts and calls: version and runtime information, and the empty downcall. */
public final class Attn4j {
    private Attn4j() {
    }

    /**
     * What {@code attn4j info} prints.
     *
     * @param version        libattn4j version, "major.minor.patch"
     * @param backend        the default backend's name ("native" or "java")
     * @param onednnVersion  the oneDNN version the library runs on
     * @param isa            oneDNN's effective ISA ("avx2", ...)
     * @param threads        threads of the default backend
     * @param fusedKernelIsa the instruction set of attn4j's own kernels ("avx512", "avx2+fma" or
     *                       "portable"): the CPU's best, capped by the environment variable
     *                       {@code ATTN4J_ISA} (portable, avx2, avx512)
     */
    public record Info(String version, String backend, String onednnVersion, String isa, int threads, String fusedKernelIsa) {
    }

    /** The file libattn4j was loaded from (extracted from the jar, or the override property's file). */
    public static Path libraryPath() {
        return NativeLibrary.path();
    }

    /** Loads the library if needed and describes it and the default backend. */
    public static Info info() {
        NativeLibrary.load();
        Backend backend = Backends.defaultBackend();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = attn4j_info.allocate(arena);
            NativeStatus.check(attn4j_h.attn4j_get_info(info), "attn4j_get_info");
            String version = attn4j_info.version_major(info) + "." + attn4j_info.version_minor(info) + "."
                    + attn4j_info.version_patch(info);
            String dnnl = attn4j_info.dnnl_major(info) + "." + attn4j_info.dnnl_minor(info) + "."
                    + attn4j_info.dnnl_patch(info);
            // isa is a NUL-terminated char[64]; read at most the array
            String isa = attn4j_info.isa(info).getString(0);
            return new Info(version, backend.name(), dnnl, isa, backend.threads(),
                    fusedKernelIsa(attn4j_info.fused_kernel_isa(info)));
        }
    }

    static String fusedKernelIsa(int code) {
        return switch (code) {
            case 0 -> "portable";
            case 1 -> "avx2+fma";
            case 2 -> "avx512";
            default -> "unknown code " + code + " (library newer than this jar?)";
        };
    }

    /**
     * One empty downcall (attn4j_ping), checked: the floor under every operation's cost.
     * Why critical: attn4j_ping returns at once in all cases, the one kind of call the design
     * allows {@code Linker.Option.critical} for (it skips the thread-state transition).
     */
    public static void ping() {
        int status;
        try {
            status = (int) Ping.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw NativeStatus.rethrow(t);
        }
        if (status != 0) {
            throw NativeStatus.failure(status, "attn4j_ping");
        }
    }

    private static final class Ping {
        static final MethodHandle HANDLE = handle();

        @SuppressWarnings("restricted") // a downcall handle: the point of this class
        private static MethodHandle handle() {
            NativeLibrary.load(); // before the bindings resolve the symbol
            return Linker.nativeLinker().downcallHandle(attn4j_h.attn4j_ping$address(), attn4j_h.attn4j_ping$descriptor(),
                    Linker.Option.critical(false));
        }
    }
}
