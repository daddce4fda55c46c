package org.attn4j.internal.check;

import java.lang.foreign.SegmentAllocator;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.tensor.Shapes;

/** Checks of the sequence inputs of the attention-family modules, with conversions to F32. */
public final class SequenceInputs {
    private SequenceInputs() {
    }

    /**
     * A [b, n, features] float tensor (or [n, b, features] when !batchFirst, returned as a
     * contiguous batch-first copy) as F32. Rank 2 [n, features] is accepted when
     * {@code unbatched} and returned as [1, n, features].
     */
    public static Tensor sequence(String name, Tensor t, long features, boolean batchFirst, boolean unbatched,
                                  SegmentAllocator arena) {
        if (t == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        Checks.alive(t, name);
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(name + ": expected dtype F32, F16 or BF16, got " + t.dtype());
        }
        int rank = unbatched ? 2 : 3;
        if (t.rank() != rank || t.shape(-1) != features) {
            String expected = unbatched ? "[n, " + features + "] (unbatched, as the query)"
                    : batchFirst ? "[b, n, " + features + "]" : "[n, b, " + features + "] (batch_first=false)";
            throw new IllegalArgumentException(name + ": expected shape " + expected + ", got " + Shapes.toString(t.shape()));
        }
        if (unbatched) {
            t = t.unsqueeze(0);
        } else if (!batchFirst) {
            // Why a copy: the projections want rows with unit stride across the batch-first layout.
            return t.transpose(0, 1).to(DType.F32, arena);
        }
        return f32(t, arena);
    }

    /**
     * The keys' sequence of a module that attends to {@code context} [b, j, contextDim], or to
     * its own checked input xs [b, i, dim] when context is null (then contextDim must be dim).
     */
    public static Tensor context(Tensor context, Tensor xs, long contextDim, SegmentAllocator arena) {
        if (context == null) {
            if (contextDim != xs.shape(2)) {
                throw new IllegalArgumentException("context: expected a tensor (context_dim " + contextDim
                        + " differs from dim " + xs.shape(2) + "), got null");
            }
            return xs;
        }
        Tensor cs = sequence("context", context, contextDim, true, false, arena);
        if (cs.shape(0) != xs.shape(0)) {
            throw new IllegalArgumentException("context: expected batch " + xs.shape(0) + " (as x), got "
                    + Shapes.toString(context.shape()));
        }
        return cs;
    }

    /**
     * t itself when it is F32 on a 4-byte boundary, else an F32 copy from {@code arena}. Why the
     * alignment: tensors mapped from a safetensors file start wherever the previous tensor ended
     * (after a BOOL mask, at any byte), and the backends take F32 only at aligned addresses.
     */
    public static Tensor f32(Tensor t, SegmentAllocator arena) {
        return t.dtype() == DType.F32 && t.segment().address() % 4 == 0 ? t : t.to(DType.F32, arena);
    }

    /**
     * A batch-first result [b, n, f] in the caller's layout: as is, [n, b, f] (a contiguous copy
     * from {@code allocator}) when !batchFirst, or [n, f] when unbatched.
     */
    public static Tensor output(Tensor t, boolean batchFirst, boolean unbatched, SegmentAllocator allocator) {
        if (unbatched) {
            return t.select(0, 0);
        }
        return batchFirst ? t : t.transpose(0, 1).to(DType.F32, allocator);
    }

    /** True when the results must be copied into the caller's layout by {@link #output}. */
    public static boolean needsCopy(boolean batchFirst, boolean unbatched) {
        return !batchFirst && !unbatched;
    }

    /**
     * Checks that keys k and values v (checked, batch-first) go with queries q: one batch, and as
     * many values as keys. The message names {@code names} and shows the caller's tensors.
     */
    public static void keysAndValues(String names, Tensor q, Tensor k, Tensor v, Tensor keys, Tensor values) {
        if (k.shape(0) != q.shape(0) || v.shape(0) != q.shape(0) || v.shape(1) != k.shape(1)) {
            throw new IllegalArgumentException(names + ": expected batch " + q.shape(0) + " (as the queries) and as many values"
                    + " as keys, got " + Shapes.toString(keys.shape()) + " and " + Shapes.toString(values.shape()));
        }
    }

    /** A [S] key padding mask of an unbatched call as [1, S]; others as they are. */
    public static Tensor batchedPadding(String name, Tensor mask, boolean unbatched) {
        if (!unbatched || mask == null) {
            return mask;
        }
        if (mask.rank() != 1) {
            throw new IllegalArgumentException(name + ": expected shape [S] (unbatched input), got " + Shapes.toString(mask.shape()));
        }
        return mask.unsqueeze(0);
    }

    /** True when a and b view the same memory the same way (the same tensor for our purposes). */
    public static boolean sameView(Tensor a, Tensor b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        var sa = a.segment();
        var sb = b.segment();
        boolean sameMemory = sa.isNative() && sb.isNative() ? sa.address() == sb.address()
                : !sa.isNative() && !sb.isNative() && sa.heapBase().orElse(null) == sb.heapBase().orElse(null)
                        && sa.address() == sb.address();
        return sameMemory && a.dtype() == b.dtype() && java.util.Arrays.equals(a.shape(), b.shape())
                && java.util.Arrays.equals(a.strides(), b.strides());
    }
}
