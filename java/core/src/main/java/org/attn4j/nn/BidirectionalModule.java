package org.attn4j.nn;

import java.lang.foreign.SegmentAllocator;
import org.attn4j.Tensor;

/** A module that maps (x, context) to (out, contextOut): bidirectional attention or its transformer. */
public interface BidirectionalModule extends AutoCloseable {
    /**
     * x [b, i, dim] and context [b, j, contextDim] (F32, F16 or BF16) → outputs allocated from
     * {@code allocator}, which the caller owns.
     */
    BidirectionalOutput forward(SegmentAllocator allocator, Tensor x, Tensor context, BidirectionalOptions options);

    /** Same, with no masks, no bias and no attention weights. */
    default BidirectionalOutput forward(SegmentAllocator allocator, Tensor x, Tensor context) {
        return forward(allocator, x, context, BidirectionalOptions.DEFAULT);
    }

    int dim();

    int contextDim();

    int heads();

    @Override
    void close();
}
