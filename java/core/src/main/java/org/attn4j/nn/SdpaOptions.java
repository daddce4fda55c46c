package org.attn4j.nn;

import org.attn4j.Tensor;

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
public record SdpaOptions(Tensor attnMask, Tensor keyPaddingMask, boolean causal, float scale, long windowLeft,
                          long windowRight, Tensor globalTokens, boolean needWeights, AttentionPath path) {

    /** No mask, default scale, no weights, automatic path. */
    public static final SdpaOptions DEFAULT = builder().build();

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

    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link SdpaOptions}. */
    public static final class Builder extends AttentionOptionsBuilder<Builder> {
        private Builder() { // from builder() only
            super(false);
        }

        private boolean causal;
        private float scale = Float.NaN;
        private long windowLeft = -1;
        private long windowRight = -1;
        private Tensor globalTokens;

        public Builder causal(boolean causal) {
            this.causal = causal;
            return this;
        }

        public Builder scale(float scale) {
            this.scale = scale;
            return this;
        }

        /** Keys within {@code left} positions behind and {@code right} ahead of each query (negative = unbounded). */
        public Builder window(long left, long right) {
            this.windowLeft = left;
            this.windowRight = right;
            return this;
        }

        public Builder globalTokens(Tensor globalTokens) {
            this.globalTokens = globalTokens;
            return this;
        }

        public SdpaOptions build() {
            return new SdpaOptions(attnMask, keyPaddingMask, causal, scale, windowLeft, windowRight, globalTokens,
                    needWeights, path);
        }
    }
}
