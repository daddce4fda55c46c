package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.layer.QkvAttentionLayer;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.ParameterSource;

/**
 * Multi-head self attention from one packed projection, the common transformer block's layout:
 * {@code to_qkv.weight} [3·heads·dimHead, dim] (no bias), optional rotary embeddings on q and k,
 * scaled dot-product attention (masks, causal, windows, weights: {@link SdpaOptions}), and
 * {@code to_out} (weight and bias). Thread-safe; owns its weights.
 */
public final class FusedQkvAttention extends PackedAttention<FusedQkvAttention.Config> {
    /**
     * The configuration, as model files' {@code __metadata__} holds it.
     *
     * @param dim     features of x (required)
     * @param heads   heads (8)
     * @param dimHead size of each head (64)
     * @param rotary  rotary embeddings on q and k (null: none)
     */
    public record Config(int dim, @Default("8") int heads, @Default("64") int dimHead, RotaryEmbedding rotary) {
        public Config {
            QkvAttentionLayer.validate(dim, heads, dimHead, rotary);
        }
    }

    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "FusedQkvAttention";

    FusedQkvAttention(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights, QkvAttentionLayer.dotProduct(source, config.dim, config.heads,
                config.dimHead, config.rotary));
    }

    /**
     * x [b, n, dim] → output [b, n, dim] (and weights [b, heads, n, n] with needWeights) from
     * {@code allocator}. Masks use SDPA's conventions (boolean true = attend).
     */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor x, SdpaOptions options) {
        Checks.required(allocator, options, "allocator and options must not be null (use SdpaOptions.DEFAULT)");
        return attend(allocator, x, options, options.scale());
    }

    /** Same with {@link SdpaOptions#DEFAULT}. */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor x) {
        return forward(allocator, x, SdpaOptions.DEFAULT);
    }

    public static FusedQkvAttentionBuilder builder() {
        return new FusedQkvAttentionBuilder();
    }
}
