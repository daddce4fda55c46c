package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.check.ContextInputs;
import org.attn4j.internal.layer.SeparateProjections;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.SameAs;
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
public final class TopKAttention extends ConfiguredModule<TopKAttention.Config> {
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
            Checks.positive("dim, heads, dim_head, context_dim", dim, heads, dimHead, contextDim);
            Checks.positive("top_k", topK);
        }
    }

    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "TopKAttention";

    private final SeparateProjections projections; // to_q, to_k, to_v: heads·dimHead each; to_out

    TopKAttention(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights);
        this.projections = new SeparateProjections(source, config.dim, config.contextDim, config.heads, config.dimHead);
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
            Checks.required(allocator, "allocator must not be null");
            ContextInputs in = ContextInputs.check(x, context, config.dim, config.contextDim, scratch.arena());
            int heads = config.heads;
            long b = in.b();
            long i = in.i();
            long j = in.j();
            Masks.sequenceMask("keyPaddingMask", keyPaddingMask, b, j);
            SeparateProjections.Heads3 p = projections.project(backend, scratch, in); // q [b, h, i, d], k, v [b, h, j, d]
            Tensor scores = scratch.allocate(b, heads, i, j);    // [b, h, i, j] = q·kᵀ / √d
            backend.matmul(p.q(), false, p.k(), true, (float) (1 / Math.sqrt(config.dimHead)), scores);
            TensorAllocator out = TensorAllocator.of(allocator);
            Tensor weights = out.allocate(b, heads, i, j);
            backend.topKSoftmax(scores, null, keyPaddingMask, -1, causal ? 0 : -1, config.topK, weights);
            Tensor merged = projections.merged(scratch, b, i); // [b, i, h·d], written as [b, h, i, d]
            backend.matmul(weights, false, p.v(), false, 1f, projections.split(merged));
            return new AttentionOutput(projections.out(backend, out, merged), weights);
        });
    }

    public static TopKAttentionBuilder builder() {
        return new TopKAttentionBuilder();
    }
}
