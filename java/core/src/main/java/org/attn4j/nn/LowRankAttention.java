package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.check.ContextInputs;
import org.attn4j.internal.layer.Attend;
import org.attn4j.internal.layer.SeparateProjections;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.SameAs;
import org.attn4j.internal.module.TensorAllocator;

/**
 * Low-rank attention: queries and keys are projected to a small rank r per head ({@code to_q},
 * {@code to_k}: [heads·r, ·]), so the scores cost O(i·j·r) instead of O(i·j·dimHead), while values
 * keep their full head size ({@code to_v}: [heads·dimHead, ·]); then {@code to_out} with bias.
 * Self attention (context null) or cross attention (context [b, j, contextDim]). Scale 1/√r by
 * default. Thread-safe; owns its weights.
 */
public final class LowRankAttention extends ConfiguredModule<LowRankAttention.Config> {
    /**
     * The configuration, as model files' {@code __metadata__} holds it.
     *
     * @param dim        features of x (required)
     * @param contextDim features of context (defaults to dim)
     * @param heads      heads (8)
     * @param rank       size of each head's queries and keys (required)
     * @param dimHead    size of each head's values (64)
     */
    public record Config(int dim, @SameAs("dim") int contextDim, @Default("8") int heads, int rank,
                         @Default("64") int dimHead) {
        public Config {
            Checks.positive("dim, context_dim, heads, rank, dim_head", dim, contextDim, heads, rank, dimHead);
        }
    }

    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "LowRankAttention";

    private final SeparateProjections projections; // to_q, to_k: heads·rank; to_v: heads·dimHead; to_out

    LowRankAttention(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights);
        this.projections = new SeparateProjections(source, config.dim, config.contextDim, config.heads, config.rank,
                config.dimHead);
    }

    /**
     * x [b, i, dim] attends to context [b, j, contextDim] (null: to x itself) → output
     * [b, i, dim] (and weights [b, heads, i, j] with needWeights) from {@code allocator}; masks
     * as SDPA's (boolean true = attend).
     */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor x, Tensor context, SdpaOptions options) {
        Checks.required(allocator, options, "allocator and options must not be null (use SdpaOptions.DEFAULT)");
        return call(scratch -> {
            ContextInputs in = ContextInputs.check(x, context, config.dim, config.contextDim, scratch.arena());
            Visibility vis = Masks.sdpa(options, in.b(), config.heads, in.i(), in.j(), scratch.arena());
            SeparateProjections.Heads3 p = projections.project(backend, scratch, in); // q, k [·, r]; v [·, dimHead]
            Tensor merged = projections.merged(scratch, in.b(), in.i());
            TensorAllocator out = TensorAllocator.of(allocator);
            Tensor weights = Attend.run(backend, out, scratch, p.q(), p.k(), p.v(), vis, options.resolvedScale(config.rank),
                    options.needWeights(), options.path(), projections.split(merged));
            return new AttentionOutput(projections.out(backend, out, merged), weights);
        });
    }

    /** Self attention with {@link SdpaOptions#DEFAULT}. */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor x) {
        return forward(allocator, x, null, SdpaOptions.DEFAULT);
    }

    public static LowRankAttentionBuilder builder() {
        return new LowRankAttentionBuilder();
    }
}
