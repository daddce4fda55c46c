package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.layer.QkvAttentionLayer;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.ParameterSource;

/**
 * Local (sliding-window) self attention: each position attends to the keys at most
 * {@code windowLeft} before and {@code windowRight} after it (windowRight 0: causal local
 * attention), in O(n·w) time and O(n) memory on the fused kernel, which skips every key tile
 * outside the band. Longformer-style global tokens (a BOOL [b, n] per call) attend to every
 * position and are attended by every position. Parameters as {@link FusedQkvAttention}
 * ({@code to_qkv}, {@code to_out}). Thread-safe; owns its weights.
 */
public final class SlidingWindowAttention extends PackedAttention<SlidingWindowAttention.Config> {
    /**
     * The configuration, as model files' {@code __metadata__} holds it.
     *
     * @param dim     features of x (required)
     * @param heads   heads (8)
     * @param dimHead size of each head (64)
     * @param rotary  rotary embeddings on q and k (null: none)
     * @param windowLeft  keys before each position that it sees (required, >= 0)
     * @param windowRight keys after each position that it sees (required, >= 0; 0: causal)
     */
    public record Config(int dim, @Default("8") int heads, @Default("64") int dimHead, RotaryEmbedding rotary,
                         long windowLeft, long windowRight) {
        public Config {
            QkvAttentionLayer.validate(dim, heads, dimHead, rotary);
            if (windowLeft < 0 || windowRight < 0) {
                throw new IllegalArgumentException("window: expected left >= 0 and right >= 0, got " + windowLeft + " and "
                        + windowRight);
            }
        }
    }

    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "SlidingWindowAttention";

    SlidingWindowAttention(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights, QkvAttentionLayer.dotProduct(source, config.dim, config.heads,
                config.dimHead, config.rotary));
    }

    /**
     * x [b, n, dim] → [b, n, dim] from {@code allocator}.
     *
     * @param keyPaddingMask BOOL [b, n], true = attend (false marks padding); null = none
     * @param globalTokens   BOOL [b, n], true = global position; null = none
     */
    public Tensor forward(SegmentAllocator allocator, Tensor x, Tensor keyPaddingMask, Tensor globalTokens) {
        Checks.required(allocator, "allocator must not be null");
        SdpaOptions band = SdpaOptions.builder().keyPaddingMask(keyPaddingMask).globalTokens(globalTokens)
                .windowLeft(config.windowLeft).windowRight(config.windowRight).path(AttentionPath.FUSED).build();
        return attend(allocator, x, band, Float.NaN).output();
    }

    /** Same without padding or global tokens. */
    public Tensor forward(SegmentAllocator allocator, Tensor x) {
        return forward(allocator, x, null, null);
    }

    public static SlidingWindowAttentionBuilder builder() {
        return new SlidingWindowAttentionBuilder();
    }
}
