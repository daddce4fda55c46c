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
import org.attn4j.internal.layer.Attend;
import org.attn4j.internal.layer.Linear;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.ModuleFiles;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;

/**
 * Low-rank attention: queries and keys are projected to a small rank r per head ({@code to_q},
 * {@code to_k}: [heads·r, ·]), so the scores cost O(i·j·r) instead of O(i·j·dimHead), while values
 * keep their full head size ({@code to_v}: [heads·dimHead, ·]); then {@code to_out} with bias.
 * Self attention (context null) or cross attention (context [b, j, contextDim]). Scale 1/√r by
 * default. Thread-safe; owns its weights.
 */
public final class LowRankAttention extends Module {
    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "LowRankAttention";

    private final int dim;
    private final int contextDim;
    private final int heads;
    private final int rank;
    private final int dimHead;
    private final Linear toQ;   // dim → heads·rank
    private final Linear toK;   // contextDim → heads·rank
    private final Linear toV;   // contextDim → heads·dimHead
    private final Linear toOut; // heads·dimHead → dim

    private LowRankAttention(int dim, int contextDim, int heads, int rank, int dimHead, ParameterSource source,
                             Backend backend, Arena weights) {
        super(backend, weights);
        MultiheadAttention.Builder.positive("dim", dim);
        MultiheadAttention.Builder.positive("context_dim", contextDim);
        MultiheadAttention.Builder.positive("heads", heads);
        MultiheadAttention.Builder.positive("rank", rank);
        MultiheadAttention.Builder.positive("dim_head", dimHead);
        this.dim = dim;
        this.contextDim = contextDim;
        this.heads = heads;
        this.rank = rank;
        this.dimHead = dimHead;
        this.toQ = new Linear(source, "to_q", dim, (long) heads * rank, false);
        this.toK = new Linear(source, "to_k", contextDim, (long) heads * rank, false);
        this.toV = new Linear(source, "to_v", contextDim, (long) heads * dimHead, false);
        this.toOut = new Linear(source, "to_out", (long) heads * dimHead, dim, true);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a state dict from a safetensors file configured by its {@code __metadata__}. */
    public static LowRankAttention load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, CLASS_NAME, (meta, source, arena) -> {
            int dim = meta.integer("dim", null);
            return new LowRankAttention(dim, meta.integer("context_dim", dim), meta.integer("heads", 8),
                    meta.integer("rank", null), meta.integer("dim_head", 64), source, backend, arena);
        });
    }

    /**
     * x [b, i, dim] attends to context [b, j, contextDim] (null: to x itself) → output
     * [b, i, dim] (and weights [b, heads, i, j] with needWeights) from {@code allocator}; masks
     * as SDPA's (boolean true = attend).
     */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor x, Tensor context, SdpaOptions options) {
        if (allocator == null || options == null) {
            throw new IllegalArgumentException("allocator and options must not be null (use SdpaOptions.DEFAULT)");
        }
        return call(scratch -> {
            Arena arena = scratch.arena();
            Tensor xs = SequenceInputs.sequence("x", x, dim, true, false, arena);
            Tensor cs = SequenceInputs.context(context, xs, contextDim, arena);
            long b = xs.shape(0);
            long i = xs.shape(1);
            long j = cs.shape(1);
            Tensor q = heads(toQ.forward(backend, scratch, xs), rank);     // [b, h, i, r]
            Tensor k = heads(toK.forward(backend, scratch, cs), rank);     // [b, h, j, r]
            Tensor v = heads(toV.forward(backend, scratch, cs), dimHead);  // [b, h, j, dimHead]
            Visibility vis = Masks.sdpa(options, b, heads, i, j, arena);
            Tensor merged = scratch.allocate(b, i, (long) heads * dimHead);
            TensorAllocator out = TensorAllocator.of(allocator);
            Tensor weights = Attend.run(backend, out, scratch, q, k, v, vis, options.resolvedScale(rank),
                    options.needWeights(), options.path(), heads(merged, dimHead));
            return new AttentionOutput(toOut.forward(backend, out, merged), weights);
        });
    }

    /** Self attention with {@link SdpaOptions#DEFAULT}. */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor x) {
        return forward(allocator, x, null, SdpaOptions.DEFAULT);
    }

    /** [b, n, h·size] contiguous → the [b, h, n, size] view. */
    private Tensor heads(Tensor t, int size) {
        return t.reshape(t.shape(0), t.shape(1), heads, size).permute(0, 2, 1, 3);
    }

    public int rank() {
        return rank;
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dim", Integer.toString(dim));
        m.put("context_dim", Integer.toString(contextDim));
        m.put("heads", Integer.toString(heads));
        m.put("rank", Integer.toString(rank));
        m.put("dim_head", Integer.toString(dimHead));
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + "(dim=" + dim + ", context_dim=" + contextDim + ", heads=" + heads + ", rank=" + rank
                + ", dim_head=" + dimHead + ")";
    }

    /** Configuration: dim and rank (required), contextDim = dim, heads 8, dimHead 64. */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        private int dim;
        private Integer contextDim;
        private int heads = 8;
        private int rank;
        private int dimHead = 64;

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

        /** Size of each head's queries and keys. */
        public Builder rank(int rank) {
            this.rank = rank;
            return this;
        }

        /** Size of each head's values. */
        public Builder dimHead(int dimHead) {
            this.dimHead = dimHead;
            return this;
        }

        private int contextDim() {
            return contextDim != null ? contextDim : dim;
        }

        public LowRankAttention build(Backend backend, long seed) {
            return ModuleFiles.fresh(seed, (source, arena) -> new LowRankAttention(dim, contextDim(), heads, rank, dimHead,
                    source, backend, arena));
        }

        public LowRankAttention build(long seed) {
            return build(Backends.defaultBackend(), seed);
        }

        public LowRankAttention build(Backend backend, Map<String, Tensor> stateDict) {
            return ModuleFiles.fromStateDict(stateDict, (source, arena) -> new LowRankAttention(dim, contextDim(), heads,
                    rank, dimHead, source, backend, arena));
        }
    }
}
