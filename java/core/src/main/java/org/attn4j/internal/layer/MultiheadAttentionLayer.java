package org.attn4j.internal.layer;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.Init;
import org.attn4j.internal.module.Parameter;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.nn.AttentionOutput;
import org.attn4j.nn.AttentionPath;
import org.attn4j.internal.tensor.Heads;

/**
 * The weights and computation of PyTorch's nn.MultiheadAttention (inference): input projections
 * (packed {@code in_proj_weight} when kdim = vdim = embed_dim, else {@code q_proj_weight},
 * {@code k_proj_weight}, {@code v_proj_weight}), heads, scaled dot-product attention, and
 * {@code out_proj}. Shared by {@link MultiheadAttention} and the transformer layers, which ask
 * for its parameters under their own prefix ("self_attn.", "multihead_attn.").
 */
public final class MultiheadAttentionLayer {
    public final int embedDim;
    public final int heads;
    public final int headDim;
    public final int kdim;
    public final int vdim;
    public final boolean bias;
    public final boolean packed; // kdim == vdim == embedDim: one in_proj_weight [3E, E]

    /** constant_(0), as PyTorch starts biases here: a uniform draw of half-width 0. */
    public static final Init ZEROS = new Init(0, false);

    private final Parameter inProjWeight; // [3E, E] or null
    private final Parameter qProjWeight;  // [E, E] or null
    private final Parameter kProjWeight;  // [E, kdim] or null
    private final Parameter vProjWeight;  // [E, vdim] or null
    private final Parameter inProjBias;   // [3E] or null
    private final Parameter outProjWeight; // [E, E]
    private final Parameter outProjBias;   // [E] or null

    /** embedDim is a multiple of heads: each module's configuration record has checked that. */
    public MultiheadAttentionLayer(ParameterSource source, int embedDim, int heads, int kdim, int vdim, boolean bias) {
        this.embedDim = embedDim;
        this.heads = heads;
        this.headDim = embedDim / heads;
        this.kdim = kdim;
        this.vdim = vdim;
        this.bias = bias;
        this.packed = kdim == embedDim && vdim == embedDim;
        long e = embedDim;
        // Parameters in PyTorch's registration order; fresh ones initialised as _reset_parameters does.
        if (packed) {
            this.inProjWeight = source.get("in_proj_weight", new long[] {3 * e, e}, xavier(e, 3 * e));
            this.qProjWeight = null;
            this.kProjWeight = null;
            this.vProjWeight = null;
        } else {
            this.inProjWeight = null;
            this.qProjWeight = source.get("q_proj_weight", new long[] {e, e}, xavier(e, e));
            this.kProjWeight = source.get("k_proj_weight", new long[] {e, kdim}, xavier(kdim, e));
            this.vProjWeight = source.get("v_proj_weight", new long[] {e, vdim}, xavier(vdim, e));
        }
        this.inProjBias = bias ? source.get("in_proj_bias", new long[] {3 * e}, ZEROS) : null;
        this.outProjWeight = source.get("out_proj.weight", new long[] {e, e}, Init.uniformFanIn(e));
        this.outProjBias = bias ? source.get("out_proj.bias", new long[] {e}, ZEROS) : null;
    }

    /** xavier_uniform_: U(±√(6 / (fan_in + fan_out))). */
    private static Init xavier(long fanIn, long fanOut) {
        return new Init(Math.sqrt(6.0 / (fanIn + fanOut)), false);
    }

