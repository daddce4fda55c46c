package org.attn4j.internal.layer;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;

/**
 * nn.Sequential(LayerNorm(d), Linear(d, ⌊d·mult⌋), GELU, Linear(⌊d·mult⌋, d)): state-dict keys
 * {prefix}0.*, {prefix}1.*, {prefix}3.*.
 */
public final class LayerNormFeedForward {
    private final LayerNorm norm;
    private final Linear up;
    private final Linear down;

    public LayerNormFeedForward(ParameterSource source, String prefix, long dim, double mult) {
        long hidden = (long) (dim * mult);
        if (hidden < 1) {
            throw new IllegalArgumentException("ff_mult: expected dim·mult >= 1, got " + dim + "·" + mult);
        }
        this.norm = new LayerNorm(source, prefix + "0", dim, 1e-5f);
        this.up = new Linear(source, prefix + "1", dim, hidden, true);
        this.down = new Linear(source, prefix + "3", hidden, dim, true);
    }

    /** x [..., dim] → ff(x) [..., dim] from {@code allocator}; intermediates from scratch. */
    public Tensor forward(Backend backend, TensorAllocator allocator, TensorAllocator scratch, Tensor x) {
        Tensor h = up.forward(backend, scratch, norm.forward(backend, scratch, x));
        backend.gelu(h, h);
        return down.forward(backend, allocator, h);
    }
}
