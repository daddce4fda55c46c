package org.attn4j.internal.layer;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.BidirectionalInputs;
import org.attn4j.internal.module.Init;
import org.attn4j.internal.module.Parameter;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.nn.AttentionPath;
import org.attn4j.nn.BidirectionalOutput;
import org.attn4j.internal.tensor.Heads;

/**
 * The weights and the computation of one bidirectional cross attention (DESIGN.md §3), shared
 * by {@link BidirectionalCrossAttention} and each layer of the transformer. Holds no state
 * besides immutable weights.
 */
public final class BidirectionalAttentionLayer {
    public final int dim;
    public final int contextDim;
    public final int heads;
    public final int dimHead;
    public final boolean prenorm;
    public final boolean talkingHeads;
    public final float cosineSimScale; // NaN: dot-product similarity; else cosine similarity times this temperature
    private final float scale;  // dimHead^-0.5, or cosineSimScale
    private final Tensor unitNormWeight; // [dimHead] of 1/√dimHead (RMSNorm with it = l2 normalisation), or null

    private final RmsNorm norm;          // null unless prenorm
    private final RmsNorm contextNorm;   // null unless prenorm
    private final Linear toQk;           // dim → inner, no bias
    private final Linear contextToQk;    // contextDim → inner, no bias
    private final Linear toV;            // dim → inner, no bias
    private final Linear contextToV;     // contextDim → inner, no bias
    private final Linear toOut;          // inner → dim
    private final Linear contextToOut;   // inner → contextDim
    private final Parameter talkingHeadsWeight;        // [h, h, 1, 1] or null
    private final Parameter contextTalkingHeadsWeight; // [h, h, 1, 1] or null

    public BidirectionalAttentionLayer(ParameterSource source, int dim, int contextDim, int heads, int dimHead,
                                boolean prenorm, boolean talkingHeads) {
        this(source, dim, contextDim, heads, dimHead, prenorm, talkingHeads, Float.NaN, null);
    }

    /**
     * With cosine similarity when {@code cosineSimScale} is not NaN: qk and context_qk are
     * l2-normalised per head (RMSNorm with {@code unitNormWeight}, [dimHead] of 1/√dimHead) and
     * their dot products scaled by cosineSimScale instead of dimHead^-0.5.
     */
    public BidirectionalAttentionLayer(ParameterSource source, int dim, int contextDim, int heads, int dimHead,
                                boolean prenorm, boolean talkingHeads, float cosineSimScale, Tensor unitNormWeight) {
        this.cosineSimScale = cosineSimScale;
        this.unitNormWeight = unitNormWeight;
        this.dim = dim;
        this.contextDim = contextDim;
        this.heads = heads;
        this.scale = Float.isNaN(cosineSimScale) ? (float) Math.pow(dimHead, -0.5) : cosineSimScale;
        this.dimHead = dimHead;
        this.prenorm = prenorm;
        this.talkingHeads = talkingHeads;
        long inner = (long) heads * dimHead;
        // Parameters are asked for in the reference's named_parameters() order.
        this.norm = prenorm ? new RmsNorm(source, "norm", dim) : null;
        this.contextNorm = prenorm ? new RmsNorm(source, "context_norm", contextDim) : null;
        this.toQk = new Linear(source, "to_qk", dim, inner, false);
        this.contextToQk = new Linear(source, "context_to_qk", contextDim, inner, false);
        this.toV = new Linear(source, "to_v", dim, inner, false);
        this.contextToV = new Linear(source, "context_to_v", contextDim, inner, false);
        this.toOut = new Linear(source, "to_out", inner, dim, true);
        this.contextToOut = new Linear(source, "context_to_out", inner, contextDim, true);
        long[] mix = {heads, heads, 1, 1}; // a 1×1 Conv2d over heads, fan_in = heads
        this.talkingHeadsWeight = talkingHeads ? source.get("talking_heads.weight", mix, Init.uniformFanIn(heads)) : null;
        this.contextTalkingHeadsWeight = talkingHeads
                ? source.get("context_talking_heads.weight", mix, Init.uniformFanIn(heads)) : null;
    }

