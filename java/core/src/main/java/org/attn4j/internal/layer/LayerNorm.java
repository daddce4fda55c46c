package org.attn4j.internal.layer;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.module.Init;
import org.attn4j.internal.module.Parameter;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;

/** PyTorch LayerNorm over the last axis with weight and bias ({name}.weight, {name}.bias; fresh: ones and zeros). */
public final class LayerNorm {
    public final Parameter weight; // [dim]
    public final Parameter bias;   // [dim]
    public final float eps;
    private final String name;

    public LayerNorm(ParameterSource source, String name, long dim, float eps) {
        this.name = name;
        this.eps = eps;
        this.weight = source.get(name + ".weight", new long[] {dim}, Init.ones());
        this.bias = source.get(name + ".bias", new long[] {dim}, MultiheadAttentionLayer.ZEROS);
    }

    /** x [..., dim] → a new tensor of the same shape from {@code allocator}. */
    public Tensor forward(Backend backend, TensorAllocator allocator, Tensor x) {
        Tensor y = allocator.allocate(x.shape());
        backend.layerNorm(x, weight.get(), bias.get(), eps, y);
        return y;
    }

    /** In place: x = LayerNorm(x). */
    public void apply(Backend backend, Tensor x) {
        backend.layerNorm(x, weight.get(), bias.get(), eps, x);
    }
}
