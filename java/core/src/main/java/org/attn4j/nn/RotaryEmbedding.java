package org.attn4j.nn;

import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.tensor.Shapes;

/**
 * Rotary position embeddings (RoFormer, Su et al. 2021) applied to queries and keys: channel
 * pairs of the first {@code rotaryDim} channels turn by position · theta^(−2p / rotaryDim), so
 * that q·k depends on the positions' difference only. Two pairings, as the two families of
 * PyTorch implementations use them: rotate-half (p, p + rotaryDim/2; GPT-NeoX, LLaMA) and
 * interleaved (2p, 2p + 1; RoFormer, GPT-J, lucidrains' rotary-embedding-torch). Frequencies and
 * angles are float32, as those implementations compute them. Immutable; no weights.
 *
 * @param rotaryDim   channels rotated (even; the rest pass through)
 * @param theta       the base (10000 in the paper)
 * @param interleaved pairs (2p, 2p + 1) instead of (p, p + rotaryDim/2)
 */
public record RotaryEmbedding(int rotaryDim, @Default("10000") double theta, @Default("false") boolean interleaved) {

    public RotaryEmbedding {
        if (rotaryDim < 2 || rotaryDim % 2 != 0) {
            throw new IllegalArgumentException("rotaryDim: expected an even value >= 2, got " + rotaryDim);
        }
        if (!(theta > 1) || !Double.isFinite(theta)) {
            throw new IllegalArgumentException("theta: expected a finite value > 1, got " + theta);
        }
    }

    /** Rotate-half pairing with theta 10000. */
    public static RotaryEmbedding of(int rotaryDim) {
        return new RotaryEmbedding(rotaryDim, 10000, false);
    }

    /**
     * x [b, h, n, d] (F32, F16 or BF16; d ≥ rotaryDim) with row n at position offset + n → a new
     * rotated tensor from {@code allocator}. Apply it to q and to k (with their own offsets when
     * decoding with a cache).
     */
    public Tensor rotate(Backend backend, SegmentAllocator allocator, Tensor x, long offset) {
        if (backend == null || allocator == null || x == null) {
            throw new IllegalArgumentException("backend, allocator and x must not be null");
        }
        Checks.alive(x, "x");
        if (x.rank() != 4 || x.shape(3) < rotaryDim) {
            throw new IllegalArgumentException("x: expected shape [b, h, n, d] with d >= rotaryDim (" + rotaryDim + "), got "
                    + Shapes.toString(x.shape()));
        }
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("x: expected dtype F32, F16 or BF16, got " + x.dtype());
        }
        Tensor in = x.dtype() == DType.F32 && x.segment().address() % 4 == 0 ? x : x.to(DType.F32, allocator);
        Tensor y = Tensor.zeros(allocator, DType.F32, x.shape());
        backend.rope(in, rotaryDim, offset, theta, interleaved, y);
        return y;
    }

    /** In place on an F32 [b, h, n, d] view (positions 0..n−1). */
    public void applyInPlace(Backend backend, Tensor x) {
        backend.rope(x, rotaryDim, 0, theta, interleaved, x);
    }
}
