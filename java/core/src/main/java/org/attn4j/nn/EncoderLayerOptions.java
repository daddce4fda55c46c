package org.attn4j.nn;

import org.attn4j.Tensor;

/**
 * Forward arguments of {@link TransformerEncoderLayer}, named as PyTorch names them; masks follow
 * nn.MultiheadAttention's conventions (boolean true = masked, float = added).
 *
 * @param srcMask           [S, S] or [b·nhead, S, S]; null = none
 * @param srcKeyPaddingMask [b, S] ([S] unbatched); null = none
 * @param isCausal          hide keys after each query (may stand alone, unlike PyTorch's hint)
 * @param path              how the self attention is computed (AUTO = fused)
 */
public record EncoderLayerOptions(Tensor srcMask, Tensor srcKeyPaddingMask, boolean isCausal, AttentionPath path) {
    /** No masks. */
    public static final EncoderLayerOptions DEFAULT = new EncoderLayerOptions(null, null, false, AttentionPath.AUTO);

    public EncoderLayerOptions {
        AttentionPath.check(path);
    }

    /** Masks only, automatic path. */
    public static EncoderLayerOptions of(Tensor srcMask, Tensor srcKeyPaddingMask) {
        return new EncoderLayerOptions(srcMask, srcKeyPaddingMask, false, AttentionPath.AUTO);
    }
}
