package org.attn4j.internal.check;

import java.lang.foreign.SegmentAllocator;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.tensor.Shapes;
import org.attn4j.nn.BidirectionalOptions;

/**
 * The checked inputs of one bidirectional forward: every shape, dtype and lifetime verified
 * before any downcall, half-precision inputs converted to F32, the bias expanded to a
 * [b, h, i, j] view (zero strides, no copy).
 */
public record BidirectionalInputs(Tensor x, Tensor context, Tensor mask, Tensor contextMask, Tensor relPosBias,
                           long batch, long i, long j) {

    public static BidirectionalInputs check(Tensor x, Tensor context, BidirectionalOptions options, long dim, long contextDim,
                                     long heads, SegmentAllocator scratch) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null (use BidirectionalOptions.DEFAULT)");
        }
        x = real("x", x, dim, scratch);
        context = real("context", context, contextDim, scratch);
        long b = x.shape(0);
        long i = x.shape(1);
        long j = context.shape(1);
        if (context.shape(0) != b) {
            throw new IllegalArgumentException("context: expected batch " + b + " (as x), got shape " + Shapes.toString(context.shape()));
        }
        Tensor mask = mask("mask", options.mask(), b, i);
        Tensor contextMask = mask("contextMask", options.contextMask(), b, j);
        Tensor bias = null;
        if (options.relPosBias() != null) {
            Tensor r = options.relPosBias();
            alive("relPosBias", r);
            if (!r.dtype().isFloatingPoint() || r.rank() > 4) {
                throw new IllegalArgumentException("relPosBias: expected a float tensor broadcastable to "
                        + Shapes.toString(new long[] {b, heads, i, j}) + ", got " + r);
            }
            if (r.dtype() != DType.F32) {
                r = r.to(DType.F32, scratch);
            }
            try {
                bias = r.expand(b, heads, i, j);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("relPosBias: expected a shape broadcastable to "
                        + Shapes.toString(new long[] {b, heads, i, j}) + ", got " + Shapes.toString(r.shape()));
            }
        }
        return new BidirectionalInputs(x, context, mask, contextMask, bias, b, i, j);
    }

    /** A rank-3 [b, n, features] float tensor as F32. */
    private static Tensor real(String name, Tensor t, long features, SegmentAllocator scratch) {
        if (t == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        alive(name, t);
        if (t.rank() != 3 || t.shape(2) != features) {
            throw new IllegalArgumentException(name + ": expected shape [b, n, " + features + "], got " + Shapes.toString(t.shape()));
        }
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(name + ": expected dtype F32, F16 or BF16, got " + t.dtype());
        }
        return t.dtype() == DType.F32 ? t : t.to(DType.F32, scratch);
    }

    private static Tensor mask(String name, Tensor m, long b, long n) {
        if (m == null) {
            return null;
        }
        alive(name, m);
        if (m.dtype() != DType.BOOL) {
            throw new IllegalArgumentException(name + ": expected dtype BOOL, got " + m.dtype());
        }
        if (m.rank() != 2 || m.shape(0) != b || m.shape(1) != n) {
            throw new IllegalArgumentException(name + ": expected shape " + Shapes.toString(new long[] {b, n}) + ", got "
                    + Shapes.toString(m.shape()));
        }
        return m;
    }

    private static void alive(String name, Tensor t) {
        if (!t.isAlive()) {
            throw new IllegalStateException(name + ": the arena of this tensor is closed");
        }
        if (!t.segment().isAccessibleBy(Thread.currentThread())) {
            throw new IllegalStateException(name + ": expected a tensor this thread may access, got one of an arena"
                    + " confined to another thread");
        }
    }
}
