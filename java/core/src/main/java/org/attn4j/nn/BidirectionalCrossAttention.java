package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.internal.check.BidirectionalInputs;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.layer.BidirectionalAttentionLayer;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.SameAs;
import org.attn4j.internal.module.TensorAllocator;

/**
 * Bidirectional cross attention: x [b, i, dim] and context [b, j, contextDim] attend to each
 * other through one shared similarity matrix, softmaxed along both axes (DESIGN.md §3), equal
 * to the PyTorch reference {@code BidirectionalCrossAttention} on the same weights.
 *
 * <p>Inference only: dropout is the identity (training is not supported). Thread-safe: many
 * threads may call {@link #forward} at once. Owns its weights; {@link #close()} frees them.
 *
 * <pre>{@code
 * try (var attn = BidirectionalCrossAttention.builder().dim(512).contextDim(386).build(Backends.defaultBackend(), 0);
 *      Arena arena = Arena.ofConfined()) {
 *     Tensor video = Tensor.randn(arena, 1, 1, 4096, 512);
 *     Tensor audio = Tensor.randn(arena, 2, 1, 8192, 386);
 *     BidirectionalOutput o = attn.forward(arena, video, audio);   // o.out() [1, 4096, 512]
 * }
 * }</pre>
 */
public final class BidirectionalCrossAttention extends ConfiguredModule<BidirectionalCrossAttention.Config>
        implements BidirectionalModule {
    /**
     * The configuration with the reference's names and defaults, as its model files'
     * {@code __metadata__} holds it.
     *
     * @param dim            features of x (required)
     * @param heads          heads (8)
     * @param dimHead        size of each head (64)
     * @param contextDim     features of context (defaults to dim)
     * @param dropout        kept for weight compatibility; inference ignores it (0)
     * @param talkingHeads   h×h head mixing after both softmaxes (false)
     * @param prenorm        RMSNorm on x and context first (false)
     * @param cosineSimScale unset (null): dot-product similarity; else cosine similarity times this
     *                       temperature (attn4j's option, absent from the reference's files)
     */
    public record Config(int dim, @Default("8") int heads, @Default("64") int dimHead, @SameAs("dim") int contextDim,
                         @Default("0") float dropout, @Default("false") boolean talkingHeads,
                         @Default("false") boolean prenorm, Float cosineSimScale) implements BidirectionalModule.Widths {
        public Config {
            Checks.positive("dim, heads, dim_head, context_dim", dim, heads, dimHead, contextDim);
            if (cosineSimScale != null && !(cosineSimScale > 0 && Float.isFinite(cosineSimScale))) {
                throw new IllegalArgumentException("cosine_sim_scale: expected a finite value > 0 (or unset for dot-product similarity), got "
                        + cosineSimScale);
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("dropout: expected in [0, 1), got " + dropout);
            }
        }
    }

    /** The reference's class name, as in safetensors {@code __metadata__.class}. */
    public static final String CLASS_NAME = "BidirectionalCrossAttention";

    private final BidirectionalAttentionLayer layer;

    BidirectionalCrossAttention(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights);
        boolean cosine = config.cosineSimScale != null;
        this.layer = new BidirectionalAttentionLayer(source, config.dim, config.contextDim, config.heads, config.dimHead,
                config.prenorm, config.talkingHeads, cosine ? config.cosineSimScale : Float.NaN,
                cosine ? CosineSimilarityAttention.unitNormWeight(weights, config.dimHead) : null);
    }

    /** A builder with the reference's defaults: heads 8, dimHead 64, contextDim = dim, no dropout, talking heads or prenorm. */

    @Override
    public BidirectionalOutput forward(SegmentAllocator allocator, Tensor x, Tensor context, BidirectionalOptions options) {
        return call(scratch -> {
            BidirectionalInputs in = BidirectionalInputs.check(x, context, options, layer.dim, layer.contextDim,
                    layer.heads, scratch.arena());
            return layer.forward(backend, TensorAllocator.of(allocator), scratch, in, options.returnAttn(),
                    pathFor(in.x(), in.context(), options));
        });
    }

    public static BidirectionalCrossAttentionBuilder builder() {
        return new BidirectionalCrossAttentionBuilder();
    }
}
