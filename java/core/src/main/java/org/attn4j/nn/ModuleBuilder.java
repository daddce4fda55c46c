package org.attn4j.nn;

import java.util.HashMap;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;

/**
 * The builder of every module: setters (in each module's {@code XBuilder}, written from its
 * configuration record by attn4j-processor, java/processor) fill in that
 * record, unset components take their defaults, and the four {@code build}
 * methods make the module fresh from a seed or over a state dict. A builder may be changed and
 * built again; a built module keeps the configuration it was built with.
 *
 * @param <C> the configuration record
 * @param <M> the module
 * @param <B> the concrete builder (setters return it)
 */
public abstract class ModuleBuilder<C extends Record, M extends Module, B extends ModuleBuilder<C, M, B>> {
    private final ModuleFactory<C, M> factory;
    private final Map<String, Object> values = new HashMap<>();

    ModuleBuilder(ModuleFactory<C, M> factory) {
        this.factory = factory;
    }

    /** Sets the record component {@code component} (its Java name) to {@code value}. */
    @SuppressWarnings("unchecked")
    final B set(String component, Object value) {
        if (!factory.codec.has(component)) {
            throw new IllegalStateException(factory.className + ".Config has no component " + component);
        }
        values.put(component, value);
        return (B) this;
    }

    /** The configuration as set so far, defaults filled in; IllegalArgumentException names a bad or missing value. */
    public C config() {
        return factory.codec.create(values);
    }

    /** A fresh module initialised as PyTorch initialises one, from {@code seed}. */
    public M build(Backend backend, long seed) {
        return factory.fresh(config(), backend, seed);
    }

    /** A fresh module on the default backend. */
    public M build(long seed) {
        return build(Backends.defaultBackend(), seed);
    }

    /**
     * A module over a PyTorch state dict (by its names). F32 contiguous tensors are used in place,
     * so the caller keeps their arena alive as long as the module; others are converted.
     */
    public M build(Backend backend, Map<String, Tensor> stateDict) {
        return factory.fromStateDict(config(), backend, stateDict);
    }

    /** A module over a PyTorch state dict, on the default backend. */
    public M build(Map<String, Tensor> stateDict) {
        return build(Backends.defaultBackend(), stateDict);
    }
}
