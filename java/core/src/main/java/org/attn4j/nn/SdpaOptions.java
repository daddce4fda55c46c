package org.attn4j.nn;

import org.attn4j.Tensor;
import org.attn4j.internal.module.OptionsBuilder;

/**
 * Optional arguments of {@link ScaledDotProductAttention}, with the conventions of PyTorch's
 * {@code F.scaled_dot_product_attention}: a boolean mask says true = take part in attention, a
 * float mask is added to the scores.
 *
 * @param attnMask       BOOL (true = attend) or float (added), [i, j], [b, i, j] or [b, h, i, j]
 *                       (dims of 1 broadcast); null = none
 * @param keyPaddingMask BOOL [b, j], true = attend (false marks padding); null = none
 * @param causal         query i sees keys 0..i only (top-left aligned when i ≠ j, as PyTorch's is_causal)
 * @param scale          multiplies q·kᵀ; NaN = 1/√d
 * @param windowLeft     query i sees keys j ≥ i − windowLeft; negative = unbounded
 * @param windowRight    query i sees keys j ≤ i + windowRight; negative = unbounded
 * @param globalTokens   BOOL [b, n] (self attention only): global positions attend to, and are seen
 *                       by, every position whatever the window (Longformer); null = none
 * @param needWeights    also return the weights [b, h, i, j] (takes the materialised path)
 * @param path           AUTO: the fused kernel unless weights are wanted
 */
@OptionsBuilder
public record SdpaOptions(Tensor attnMask, Tensor keyPaddingMask, boolean causal, float scale, long windowLeft,
                          long windowRight, Tensor globalTokens, boolean needWeights, AttentionPath path) {

    /** No mask, default scale, no weights, automatic path. */
    public static final SdpaOptions DEFAULT = new SdpaOptions(null, null, false, Float.NaN, -1, -1, null, false,
            AttentionPath.AUTO);

    public SdpaOptions {
        AttentionPath.check(path, needWeights, "needWeights", "the weights");
        if (causal && globalTokens != null) {
            // Global tokens see and are seen past the window; with causal that would leak the future.
            throw new IllegalArgumentException("globalTokens: expected null with causal (global positions would see later ones)");
        }
        if (!Float.isNaN(scale) && !Float.isFinite(scale)) {
            throw new IllegalArgumentException("scale: expected a finite value (or NaN for 1/sqrt(d)), got " + scale);
        }
    }

    /** The scale this forward uses for head size {@code d}. */
    float resolvedScale(long d) {
        return Float.isNaN(scale) ? (float) (1.0 / Math.sqrt(d)) : scale;
    }

    /** A builder starting from {@link #DEFAULT}. */
    public static SdpaOptionsBuilder builder() {
        return new SdpaOptionsBuilder(DEFAULT);
    }
}
