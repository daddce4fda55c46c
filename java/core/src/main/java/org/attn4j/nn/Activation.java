package org.attn4j.nn;

import org.attn4j.Backend;
import org.attn4j.Tensor;

/** The feed-forward activations of PyTorch's transformer layers, by their PyTorch names. */
public enum Activation {
    /** max(x, 0): PyTorch's default. */
    RELU("relu"),
    /** The exact (erf) GELU, as F.gelu. */
    GELU("gelu");

    private final String torchName;

    Activation(String torchName) {
        this.torchName = torchName;
    }

    /** "relu" or "gelu". */
    public String torchName() {
        return torchName;
    }

    /** The activation PyTorch calls {@code name}. */
    public static Activation of(String name) {
        for (Activation a : values()) {
            if (a.torchName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("activation: expected \"relu\" or \"gelu\", got \"" + name + "\"");
    }

    /** In place on x. */
    public void apply(Backend backend, Tensor x) {
        switch (this) {
            case RELU -> backend.relu(x, x);
            case GELU -> backend.gelu(x, x);
        }
    }
}
