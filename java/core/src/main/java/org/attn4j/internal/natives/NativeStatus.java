package org.attn4j.internal.natives;

import java.lang.foreign.MemorySegment;
import org.attn4j.Attn4jNativeException;
import org.attn4j.bindings.attn4j_h;

/**
 * Turns attn4j_status codes into exceptions, in one place. Cold code: only reached on failure.
 * ATTN4J_ERR_OUT_OF_MEMORY becomes {@link OutOfMemoryError} (what Arena.allocate throws too),
 * with the {@link Attn4jNativeException} as its cause; every other code an Attn4jNativeException.
 */
public final class NativeStatus {
    // Why a bound: the message is a C string owned by the library; no message is anywhere near it.
    private static final long MAX_MESSAGE_BYTES = 1 << 20;

    private NativeStatus() {
    }

    /** Throws if {@code status} is not ATTN4J_OK. Call right after the downcall, on the same thread. */
    public static void check(int status, String function) {
        if (status != 0) {
            throw failure(status, function);
        }
    }

    /** The exception for a failed call (reads the calling thread's attn4j_last_error()). */
    public static RuntimeException failure(int status, String function) {
        String message = cString(attn4j_h.attn4j_last_error());
        String name = cString(attn4j_h.attn4j_status_string(status));
        Attn4jNativeException e = new Attn4jNativeException(function, status, name, message);
        if (status == attn4j_h.ATTN4J_ERR_OUT_OF_MEMORY()) {
            OutOfMemoryError oom = new OutOfMemoryError("native memory exhausted in " + function + ": " + message);
            oom.initCause(e);
            throw oom;
        }
        return e;
    }

    /**
     * Rethrows what a downcall's invokeExact threw. The linker throws IllegalStateException or
     * WrongThreadException when a segment argument's arena closed or belongs to another thread
     * (a race with a concurrent close); those and every other unchecked throwable pass through.
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }

    @SuppressWarnings("restricted") // a C string's length is unknown until its NUL
    private static String cString(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) {
            return "";
        }
        return pointer.reinterpret(MAX_MESSAGE_BYTES).getString(0);
    }
}
