package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.layer.Linear;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.SameAs;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.internal.tensor.Heads;

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
public final class TopKAttention extends ConfiguredModule<TopKAttention.Config> {
    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "TopKAttention";
    private static final ModuleType<Config, TopKAttention> TYPE = new ModuleType<>(CLASS_NAME, Config.class,
            TopKAttention::new);

    /**
     * The configuration, as model files' {@code __metadata__} holds it.
     *
     * @param dim        features of x (required)
     * @param heads      heads (8)
     * @param dimHead    size of each head (64)
     * @param topK       keys kept per query row; ties with the topK-th largest score are kept too (required)
     * @param contextDim features of context (defaults to dim)
     */
    public record Config(int dim, @Default("8") int heads, @Default("64") int dimHead, int topK,
                         @SameAs("dim") int contextDim) {
        public Config {
            Checks.positive("dim", dim);
            Checks.positive("heads", heads);
            Checks.positive("dim_head", dimHead);
            Checks.positive("top_k", topK);
            Checks.positive("context_dim", contextDim);
        }
    }

    private final Linear toQ;   // dim → heads·dimHead
    private final Linear toK;   // contextDim → heads·dimHead
    private final Linear toV;   // contextDim → heads·dimHead
    private final Linear toOut; // heads·dimHead → dim

    private TopKAttention(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(TYPE, config, backend, weights);
        long inner = (long) config.heads * config.dimHead;
        this.toQ = new Linear(source, "to_q", config.dim, inner, false);
        this.toK = new Linear(source, "to_k", config.contextDim, inner, false);
        this.toV = new Linear(source, "to_v", config.contextDim, inner, false);
        this.toOut = new Linear(source, "to_out", inner, config.dim, true);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a state dict from a safetensors file configured by its {@code __metadata__}. */
    public static TopKAttention load(Path file, Backend backend) throws IOException {
        return TYPE.load(file, backend);
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
            int heads = config.heads;
            int dimHead = config.dimHead;
            Tensor xs = SequenceInputs.sequence("x", x, config.dim, true, false, arena);
            Tensor cs = SequenceInputs.context(context, xs, config.contextDim, arena);
            long b = xs.shape(0);
            long i = xs.shape(1);
            long j = cs.shape(1);
            Masks.keyPadding("keyPaddingMask", keyPaddingMask, b, j);
            Tensor q = Heads.split(toQ.forward(backend, scratch, xs), heads, dimHead); // [b, h, i, d]
            Tensor k = Heads.split(toK.forward(backend, scratch, cs), heads, dimHead); // [b, h, j, d]
            Tensor v = Heads.split(toV.forward(backend, scratch, cs), heads, dimHead); // [b, h, j, d]
            Tensor scores = scratch.allocate(b, heads, i, j);    // [b, h, i, j] = q·kᵀ / √d
            backend.matmul(q, false, k, true, (float) (1 / Math.sqrt(dimHead)), scores);
            TensorAllocator out = TensorAllocator.of(allocator);
            Tensor weights = out.allocate(b, heads, i, j);
            backend.topKSoftmax(scores, null, keyPaddingMask, -1, causal ? 0 : -1, config.topK, weights);
            Tensor merged = scratch.allocate(b, i, (long) heads * dimHead); // [b, i, h·d], written as [b, h, i, d]
            backend.matmul(weights, false, v, false, 1f, Heads.split(merged, heads, dimHead));
            return new AttentionOutput(toOut.forward(backend, out, merged), weights);
        });
    }

    /** Keys kept per query row (at least; ties with the last one are kept too). */
    public int topK() {
        return config.topK;
    }

    /** Configuration: dim and topK (required), contextDim = dim, heads 8, dimHead 64. */
    public static final class Builder extends ModuleBuilder<Config, TopKAttention, Builder> {
        private Builder() { // from builder() only
            super(TYPE);
        }

        public Builder dim(int dim) {
            return set("dim", dim);
        }

        public Builder contextDim(int contextDim) {
            return set("contextDim", contextDim);
        }

        public Builder heads(int heads) {
            return set("heads", heads);
        }

        public Builder dimHead(int dimHead) {
            return set("dimHead", dimHead);
        }

        /** Keys kept per query row (ties with the topK-th largest score are kept too). */
        public Builder topK(int topK) {
            return set("topK", topK);
        }
    }
}
