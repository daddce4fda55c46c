package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.layer.Linear;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.module.ModuleFiles;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;

/**
 * Hard (top-k) attention, the selection of the Explicit Sparse Transformer (Zhao et al. 2019) and
 * x-transformers' {@code sparse_topk}: multi-head scaled dot-product scores s = q·kᵀ / √dimHead;
 * per query row only the keys whose score reaches the row's topK-th largest visible score are
 * kept, then softmax over the kept keys and weights · values.
 *
 * <p>Ties, defined: every key whose score equals the topK-th largest is kept, so a row may keep
 * more than topK keys, and permuting the keys permutes the weights and nothing else (no
 * index-order tie break). A row with at most topK visible keys keeps them all; a query that sees
 * no key, or a row holding a NaN score, gets NaN weights.
 *
 * <p>Parameters by lucidrains' names: {@code to_q} [h·d, dim], {@code to_k}, {@code to_v}
 * [h·d, contextDim] without bias, {@code to_out} [dim, h·d] with bias. Self attention (context
 * null) or cross attention. Always returns the weights [b, h, i, j] (the scores are materialised
 * for the selection). Thread-safe; owns its weights.
 */
public final class TopKAttention extends Module {
    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "TopKAttention";

    private final int dim;
    private final int contextDim;
    private final int heads;
    private final int dimHead;
    private final int topK;
    private final Linear toQ;   // dim → heads·dimHead
    private final Linear toK;   // contextDim → heads·dimHead
    private final Linear toV;   // contextDim → heads·dimHead
    private final Linear toOut; // heads·dimHead → dim

    private TopKAttention(int dim, int contextDim, int heads, int dimHead, int topK, ParameterSource source, Backend backend,
                          Arena weights) {
        super(backend, weights);
        MultiheadAttention.Builder.positive("dim", dim);
        MultiheadAttention.Builder.positive("context_dim", contextDim);
        MultiheadAttention.Builder.positive("heads", heads);
        MultiheadAttention.Builder.positive("dim_head", dimHead);
        MultiheadAttention.Builder.positive("top_k", topK);
        this.dim = dim;
        this.contextDim = contextDim;
        this.heads = heads;
        this.dimHead = dimHead;
        this.topK = topK;
        long inner = (long) heads * dimHead;
        this.toQ = new Linear(source, "to_q", dim, inner, false);
        this.toK = new Linear(source, "to_k", contextDim, inner, false);
        this.toV = new Linear(source, "to_v", contextDim, inner, false);
        this.toOut = new Linear(source, "to_out", inner, dim, true);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a state dict from a safetensors file configured by its {@code __metadata__}. */
    public static TopKAttention load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, CLASS_NAME, (meta, source, arena) -> {
            int dim = meta.integer("dim", null);
            return new TopKAttention(dim, meta.integer("context_dim", dim), meta.integer("heads", 8),
                    meta.integer("dim_head", 64), meta.integer("top_k", null), source, backend, arena);
        });
    }

    /**
     * x [b, i, dim] attends to context [b, j, contextDim] (null: to x itself) → output [b, i, dim]
     * and weights [b, heads, i, j], both from {@code allocator}.
     *
     * @param keyPaddingMask BOOL [b, j], true = attend; null = none
     * @param causal         query i sees keys 0..i only
     */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor x, Tensor context, Tensor keyPaddingMask,
                                   boolean causal) {
        return call(scratch -> {
            if (allocator == null) {
                throw new IllegalArgumentException("allocator must not be null");
            }
            Arena arena = scratch.arena();
            Tensor xs = SequenceInputs.sequence("x", x, dim, true, false, arena);
            Tensor cs = SequenceInputs.context(context, xs, contextDim, arena);
            long b = xs.shape(0);
            long i = xs.shape(1);
            long j = cs.shape(1);
            Masks.keyPadding("keyPaddingMask", keyPaddingMask, b, j);
            Tensor q = heads(toQ.forward(backend, scratch, xs)); // [b, h, i, d]
            Tensor k = heads(toK.forward(backend, scratch, cs)); // [b, h, j, d]
            Tensor v = heads(toV.forward(backend, scratch, cs)); // [b, h, j, d]
            Tensor scores = scratch.allocate(b, heads, i, j);    // [b, h, i, j] = q·kᵀ / √d
            backend.matmul(q, false, k, true, (float) (1 / Math.sqrt(dimHead)), scores);
            TensorAllocator out = TensorAllocator.of(allocator);
            Tensor weights = out.allocate(b, heads, i, j);
            backend.topKSoftmax(scores, null, keyPaddingMask, -1, causal ? 0 : -1, topK, weights);
            Tensor merged = scratch.allocate(b, i, (long) heads * dimHead); // [b, i, h·d], written as [b, h, i, d]
            backend.matmul(weights, false, v, false, 1f, heads(merged));
            return new AttentionOutput(toOut.forward(backend, out, merged), weights);
        });
    }

    /** [b, n, h·d] contiguous → the [b, h, n, d] view. */
    private Tensor heads(Tensor t) {
        return t.reshape(t.shape(0), t.shape(1), heads, dimHead).permute(0, 2, 1, 3);
    }

    /** Keys kept per query row (at least; ties with the last one are kept too). */
    public int topK() {
        return topK;
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dim", Integer.toString(dim));
        m.put("heads", Integer.toString(heads));
        m.put("dim_head", Integer.toString(dimHead));
        m.put("top_k", Integer.toString(topK));
        m.put("context_dim", Integer.toString(contextDim));
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + "(dim=" + dim + ", heads=" + heads + ", dim_head=" + dimHead + ", top_k=" + topK
                + ", context_dim=" + contextDim + ")";
    }

    /** Configuration: dim and topK (required), contextDim = dim, heads 8, dimHead 64. */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        private int dim;
        private Integer contextDim;
        private int heads = 8;
        private int dimHead = 64;
        private int topK;

        public Builder dim(int dim) {
            this.dim = dim;
            return this;
        }

        public Builder contextDim(int contextDim) {
            this.contextDim = contextDim;
            return this;
        }

        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        public Builder dimHead(int dimHead) {
            this.dimHead = dimHead;
            return this;
        }

        /** Keys kept per query row (ties with the topK-th largest score are kept too). */
        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        private int contextDim() {
            return contextDim != null ? contextDim : dim;
        }

        public TopKAttention build(Backend backend, long seed) {
            return ModuleFiles.fresh(seed, (source, arena) -> new TopKAttention(dim, contextDim(), heads, dimHead, topK,
                    source, backend, arena));
        }

        public TopKAttention build(long seed) {
            return build(Backends.defaultBackend(), seed);
        }

        public TopKAttention build(Backend backend, Map<String, Tensor> stateDict) {
            return ModuleFiles.fromStateDict(stateDict, (source, arena) -> new TopKAttention(dim, contextDim(), heads,
                    dimHead, topK, source, backend, arena));
        }
    }
}
