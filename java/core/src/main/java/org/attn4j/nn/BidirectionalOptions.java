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
 * @param path        how attention is computed (AUTO: by the shape, see {@link #pathFor})
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

    /** AUTO materialises when one (b, h) slice has at most this many scores (i·j), ... */
    public static final long MATERIALISED_MAX_SLICE_SCORES = 1L << 16;
    /** ... and the whole [b, h, i, j] matrix at most this many (64 MiB each of attn and contextAttn). */
    public static final long MATERIALISED_MAX_SCORES = 1L << 24;

    /**
     * The path a forward of x [batch, i, dim] against context [batch, j, contextDim] with
     * {@code heads} heads takes: FUSED or MATERIALISED as asked; AUTO takes MATERIALISED when
     * attention weights are returned, or when each (b, h) slice has at most
     * {@value #MATERIALISED_MAX_SLICE_SCORES} scores and the whole matrix at most
     * {@value #MATERIALISED_MAX_SCORES}; FUSED otherwise.
     *
     * <p>Why: the fused kernel works in tiles of 256 × 128 scores and packs and rescales per
     * tile; a slice of at most two tiles' scores (256 KiB, still in L2 between the matmul and
     * the softmaxes) is cheaper materialised. One run of {@code ./attn4j bench} (load ≈ 12):
     * materialised 0.69 against fused 0.85 ms at 16 × 16, 493 against 592 ms at 1 × 8192, 244
     * against 281 ms at batch 32 × 64 × 96; fused wins from 256 × 512 (131,072 per slice) up.
     */
    public AttentionPath pathFor(long batch, long heads, long i, long j) {
        if (path != AttentionPath.AUTO) {
            return path;
        }
        if (returnAttn) {
            return AttentionPath.MATERIALISED;
        }
        long slice = i * j; // i, j < 2^31 (tensor dims): no overflow
        boolean small = slice <= MATERIALISED_MAX_SLICE_SCORES
                && batch * heads <= MATERIALISED_MAX_SCORES / Math.max(1, slice);
        return small ? AttentionPath.MATERIALISED : AttentionPath.FUSED;
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
