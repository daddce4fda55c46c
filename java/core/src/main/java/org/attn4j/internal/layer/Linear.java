package org.attn4j.internal.layer;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.module.Init;
import org.attn4j.internal.module.Parameter;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;

/** PyTorch Linear: y[..., out] = x[..., in] · weight[out, in]ᵀ + bias[out] (bias optional). */
public final class Linear {
    public final Parameter weight; // [out, in]
    public final Parameter bias;   // [out] or null
    private final Tensor packed;   // weight's copy packed for the module's backend (products of few rows), or null
    private final String name;

    public Linear(ParameterSource source, String name, long in, long out, boolean withBias) {
        this.name = name;
        this.weight = source.get(name + ".weight", new long[] {out, in}, Init.uniformFanIn(in));
        this.bias = withBias ? source.get(name + ".bias", new long[] {out}, Init.uniformFanIn(in)) : null;
        this.packed = weight.packedLinear();
    }

    public long in() {
        return weight.shape()[1];
    }

    public long out() {
        return weight.shape()[0];
    }

    /** x [..., in] → a new [..., out] from {@code allocator}. */
    public Tensor forward(Backend backend, TensorAllocator allocator, Tensor x) {
        long[] shape = x.shape();
        shape[shape.length - 1] = out();
        Tensor y = allocator.allocate(shape);
        backend.linear(x, weight.get(), packed, Parameter.read(bias), y);
        return y;
    }
}