    /**
     * One forward pass on batch-first F32 inputs already checked: query [b, L, E], key [b, S, kdim],
     * value [b, S, vdim]. Returns output [b, L, E] and, when asked, weights ([b, L, S] averaged
     * over heads, else [b, h, L, S]), both from {@code allocator}; intermediates from scratch.
     */
    public AttentionOutput forward(Backend backend, TensorAllocator allocator, TensorAllocator scratch, Tensor query,
                            Tensor key, Tensor value, Visibility vis, boolean needWeights, boolean average,
                            AttentionPath path) {
        long b = query.shape(0);
        long l = query.shape(1);
        long s = key.shape(1);
        long e = embedDim;
        Tensor inProjWeight = Parameter.read(this.inProjWeight); // [3E, E] or null
        Tensor inProjBias = Parameter.read(this.inProjBias);     // [3E] or null
        Tensor outProjWeight = this.outProjWeight.get();         // [E, E]
        Tensor outProjBias = Parameter.read(this.outProjBias);   // [E] or null

        // 1. projections → [b, h, n, headDim] views
        Tensor q;
        Tensor k;
        Tensor v;
        if (packed && query == key && key == value) {
            // Self attention: one [b, L, 3E] product instead of three.
            Tensor qkv = scratch.allocate(b, l, 3 * e);
            backend.linear(query, inProjWeight, inProjBias, qkv);
            Tensor split = Heads.splitPacked(qkv, 3, heads, headDim); // [3, b, h, L, d]
            q = split.select(0, 0);
            k = split.select(0, 1);
            v = split.select(0, 2);
        } else if (packed && key == value) {
            // Cross attention on one memory (decoders): keys and values in one [b, S, 2E] product.
            q = project(backend, scratch, query, inProjWeight.slice(0, 0, e), slice(inProjBias, 0, e));
            Tensor kv = scratch.allocate(b, s, 2 * e);
            backend.linear(key, inProjWeight.slice(0, e, 3 * e), slice(inProjBias, e, 3 * e), kv);
            Tensor split = Heads.splitPacked(kv, 2, heads, headDim); // [2, b, h, S, d]
            k = split.select(0, 0);
            v = split.select(0, 1);
        } else {
            q = project(backend, scratch, query, packed ? inProjWeight.slice(0, 0, e) : qProjWeight.get(), slice(inProjBias, 0, e));
            k = project(backend, scratch, key, packed ? inProjWeight.slice(0, e, 2 * e) : kProjWeight.get(),
                    slice(inProjBias, e, 2 * e));
            v = project(backend, scratch, value, packed ? inProjWeight.slice(0, 2 * e, 3 * e) : vProjWeight.get(),
                    slice(inProjBias, 2 * e, 3 * e));
        }

        // 2. attention into the head-merged buffer [b, L, E]
        Tensor merged = scratch.allocate(b, l, e);
        Tensor perHead = Attend.run(backend, average ? scratch : allocator, scratch, q, k, v, vis,
                (float) (1.0 / Math.sqrt(headDim)), needWeights, path, Heads.split(merged, heads, headDim));

        // 3. output projection
        Tensor out = allocator.allocate(b, l, e);
        backend.linear(merged, outProjWeight, outProjBias, out);
        if (!needWeights || !average) {
            return new AttentionOutput(out, perHead);
        }
        // Mean over heads as one batched product: [1, 1, h] · [b, h, L·S] → [b, 1, L·S].
        Tensor mean = allocator.allocate(b, l, s);
        Tensor row = scratch.allocate(1, 1, heads);
        for (long h = 0; h < heads; h++) {
            row.setFloat(1f / heads, 0, 0, h);
        }
        backend.matmul(row, false, perHead.reshape(b, heads, l * s), false, 1f, mean.reshape(b, 1, l * s));
        return new AttentionOutput(out, mean);
    }

    /** x [b, n, in] → x·wᵀ + bias as a [b, h, n, headDim] view of a new [b, n, E]. */
    private Tensor project(Backend backend, TensorAllocator scratch, Tensor x, Tensor weight, Tensor bias) {
        Tensor y = scratch.allocate(x.shape(0), x.shape(1), embedDim);
        backend.linear(x, weight, bias, y);
        return Heads.split(y, heads, headDim);
    }


    private static Tensor slice(Tensor bias, long from, long to) {
        return bias == null ? null : bias.slice(0, from, to);
    }
}
