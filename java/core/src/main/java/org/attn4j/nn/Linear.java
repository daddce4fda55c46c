package org.attn4j.nn;

import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Tensor;

/** PyTorch Linear: y[..., out] = x[..., in] · weight[out, in]ᵀ + bias[out] (bias optional). */
final class Linear {
    final Tensor weight; // [out, in]
    final Tensor bias;   // [out] or null
    private final String name;

    Linear(ParameterSource source, String name, long in, long out, boolean withBias) {
        this.name = name;
        this.weight = source.get(name + ".weight", new long[] {out, in}, Init.uniformFanIn(in));
        this.bias = withBias ? source.get(name + ".bias", new long[] {out}, Init.uniformFanIn(in)) : null;
    }

    long in() {
        return weight.shape(1);
    }

    long out() {
        return weight.shape(0);
    }

    /** x [..., in] → a new [..., out] from {@code allocator}. */
    Tensor forward(Backend backend, TensorAllocator allocator, Tensor x) {
        long[] shape = x.shape();
        shape[shape.length - 1] = out();
        Tensor y = allocator.allocate(shape);
        backend.linear(x, weight, bias, y);
        return y;
    }

    void collect(Map<String, Tensor> stateDict) {
        stateDict.put(name + ".weight", weight);
        if (bias != null) {
            stateDict.put(name + ".bias", bias);
        }
    }
}
