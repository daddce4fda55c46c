package org.attn4j.internal.module;

import org.attn4j.Tensor;

/**
 * One registered parameter of a module. {@link #get()} hands out the tensor only while a call of
 * its module is running, so a module that computes outside the protocol (and could race a close
 * that frees the weights) fails loudly with IllegalStateException instead of crashing later.
 */
public final class Parameter {
    private final String name;
    private final Tensor tensor;
    private final ModuleArena owner;

    Parameter(String name, Tensor tensor, ModuleArena owner) {
        this.name = name;
        this.tensor = tensor;
        this.owner = owner;
    }

    /** The tensor; IllegalStateException when no call of the owning module is running. */
    public Tensor get() {
        owner.requireEntered(name);
        return tensor;
    }

    /**
     * This [out, in] weight's copy packed for its module's backend (Backend.packLinearWeight),
     * made now from its values now, in the module's arena (freed with the weights); null where
     * the backend reads weights as they are. For a layer's construction: a forward reads the copy
     * beside {@link #get()}, which guards both.
     */
    public Tensor packedLinear() {
        return owner.packLinear(tensor);
    }

    /** {@code p.get()}, or null for an absent optional parameter. */
    public static Tensor read(Parameter p) {
        return p == null ? null : p.get();
    }

    /** The state-dict name. */
    public String name() {
        return name;
    }

    /** The shape, readable at any time (configuration, not weights). */
    public long[] shape() {
        return tensor.shape();
    }
}
