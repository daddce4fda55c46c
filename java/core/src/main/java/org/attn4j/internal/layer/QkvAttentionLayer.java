package org.attn4j.internal.layer;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.nn.AttentionOutput;
import org.attn4j.nn.AttentionPath;
import org.attn4j.nn.RotaryEmbedding;
import org.attn4j.internal.tensor.Heads;

/**
 * Self attention from one packed projection: {@code to_qkv} (dim → 3·heads·dimHead, no bias),
 * heads, optional rotary embeddings on q and k, optional cosine similarity (q and k
 * l2-normalised, a fixed scale as temperature), scaled dot-product attention, and {@code to_out}
 * (inner → dim, with bias). The shared body of {@link FusedQkvAttention},
 * {@link SlidingWindowAttention} and {@link CosineSimilarityAttention}.
 */
public final class QkvAttentionLayer {
    /** eps inside the l2 normalisation, per channel: ‖x‖ = √(Σx² + d·eps) never divides by 0. */
    private static final float NORM_EPS = 1e-12f;

    public final int dim;
    public final int heads;
    public final int dimHead;
    public final RotaryEmbedding rotary; // or null
    public final float cosineScale;      // NaN = dot-product attention
    private final Linear toQkv;
    private final Linear toOut;
    private final Tensor unitNormWeight; // [dimHead] of 1/√dimHead: RMSNorm with it is l2 normalisation; null unless cosine

    public QkvAttentionLayer(ParameterSource source, int dim, int heads, int dimHead, RotaryEmbedding rotary, float cosineScale,
                      Tensor unitNormWeight) {
        this.dim = dim;
        this.heads = heads;
        this.dimHead = dimHead;
        this.rotary = rotary;
        this.cosineScale = cosineScale;
        long inner = (long) heads * dimHead;
        this.toQkv = new Linear(source, "to_qkv", dim, 3 * inner, false);
        this.toOut = new Linear(source, "to_out", inner, dim, true);
        this.unitNormWeight = unitNormWeight;
    }

    /** A dot-product attention layer (no cosine similarity). */
    public static QkvAttentionLayer dotProduct(ParameterSource source, int dim, int heads, int dimHead,
                                               RotaryEmbedding rotary) {
        return new QkvAttentionLayer(source, dim, heads, dimHead, rotary, Float.NaN, null);
    }

    /** The shape of a packed-projection module: positive sizes, rotary (or null) within a head. */
    public static void validate(int dim, int heads, int dimHead, RotaryEmbedding rotary) {
        Checks.positive("dim", dim);
        Checks.positive("heads", heads);
        Checks.positive("dim_head", dimHead);
        if (rotary != null && rotary.rotaryDim() > dimHead) {
            throw new IllegalArgumentException("rotary_dim: expected at most dim_head (" + dimHead + "), got " + rotary.rotaryDim());
        }
    }

    public boolean cosine() {
        return !Float.isNaN(cosineScale);
    }

    /**
     * x [b, n, dim] F32 → output [b, n, dim] and, when asked, weights [b, h, n, n], from
     * {@code allocator}; intermediates from scratch.
     */
    public AttentionOutput forward(Backend backend, TensorAllocator allocator, TensorAllocator scratch, Tensor x, Visibility vis,
                            float scale, boolean needWeights, AttentionPath path) {
        long b = x.shape(0);
        long n = x.shape(1);
        long inner = (long) heads * dimHead;
        // 1. one projection, split as [3, b, h, n, d] views (head-major channels in each third)
        Tensor qkv = toQkv.forward(backend, scratch, x);
        Tensor split = Heads.splitPacked(qkv, 3, heads, dimHead);
        Tensor q = split.select(0, 0);
        Tensor k = split.select(0, 1);
        Tensor v = split.select(0, 2);
        // 2. cosine similarity: unit q and k, the temperature as the scale
        if (cosine()) {
            q = unit(backend, scratch, q);
            k = unit(backend, scratch, k);
            scale = cosineScale;
        }
        // 3. rotary embeddings, in place on the scratch views
        if (rotary != null) {
            rotary.applyInPlace(backend, q);
            rotary.applyInPlace(backend, k);
        }
        // 4. attention into the head-merged buffer, then the output projection
        Tensor merged = scratch.allocate(b, n, inner);
        Tensor weights = Attend.run(backend, allocator, scratch, q, k, v, vis,
                Float.isNaN(scale) ? (float) (1.0 / Math.sqrt(dimHead)) : scale, needWeights, path,
                Heads.split(merged, heads, dimHead));
        return new AttentionOutput(toOut.forward(backend, allocator, merged), weights);
    }

    /** t / ‖t‖ over the last axis into a new [b, h, n, d] from scratch. */
    private Tensor unit(Backend backend, TensorAllocator scratch, Tensor t) {
        Tensor y = scratch.allocate(t.shape());
        backend.rmsNorm(t, unitNormWeight, NORM_EPS, y);
        return y;
    }
}
