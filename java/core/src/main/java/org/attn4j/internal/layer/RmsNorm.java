package org.attn4j.internal.layer;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.module.Init;
import org.attn4j.internal.module.Parameter;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;

/** RMSNorm over the last axis, y = x / sqrt(mean(x²) + eps) · weight, eps = float32 epsilon as in the reference. */
public final class RmsNorm {
    /** torch.finfo(torch.float32).eps, what nn.RMSNorm uses when eps is not given. */
    public static final float EPS = Math.ulp(1.0f);

    public final Parameter weight; // [dim]
    private final String name;

    public RmsNorm(ParameterSource source, String name, long dim) {
        this.name = name;
        this.weight = source.get(name + ".weight", new long[] {dim}, Init.ones());
    }

    /** x [..., dim] → a new tensor of the same shape from {@code allocator}. */
    public Tensor forward(Backend backend, TensorAllocator allocator, Tensor x) {
        Tensor y = allocator.allocate(x.shape());
        backend.rmsNorm(x, weight.get(), EPS, y);
        return y;
    }
}
