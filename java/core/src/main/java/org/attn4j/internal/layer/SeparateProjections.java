package org.attn4j.internal.layer;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.ContextInputs;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.internal.tensor.Heads;

/**
 * The separate projections of lucidrains' attention modules, by their names: {@code to_q}
 * (dim → heads·qkSize), {@code to_k} (contextDim → heads·qkSize), {@code to_v} (contextDim →
 * heads·vSize), all without bias, and {@code to_out} (heads·vSize → dim) with bias. The shared
 * body of {@code TopKAttention} (qkSize = vSize = dimHead) and {@code LowRankAttention} (qkSize =
 * rank).
 */
public final class SeparateProjections {
    /** Queries, keys and values split into heads: [b, h, i, qkSize], [b, h, j, qkSize], [b, h, j, vSize]. */
    public record Heads3(Tensor q, Tensor k, Tensor v) {
    }

    private final int heads;
    private final int qkSize;
    private final int vSize;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;

    /** Queries, keys and values of one head size each. */
    public SeparateProjections(ParameterSource source, int dim, int contextDim, int heads, int dimHead) {
        this(source, dim, contextDim, heads, dimHead, dimHead);
    }

    public SeparateProjections(ParameterSource source, int dim, int contextDim, int heads, int qkSize, int vSize) {
        this.heads = heads;
        this.qkSize = qkSize;
        this.vSize = vSize;
        this.toQ = new Linear(source, "to_q", dim, (long) heads * qkSize, false);
        this.toK = new Linear(source, "to_k", contextDim, (long) heads * qkSize, false);
        this.toV = new Linear(source, "to_v", contextDim, (long) heads * vSize, false);
        this.toOut = new Linear(source, "to_out", (long) heads * vSize, dim, true);
    }

    /** x [b, i, dim] and context [b, j, contextDim] → q, k, v split into heads (views of {@code scratch}). */
    public Heads3 project(Backend backend, TensorAllocator scratch, ContextInputs in) {
        return new Heads3(Heads.split(toQ.forward(backend, scratch, in.x()), heads, qkSize),
                Heads.split(toK.forward(backend, scratch, in.context()), heads, qkSize),
                Heads.split(toV.forward(backend, scratch, in.context()), heads, vSize));
    }

    /** A [b, i, heads·vSize] buffer from {@code scratch} for the heads' results, before {@link #out}. */
    public Tensor merged(TensorAllocator scratch, long b, long i) {
        return scratch.allocate(b, i, (long) heads * vSize);
    }

    /** The [b, h, i, vSize] view of a {@link #merged} buffer that attention writes into. */
    public Tensor split(Tensor merged) {
        return Heads.split(merged, heads, vSize);
    }

    /** merged [b, i, heads·vSize] → to_out → [b, i, dim] from {@code out}. */
    public Tensor out(Backend backend, TensorAllocator out, Tensor merged) {
        return toOut.forward(backend, out, merged);
    }
}
