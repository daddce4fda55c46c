package org.attn4j.internal.natives;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.bindings.attn4j_h;
import org.attn4j.internal.tensor.Shapes;

/**
 * Native scratch memory from libattn4j (attn4j_alloc): 64-byte aligned and NOT zeroed, for big
 * intermediates and outputs that will be written in full, where {@code Arena.allocate}'s zero
 * fill would cost time. The memory is freed (attn4j_free) when the given arena closes: any arena
 * kind works; with {@code Arena.global()} it is never freed, with {@code Arena.ofAuto()} the GC
 * decides when.
 */
public final class NativeMemory {
    private NativeMemory() {
    }

    /**
     * {@code bytes} bytes of uninitialised native memory, freed when {@code arena} closes.
     *
     * @throws IllegalArgumentException if bytes is negative
     * @throws IllegalStateException    if the arena is closed
     * @throws OutOfMemoryError         if the native allocation fails
     */
    @SuppressWarnings("restricted") // the raw pointer becomes a bytes-long segment of the arena
    public static MemorySegment allocate(Arena arena, long bytes) {
        if (arena == null) {
            throw new IllegalArgumentException("arena: expected an Arena, got null");
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: expected >= 0, got " + bytes);
        }
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException("arena: expected an open arena, got a closed one");
        }
        NativeLibrary.load();
        MemorySegment out = NativeTensors.forThread().out();
        NativeStatus.check(attn4j_h.attn4j_alloc(bytes, out), "attn4j_alloc");
        MemorySegment raw = out.get(ValueLayout.ADDRESS, 0);
        try {
            return raw.reinterpret(bytes, arena, NativeMemory::free);
        } catch (RuntimeException | Error e) { // the arena closed meanwhile, or belongs to another thread
            free(raw);
            throw e;
        }
    }

    /**
     * An uninitialised contiguous tensor in native memory, freed when {@code arena} closes. Its
     * elements are garbage until written.
     */
    public static Tensor empty(Arena arena, DType dtype, long... shape) {
        if (dtype == null || shape == null) {
            throw new IllegalArgumentException("dtype and shape: expected values, got null");
        }
        long elements = Shapes.checkShape(shape.clone());
        long bytes;
        try {
            bytes = Math.multiplyExact(elements, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Shapes.toString(shape) + " of " + dtype + " has more bytes than a long can count");
        }
        return Tensor.wrap(allocate(arena, bytes), dtype, shape);
    }

    private static void free(MemorySegment segment) {
        NativeStatus.check(attn4j_h.attn4j_free(segment), "attn4j_free");
    }
}
