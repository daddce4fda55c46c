package org.attn4j.internal.layer;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;

/**
 * The reference transformer's feed-forward, nn.Sequential(RMSNorm, Linear(d, ⌊d·mult⌋), GELU,
 * Dropout, Linear(⌊d·mult⌋, d)): state-dict keys {prefix}0.weight, {prefix}1.*, {prefix}3.*.
 */
public final class FeedForward {
    private final RmsNorm norm;
    private final Linear up;
    private final Linear down;

    public FeedForward(ParameterSource source, String prefix, long dim, double mult) {
        long hidden = (long) (dim * mult); // int(dim * mult) in the reference: truncation
        if (hidden < 1) {
            throw new IllegalArgumentException("ff_expansion_factor: expected dim·factor >= 1, got " + dim + "·" + mult);
        }
        this.norm = new RmsNorm(source, prefix + "0", dim);
        this.up = new Linear(source, prefix + "1", dim, hidden, true);
        this.down = new Linear(source, prefix + "3", hidden, dim, true);
    }

    /** x [..., dim] → ff(x) [..., dim], every intermediate from {@code scratch}. */
    public Tensor forward(Backend backend, TensorAllocator scratch, Tensor x) {
        Tensor h = up.forward(backend, scratch, norm.forward(backend, scratch, x)); // [..., hidden]
        backend.gelu(h, h);
        return down.forward(backend, scratch, h);
    }
}
