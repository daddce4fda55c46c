package org.attn4j.nn;

import org.attn4j.Tensor;
import org.attn4j.internal.module.OptionsBuilder;

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
@OptionsBuilder
public record BidirectionalOptions(Tensor mask, Tensor contextMask, Tensor relPosBias, boolean returnAttn,
                             AttentionPath path) {

    /** No masks, no bias, no attention weights, automatic path. */
    public static final BidirectionalOptions DEFAULT = new BidirectionalOptions(null, null, null, false, AttentionPath.AUTO);

    public BidirectionalOptions {
        AttentionPath.check(path, returnAttn, "returnAttn", "attn");
    }

    /** AUTO materialises when one (b, h) slice has at most this many scores (i·j), ... */
    public static final long MATERIALISED_MAX_SLICE_SCORES = 1L << 16;
    /** ... and the whole [b, h, i, j] matrix at most this many (1 MiB each of attn and contextAttn), ... */
    public static final long MATERIALISED_MAX_SCORES = 1L << 18;
    /** ... and the longer of i and j is at least this long (a thin slice). */
    public static final long MATERIALISED_MIN_LONG_SIDE = 2048;

    /**
     * The path a forward of x [batch, i, dim] against context [batch, j, contextDim] with
     * {@code heads} heads takes: FUSED or MATERIALISED as asked; AUTO takes MATERIALISED when
     * attention weights are returned, or for thin slices: each (b, h) slice at most
     * {@value #MATERIALISED_MAX_SLICE_SCORES} scores, the whole matrix at most
     * {@value #MATERIALISED_MAX_SCORES}, and i or j at least {@value #MATERIALISED_MIN_LONG_SIDE};
     * FUSED otherwise.
     *
     * <p>Why: the fused kernel works in tiles of 256 × 128 scores and packs and rescales per
     * tile; when one side is a few rows against thousands, its tiles run nearly empty and the
     * materialised scores, which stay in L2 between the matmul and the softmaxes, are cheaper.
     * Measured (./attn4j bench --contenders attn4j, 2 threads, AVX-512, medians of 40 after 1 s of
     * warm-up, ms, fused / materialised): 16 × 16 0.245 / 0.311, 32 × 32 0.33 / 0.54,
     * 64 × 96 1.04 / 1.05, 128 × 128 1.57 / 1.69; 16 × 2048 10.4 / 8.5, 8 × 4096 17.0 / 16.4,
     * 2 × 8192 34.8 / 32.2; from batch 32 × 64 × 96 (1.5 Mi scores) and 256 × 512 (1 Mi) the
     * fused kernel wins whatever the sides (69.5 against 98.7 ms, 12 against 30 ms).
     */
    public AttentionPath pathFor(long batch, long heads, long i, long j) {
        if (path != AttentionPath.AUTO) {
            return path;
        }
        if (returnAttn) {
            return AttentionPath.MATERIALISED;
        }
        long slice = i * j; // i, j < 2^31 (tensor dims): no overflow
        boolean thin = slice <= MATERIALISED_MAX_SLICE_SCORES
                && batch * heads <= MATERIALISED_MAX_SCORES / Math.max(1, slice)
                && Math.max(i, j) >= MATERIALISED_MIN_LONG_SIDE;
        return thin ? AttentionPath.MATERIALISED : AttentionPath.FUSED;
    }

    /** A builder starting from {@link #DEFAULT}. */
    public static BidirectionalOptionsBuilder builder() {
        return new BidirectionalOptionsBuilder(DEFAULT);
    }
}
