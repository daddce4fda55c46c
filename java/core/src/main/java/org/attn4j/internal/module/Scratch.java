package org.attn4j.internal.module;

import java.lang.foreign.Arena;
import org.attn4j.Backend;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.natives.NativeMemory;

/**
 * The intermediates of one forward pass, freed together on close. On the native backend they
 * are uninitialised native memory: every op writes its whole output, and zero-filling the
 * [b, h, i, j] matrices of the materialised path would cost as much as a softmax. On the Java
 * reference they come from a plain arena, so that backend needs no native library.
 */
public final class Scratch implements TensorAllocator, AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final boolean nativeMemory;

    public Scratch(Backend backend) {
        this.nativeMemory = backend.name().equals("native");
    }

    @Override
    public Tensor allocate(long... shape) {
        return nativeMemory ? NativeMemory.empty(arena, DType.F32, shape) : Tensor.zeros(arena, DType.F32, shape);
    }

    /** The arena, for conversions (e.g. F16 inputs to F32) that need a SegmentAllocator. */
    public Arena arena() {
        return arena;
    }

    @Override
    public void close() {
        arena.close();
    }
}
