package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.util.Arrays;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.layer.QkvAttentionLayer;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.ParameterSource;

/**
 * Cosine-similarity attention (Henry et al. 2020, "Query-Key Normalization"): q and k are
 * l2-normalised per head, so scores are cosines in [−1, 1] times a fixed scale (the temperature,
 * default 10), which keeps the softmax from saturating. Otherwise as {@link FusedQkvAttention}
 * ({@code to_qkv}, {@code to_out}, optional rotary). Thread-safe; owns its weights.
 */
public final class CosineSimilarityAttention extends PackedAttention<CosineSimilarityAttention.Config> {
    /**
     * The configuration, as model files' {@code __metadata__} holds it.
     *
     * @param dim     features of x (required)
     * @param heads   heads (8)
     * @param dimHead size of each head (64)
     * @param rotary  rotary embeddings on q and k (null: none)
     * @param scale   the temperature multiplying the cosines (10)
     */
    public record Config(int dim, @Default("8") int heads, @Default("64") int dimHead, RotaryEmbedding rotary,
                         @Default("10") float scale) {
        public Config {
            QkvAttentionLayer.validate(dim, heads, dimHead, rotary);
            if (!(scale > 0) || !Float.isFinite(scale)) {
                throw new IllegalArgumentException("scale: expected a finite value > 0, got " + scale);
            }
        }
    }

    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "CosineSimilarityAttention";

    CosineSimilarityAttention(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights, new QkvAttentionLayer(source, config.dim, config.heads, config.dimHead,
                config.rotary, config.scale, unitNormWeight(weights, config.dimHead)));
    }

    /** [d] of 1/√d: RMSNorm with it divides by ‖x‖ (√(mean x²)·√d). */
    static Tensor unitNormWeight(Arena arena, int d) {
        float[] w = new float[d];
        Arrays.fill(w, (float) (1.0 / Math.sqrt(d)));
        return Tensor.of(arena, w, d);
    }

    /**
     * x [b, n, dim] → output [b, n, dim] (and weights with needWeights) from {@code allocator};
     * masks as SDPA's. The scale is the module's: options.scale() must be NaN (unset).
     */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor x, SdpaOptions options) {
        Checks.required(allocator, options, "allocator and options must not be null (use SdpaOptions.DEFAULT)");
        if (!Float.isNaN(options.scale())) {
            throw new IllegalArgumentException("options.scale: expected unset (the module's scale " + config.scale
                    + " is the temperature), got " + options.scale());
        }
        return attend(allocator, x, options, config.scale);
    }

    public AttentionOutput forward(SegmentAllocator allocator, Tensor x) {
        return forward(allocator, x, SdpaOptions.DEFAULT);
    }

    public static CosineSimilarityAttentionBuilder builder() {
        return new CosineSimilarityAttentionBuilder();
    }
}
