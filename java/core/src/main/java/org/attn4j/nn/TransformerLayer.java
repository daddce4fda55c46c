package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.layer.MultiheadAttentionLayer;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.Scratch;
import org.attn4j.internal.module.TensorAllocator;

/**
 * What PyTorch's two transformer layers share beyond their forward: one configuration record,
 * its accessors, where results go and how one attention block is called.
 */
public abstract class TransformerLayer extends ConfiguredModule<TransformerLayerConfig> {
    /** self_attn.*: registered first, as both PyTorch layers do. */
    final MultiheadAttentionLayer selfAttn;

    TransformerLayer(TransformerLayerConfig config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights);
        int d = config.dModel();
        this.selfAttn = new MultiheadAttentionLayer(source.prefixed("self_attn."), d, config.nhead(), d, d, true);
    }

    /** Where the result [b, n, d] goes: scratch when {@link SequenceInputs#output} copies it out, else the caller's. */
    TensorAllocator results(Scratch scratch, SegmentAllocator allocator, boolean unbatched) {
        return SequenceInputs.needsCopy(config.batchFirst(), unbatched) ? scratch : TensorAllocator.of(allocator);
    }

    /** query attends to kv (kv used as both key and value, so the k/v projections share one product). */
    Tensor attend(MultiheadAttentionLayer attn, Scratch scratch, Tensor query, Tensor kv, Visibility vis, AttentionPath path) {
        return attn.forward(backend, scratch, scratch, query, kv, kv, vis, false, false, path).output();
    }
}
