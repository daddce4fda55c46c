package org.attn4j.internal.layer;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.nn.Activation;

/** The feed-forward block of PyTorch's transformer layers: linear2(activation(linear1(x))). */
public final class TransformerFeedForward {
    private final Linear linear1; // d_model → dim_feedforward
    private final Linear linear2; // dim_feedforward → d_model
    private final Activation activation;

    public TransformerFeedForward(ParameterSource source, long dModel, long dimFeedforward, Activation activation) {
        this.linear1 = new Linear(source, "linear1", dModel, dimFeedforward, true);
        this.linear2 = new Linear(source, "linear2", dimFeedforward, dModel, true);
        this.activation = activation;
    }

    /** x [..., d_model] → [..., d_model] from {@code allocator}; the hidden layer from scratch. */
    public Tensor forward(Backend backend, TensorAllocator allocator, TensorAllocator scratch, Tensor x) {
        Tensor h = linear1.forward(backend, scratch, x); // [..., dim_feedforward]
        activation.apply(backend, h);
        return linear2.forward(backend, allocator, h);
    }
}
