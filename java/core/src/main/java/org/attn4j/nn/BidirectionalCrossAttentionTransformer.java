package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayList;
import java.util.List;
import org.attn4j.Backend;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.check.BidirectionalInputs;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.layer.BidirectionalAttentionLayer;
import org.attn4j.internal.layer.FeedForward;
import org.attn4j.internal.layer.RmsNorm;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.SameAs;
import org.attn4j.internal.module.Scratch;

/**
 * The reference's {@code BidirectionalCrossAttentionTransformer}: depth layers of
 * (bidirectional attention with prenorm, residual on both streams from the old values, then a
 * feed-forward with residual on each stream), optional final RMSNorms. The same masks and
 * relPosBias reach every layer. The final context norm has contextDim features (the reference
 * builds it with dim, which fails whenever they differ; that bug is not copied).
 *
 * <p>Inference only; thread-safe; owns its weights.
 */
public final class BidirectionalCrossAttentionTransformer
        extends ConfiguredModule<BidirectionalCrossAttentionTransformer.Config> implements BidirectionalModule {
    /**
     * The configuration with the reference's names and defaults, as its model files'
     * {@code __metadata__} holds it.
     *
     * @param dim               features of x (required)
     * @param depth             layers (1)
     * @param contextDim        features of context (defaults to dim)
     * @param heads             heads (8)
     * @param dimHead           size of each head (64)
     * @param ffExpansionFactor feed-forward width over its input width (4)
     * @param talkingHeads      h×h head mixing after both softmaxes (false)
     * @param finalNorms        RMSNorm on both streams after the last layer (false)
     */
    public record Config(int dim, @Default("1") int depth, @SameAs("dim") int contextDim, @Default("8") int heads,
                         @Default("64") int dimHead, @Default("4.0") double ffExpansionFactor,
                         @Default("false") boolean talkingHeads, @Default("false") boolean finalNorms)
            implements BidirectionalModule.Widths {
        public Config {
            Checks.positive("dim, depth, context_dim, heads, dim_head", dim, depth, contextDim, heads, dimHead);
            if (!(ffExpansionFactor > 0) || !Double.isFinite(ffExpansionFactor)) {
                throw new IllegalArgumentException("ff_expansion_factor: expected a positive number, got " + ffExpansionFactor);
            }
        }
    }

    /** The reference's class name, as in safetensors {@code __metadata__.class}. */
    public static final String CLASS_NAME = "BidirectionalCrossAttentionTransformer";

    private final List<BidirectionalAttentionLayer> attention = new ArrayList<>();
    private final List<FeedForward> feedForward = new ArrayList<>();        // on x
    private final List<FeedForward> contextFeedForward = new ArrayList<>(); // on context
    private final RmsNorm finalNorm;        // null unless finalNorms
    private final RmsNorm finalContextNorm; // null unless finalNorms

    BidirectionalCrossAttentionTransformer(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights);
        int contextDim = config.contextDim;
        for (int l = 0; l < config.depth; l++) {
            String prefix = "layers." + l + ".";
            attention.add(new BidirectionalAttentionLayer(source.prefixed(prefix + "0."), config.dim, contextDim,
                    config.heads, config.dimHead, true, config.talkingHeads));
            feedForward.add(new FeedForward(source, prefix + "1.", config.dim, config.ffExpansionFactor));
            contextFeedForward.add(new FeedForward(source, prefix + "2.", contextDim, config.ffExpansionFactor));
        }
        this.finalNorm = config.finalNorms ? new RmsNorm(source, "norm", config.dim) : null;
        this.finalContextNorm = config.finalNorms ? new RmsNorm(source, "context_norm", contextDim) : null;
    }

    /** Attention weights are per layer, so {@code returnAttn} is not offered here (as in the reference). */
    @Override
    public BidirectionalOutput forward(SegmentAllocator allocator, Tensor x, Tensor context, BidirectionalOptions options) {
        if (options != null && options.returnAttn()) {
            throw new IllegalArgumentException("returnAttn: the transformer returns no attention weights (as the reference)");
        }
        return call(scratch -> {
            BidirectionalInputs in = BidirectionalInputs.check(x, context, options, config.dim, config.contextDim,
                    config.heads, scratch.arena());
            // The residual streams live in the caller's memory from the start: they are the outputs.
            Tensor xs = in.x().to(DType.F32, allocator);             // [b, i, dim]
            Tensor cs = in.context().to(DType.F32, allocator);       // [b, j, contextDim]
            AttentionPath path = pathFor(xs, cs, options);            // every layer's shapes are these
            for (int l = 0; l < config.depth; l++) {
                try (Scratch layerScratch = new Scratch(backend)) { // one layer's intermediates at a time
                    BidirectionalInputs layerIn = new BidirectionalInputs(xs, cs, in.mask(), in.contextMask(),
                            in.relPosBias(), in.batch(), in.i(), in.j());
                    BidirectionalOutput o = attention.get(l).forward(backend, layerScratch, layerScratch, layerIn, false,
                            path);
                    backend.add(xs, o.out(), xs);         // both residuals from the old values
                    backend.add(cs, o.contextOut(), cs);
                    backend.add(xs, feedForward.get(l).forward(backend, layerScratch, xs), xs);
                    backend.add(cs, contextFeedForward.get(l).forward(backend, layerScratch, cs), cs);
                }
            }
            if (config.finalNorms) {
                backend.rmsNorm(xs, finalNorm.weight.get(), RmsNorm.EPS, xs);
                backend.rmsNorm(cs, finalContextNorm.weight.get(), RmsNorm.EPS, cs);
            }
            return new BidirectionalOutput(xs, cs, null, null);
        });
    }

    public static BidirectionalCrossAttentionTransformerBuilder builder() {
        return new BidirectionalCrossAttentionTransformerBuilder();
    }
}