    /**
     * One forward pass. Outputs (and attn when asked) come from {@code allocator}; every
     * intermediate from {@code scratch}.
     */
    public BidirectionalOutput forward(Backend backend, TensorAllocator allocator, TensorAllocator scratch,
                                BidirectionalInputs in, boolean returnAttn, AttentionPath path) {
        long b = in.batch();
        long i = in.i();
        long j = in.j();
        long inner = (long) heads * dimHead;

        // 1. optional prenorm: [b, i, dim], [b, j, contextDim]
        Tensor x = prenorm ? norm.forward(backend, scratch, in.x()) : in.x();
        Tensor context = prenorm ? contextNorm.forward(backend, scratch, in.context()) : in.context();

        // 2. projections, heads split head-major (channel = head·d + k): [b, h, n, d] views of [b, n, inner]
        Tensor qk = Heads.split(toQk.forward(backend, scratch, x), heads, dimHead);
        Tensor v = Heads.split(toV.forward(backend, scratch, x), heads, dimHead);
        Tensor contextQk = Heads.split(contextToQk.forward(backend, scratch, context), heads, dimHead);
        Tensor contextV = Heads.split(contextToV.forward(backend, scratch, context), heads, dimHead);
        if (!Float.isNaN(cosineSimScale)) { // cosine similarity: unit vectors per head
            qk = unit(backend, scratch, qk);
            contextQk = unit(backend, scratch, contextQk);
        }

        // 3. attention into head-merged buffers [b, i, inner] and [b, j, inner]
        Tensor merged = scratch.allocate(b, i, inner);
        Tensor contextMerged = scratch.allocate(b, j, inner);
        Tensor[] attn = {null, null};
        Tensor mix = talkingHeads ? talkingHeadsWeight.get().reshape(heads, heads) : null;
        Tensor contextMix = talkingHeads ? contextTalkingHeadsWeight.get().reshape(heads, heads) : null;
        if (path == AttentionPath.FUSED) {
            backend.bcaFused(qk, contextQk, v, contextV, in.relPosBias(), in.mask(), in.contextMask(), mix, contextMix,
                    scale, Heads.split(merged, heads, dimHead), Heads.split(contextMerged, heads, dimHead));
        } else {
            attn = materialisedAttention(backend, returnAttn ? allocator : scratch, scratch, qk, contextQk, in, mix, contextMix);
            backend.matmul(attn[0], false, contextV, false, 1f, Heads.split(merged, heads, dimHead));        // [b, h, i, d]
            backend.matmul(attn[1], true, v, false, 1f, Heads.split(contextMerged, heads, dimHead));          // [b, h, j, d]
        }

        // 4. output projections
        Tensor out = toOut.forward(backend, allocator, merged);                     // [b, i, dim]
        Tensor contextOut = contextToOut.forward(backend, allocator, contextMerged); // [b, j, contextDim]
        return returnAttn ? new BidirectionalOutput(out, contextOut, attn[0], attn[1])
                : new BidirectionalOutput(out, contextOut, null, null);
    }

    /** {attn, contextAttn}, both [b, h, i, j], from the materialised similarity matrix. */
    private Tensor[] materialisedAttention(Backend backend, TensorAllocator attnAllocator, TensorAllocator scratch,
                                           Tensor qk, Tensor contextQk, BidirectionalInputs in, Tensor mix,
                                           Tensor contextMix) {
        long[] shape = {in.batch(), heads, in.i(), in.j()};
        // Without talking heads the softmaxes are the results, so they go straight to the caller's allocator.
        TensorAllocator softmaxAllocator = talkingHeads ? scratch : attnAllocator;
        Tensor attn = softmaxAllocator.allocate(shape);
        Tensor contextAttn = softmaxAllocator.allocate(shape);
        backend.matmul(qk, false, contextQk, true, scale, attn); // sim, overwritten in place by its row softmax
        backend.bcaSoftmax(attn, in.relPosBias(), in.mask(), in.contextMask(), attn, contextAttn);
        if (!talkingHeads) {
            return new Tensor[] {attn, contextAttn};
        }
        Tensor mixed = attnAllocator.allocate(shape);
        Tensor contextMixed = attnAllocator.allocate(shape);
        backend.headMix(attn, mix, mixed);
        backend.headMix(contextAttn, contextMix, contextMixed);
        return new Tensor[] {mixed, contextMixed};
    }

    /** t / ‖t‖ over the last axis ([b, h, n, d]) into scratch; eps keeps a zero vector finite. */
    private Tensor unit(Backend backend, TensorAllocator scratch, Tensor t) {
        Tensor y = scratch.allocate(t.shape());
        backend.rmsNorm(t, unitNormWeight, 1e-12f, y);
        return y;
    }

}
