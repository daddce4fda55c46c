package org.attn4j.internal.tensor;

import org.attn4j.Tensor;

/**
 * Views that split channels into attention heads, head-major as PyTorch splits them (channel
 * c = head·d + k). Views only: nothing is copied.
 */
public final class Heads {
    private Heads() {
    }

    /** [b, n, h·d] (channels contiguous) → the [b, h, n, d] view. */
    public static Tensor split(Tensor t, long heads, long dimHead) {
        return t.reshape(t.shape(0), t.shape(1), heads, dimHead).permute(0, 2, 1, 3);
    }

    /**
     * A packed projection [b, n, parts·h·d] (q, k, v one after another) → the [parts, b, h, n, d]
     * view; select(0, p) gives part p as [b, h, n, d].
     */
    public static Tensor splitPacked(Tensor t, int parts, long heads, long dimHead) {
        return t.reshape(t.shape(0), t.shape(1), parts, heads, dimHead).permute(2, 0, 3, 1, 4);
    }
}
