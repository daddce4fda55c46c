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

    /**
     * The attention path a forward of x [b, i, dim] against context [b, j, contextDim] with
     * {@code options} takes: {@code options.pathFor(b, heads(), i, j)}, FUSED or MATERIALISED
     * (AUTO resolved by the shape). Forward asks this very method, so what it says is what runs.
     *
     * @throws IllegalArgumentException when an argument is null or x or context is not rank 3
     */
    default AttentionPath pathFor(Tensor x, Tensor context, BidirectionalOptions options) {
        if (x == null || context == null || options == null) {
            throw new IllegalArgumentException("x, context and options: expected values, got null");
        }
        if (x.rank() != 3 || context.rank() != 3) {
            throw new IllegalArgumentException("x [b, i, dim] and context [b, j, contextDim]: expected rank 3, got "
                    + x + " and " + context);
        }
        return options.pathFor(x.shape(0), heads(), x.shape(1), context.shape(1));
    }

    /** The configuration: its widths and head count give {@link #dim()}, {@link #contextDim()}, {@link #heads()}. */
    Widths config();

    default int dim() {
        return config().dim();
    }

    default int contextDim() {
        return config().contextDim();
    }

    default int heads() {
        return config().heads();
    }

    @Override
    void close();

    /** What a bidirectional module's configuration gives (its record components of these names). */
    interface Widths {
        int dim();

        int contextDim();

        int heads();
    }
}
