package org.attn4j.nn;

import org.attn4j.Tensor;

/**
 * Forward arguments of {@link TransformerDecoderLayer}, named as PyTorch names them; masks follow
 * nn.MultiheadAttention's conventions (boolean true = masked, float = added).
 *
 * @param tgtMask              [T, T] or [b·nhead, T, T]; null = none
 * @param memoryMask           [T, S] or [b·nhead, T, S]; null = none
 * @param tgtKeyPaddingMask    [b, T] ([T] unbatched); null = none
 * @param memoryKeyPaddingMask [b, S] ([S] unbatched); null = none
 * @param tgtIsCausal          hide later targets in the self attention
 * @param memoryIsCausal       hide later memory positions in the cross attention
 * @param path                 how both attentions are computed (AUTO = fused)
 */
public record DecoderLayerOptions(Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                                  Tensor memoryKeyPaddingMask, boolean tgtIsCausal, boolean memoryIsCausal,
                                  AttentionPath path) {
    /** No masks. */
    public static final DecoderLayerOptions DEFAULT = new DecoderLayerOptions(null, null, null, null, false, false,
            AttentionPath.AUTO);

    public DecoderLayerOptions {
        AttentionPath.check(path);
    }

    /** The four masks of PyTorch's forward, automatic path. */
    public static DecoderLayerOptions of(Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                                         Tensor memoryKeyPaddingMask) {
        return new DecoderLayerOptions(tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, false, false,
                AttentionPath.AUTO);
    }
}
