package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.layer.QkvAttentionLayer;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.TensorAllocator;

/**
 * Self attention from one packed projection ({@code to_qkv}, {@code to_out}; optional rotary
 * embeddings): {@link FusedQkvAttention}, {@link SlidingWindowAttention} and
 * {@link CosineSimilarityAttention}, which differ in their masks and scores only.
 *
 * @param <C> the configuration record
 */
public abstract class PackedAttention<C extends Record> extends ConfiguredModule<C> {
    private final QkvAttentionLayer layer;

    PackedAttention(C config, Backend backend, Arena weights, QkvAttentionLayer layer) {
        super(config, backend, weights);
        this.layer = layer;
    }

    /**
     * x [b, n, dim] → output [b, n, dim] (and weights [b, heads, n, n] with needWeights) from
     * {@code allocator}, masked as SDPA's {@code options} say; {@code scale} NaN: 1/√dimHead.
     */
    final AttentionOutput attend(SegmentAllocator allocator, Tensor x, SdpaOptions options, float scale) {
        return call(scratch -> {
            Tensor in = SequenceInputs.sequence("x", x, layer.dim, true, false, scratch.arena());
            Visibility vis = Masks.sdpa(options, in.shape(0), layer.heads, in.shape(1), in.shape(1), scratch.arena());
            return layer.forward(backend, TensorAllocator.of(allocator), scratch, in, vis, scale, options.needWeights(),
                    options.path());
        });
    }
}
