package org.attn4j.nn;

import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Tensor;

/** PyTorch LayerNorm over the last axis with weight and bias ({name}.weight, {name}.bias; fresh: ones and zeros). */
final class LayerNorm {
    final Tensor weight; // [dim]
    final Tensor bias;   // [dim]
    final float eps;
    private final String name;

    LayerNorm(ParameterSource source, String name, long dim, float eps) {
        this.name = name;
        this.eps = eps;
        this.weight = source.get(name + ".weight", new long[] {dim}, Init.ones());
        this.bias = source.get(name + ".bias", new long[] {dim}, MultiheadAttentionLayer.ZEROS);
    }

    /** x [..., dim] → a new tensor of the same shape from {@code allocator}. */
    Tensor forward(Backend backend, TensorAllocator allocator, Tensor x) {
        Tensor y = allocator.allocate(x.shape());
        backend.layerNorm(x, weight, bias, eps, y);
        return y;
    }

    /** In place: x = LayerNorm(x). */
    void apply(Backend backend, Tensor x) {
        backend.layerNorm(x, weight, bias, eps, x);
    }

    void collect(Map<String, Tensor> stateDict) {
        stateDict.put(name + ".weight", weight);
        stateDict.put(name + ".bias", bias);
    }
}
