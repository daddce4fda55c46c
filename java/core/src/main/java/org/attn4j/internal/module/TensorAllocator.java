package org.attn4j.internal.module;

import java.lang.foreign.SegmentAllocator;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;

/** Where a module puts an F32 tensor it is about to write in full: the caller's memory or scratch. */
public interface TensorAllocator {
    /** A contiguous F32 tensor of this shape; its contents are undefined until written. */
    Tensor allocate(long... shape);

    /**
     * Zero-filled tensors from any SegmentAllocator (outputs handed to the caller); a forward's
     * first statement, so a null allocator fails before any work (IllegalArgumentException).
     */
    static TensorAllocator of(SegmentAllocator allocator) {
        Checks.required(allocator, "allocator must not be null");
        return shape -> Tensor.zeros(allocator, DType.F32, shape);
    }
}
