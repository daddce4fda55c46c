package org.attn4j.internal.check;

import java.lang.foreign.SegmentAllocator;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.mask.Masks;
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
        x = SequenceInputs.sequence("x", x, dim, true, false, scratch);
        context = SequenceInputs.sequence("context", context, contextDim, true, false, scratch);
        long b = x.shape(0);
        long i = x.shape(1);
        long j = context.shape(1);
        if (context.shape(0) != b) {
            throw new IllegalArgumentException("context: expected batch " + b + " (as x), got shape " + Shapes.toString(context.shape()));
        }
        Masks.sequenceMask("mask", options.mask(), b, i);
        Masks.sequenceMask("contextMask", options.contextMask(), b, j);
        Tensor bias = null;
        if (options.relPosBias() != null) {
            Tensor r = options.relPosBias();
            Checks.alive(r, "relPosBias");
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
        return new BidirectionalInputs(x, context, options.mask(), options.contextMask(), bias, b, i, j);
    }
}
