package org.attn4j.nn;

import org.attn4j.Tensor;

/**
 * Optional arguments of a bidirectional forward pass, named as the PyTorch reference names
 * them.
 *
 * @param mask        BOOL [b, i], true = attend; null = all true
 * @param contextMask BOOL [b, j], true = attend; null = all true
 * @param relPosBias  F32, broadcastable to [b, h, i, j] (e.g. [h, i, j]); null = none
 * @param returnAttn  also return attn and contextAttn, both [b, h, i, j]
 * @param path        how attention is computed (AUTO picks the fused kernel unless returnAttn)
 */
public record BidirectionalOptions(Tensor mask, Tensor contextMask, Tensor relPosBias, boolean returnAttn,
                             AttentionPath path) {

    /** No masks, no bias, no attention weights, automatic path. */
    public static final BidirectionalOptions DEFAULT = builder().build();

    public BidirectionalOptions {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null (use AttentionPath.AUTO)");
        }
        if (returnAttn && path == AttentionPath.FUSED) {
            throw new IllegalArgumentException("returnAttn needs the MATERIALISED (or AUTO) path: the fused kernel never holds attn");
        }
    }

    /** The path this forward takes. */
    public AttentionPath resolvedPath() {
        return path != AttentionPath.AUTO ? path : returnAttn ? AttentionPath.MATERIALISED : AttentionPath.FUSED;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder of {@link BidirectionalOptions}. */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        private Tensor mask;
        private Tensor contextMask;
        private Tensor relPosBias;
        private boolean returnAttn;
        private AttentionPath path = AttentionPath.AUTO;

        public Builder mask(Tensor mask) {
            this.mask = mask;
            return this;
        }

        public Builder contextMask(Tensor contextMask) {
            this.contextMask = contextMask;
            return this;
        }

        public Builder relPosBias(Tensor relPosBias) {
            this.relPosBias = relPosBias;
            return this;
        }

        public Builder returnAttn(boolean returnAttn) {
            this.returnAttn = returnAttn;
            return this;
        }

        public Builder path(AttentionPath path) {
            this.path = path;
            return this;
        }

        public BidirectionalOptions build() {
            return new BidirectionalOptions(mask, contextMask, relPosBias, returnAttn, path);
        }
    }
}
