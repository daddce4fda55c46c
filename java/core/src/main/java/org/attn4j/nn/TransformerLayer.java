package org.attn4j.nn;

import java.lang.foreign.Arena;
import org.attn4j.Backend;

/**
 * What PyTorch's two transformer layers share beyond their forward: one configuration record
 * and its accessors.
 */
public abstract class TransformerLayer extends ConfiguredModule<TransformerLayerConfig> {
    TransformerLayer(ModuleFactory<TransformerLayerConfig, ?> factory, TransformerLayerConfig config, Backend backend,
                     Arena weights) {
        super(factory, config, backend, weights);
    }

    public int dModel() {
        return config.dModel();
    }

    public int nhead() {
        return config.nhead();
    }

    public boolean normFirst() {
        return config.normFirst();
    }

    public Activation activation() {
        return config.activation();
    }
}
