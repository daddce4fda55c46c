package org.attn4j.internal.module;



/**
 * Where a module's parameters come from: a state dict being loaded (checked by name and shape)
 * or fresh PyTorch-style initialisation. Modules ask for each parameter once, by its PyTorch
 * state-dict name, so loading and building share one code path.
 */
public interface ParameterSource {
    /** The F32 contiguous parameter {@code name} of exactly {@code shape}, registered with its module. */
    Parameter get(String name, long[] shape, Init init);

    /** This source with {@code prefix} put before every name ("layers.0.0."). */
    default ParameterSource prefixed(String prefix) {
        ParameterSource outer = this;
        return (name, shape, init) -> outer.get(prefix + name, shape, init);
    }
}
