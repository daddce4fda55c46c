package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.layer.LayerNorm;
import org.attn4j.internal.layer.MultiheadAttentionLayer;
import org.attn4j.internal.layer.TransformerFeedForward;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.internal.tensor.Shapes;

/**
 * PyTorch's {@code nn.TransformerDecoderLayer} (inference): self attention over the target,
 * cross attention to the memory, and a feed-forward, each with a residual and LayerNorm after
 * (post-norm, the default) or before (norm_first) the block. Loads PyTorch's state dict
 * ({@code self_attn.*}, {@code multihead_attn.*}, {@code linear1/2.*}, {@code norm1/2/3.*}).
 * Masks follow nn.MultiheadAttention's conventions. Thread-safe; owns its weights.
 */
public final class TransformerDecoderLayer extends TransformerLayer {
    /** PyTorch's class name, as in safetensors {@code __metadata__.class}. */
    public static final String CLASS_NAME = "TransformerDecoderLayer";

    private final MultiheadAttentionLayer crossAttn;
    private final TransformerFeedForward ff;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final LayerNorm norm3;

    TransformerDecoderLayer(TransformerLayerConfig config, ParameterSource source, Backend backend, Arena weights) {
        super(config, source, backend, weights);
        int d = config.dModel();
        this.crossAttn = new MultiheadAttentionLayer(source.prefixed("multihead_attn."), d, config.nhead(), d, d, true);
        this.ff = new TransformerFeedForward(source, d, config.dimFeedforward(), config.activation());
        this.norm1 = new LayerNorm(source, "norm1", d, config.layerNormEps());
        this.norm2 = new LayerNorm(source, "norm2", d, config.layerNormEps());
        this.norm3 = new LayerNorm(source, "norm3", d, config.layerNormEps());
    }

    /**
     * tgt [b, T, d_model] and memory [b, S, d_model] ([T, b, ...] when batch_first is false;
     * [T, d_model] and [S, d_model] unbatched) → the layer's output shaped as tgt, from
     * {@code allocator}.
     */
    public Tensor forward(SegmentAllocator allocator, Tensor tgt, Tensor memory, DecoderLayerOptions options) {
        Checks.required(allocator, options, "allocator and options must not be null (use DecoderLayerOptions.DEFAULT)");
        return call(scratch -> {
            Arena arena = scratch.arena();
            boolean unbatched = tgt != null && tgt.rank() == 2;
            int d = config.dModel();
            Tensor x = SequenceInputs.sequence("tgt", tgt, d, config.batchFirst(), unbatched, arena);       // [b, T, d]
            Tensor mem = SequenceInputs.sequence("memory", memory, d, config.batchFirst(), unbatched, arena); // [b, S, d]
            long b = x.shape(0);
            long t = x.shape(1);
            long s = mem.shape(1);
            if (mem.shape(0) != b) {
                throw new IllegalArgumentException("memory: expected batch " + b + " (as tgt), got " + Shapes.toString(memory.shape()));
            }
            Visibility selfVis = Masks.torch(options.tgtMask(), options.tgtKeyPaddingMask(), unbatched, options.tgtIsCausal(),
                    b, config.nhead(), t, t, arena, "tgt_mask", "tgt_key_padding_mask");
            Visibility crossVis = Masks.torch(options.memoryMask(), options.memoryKeyPaddingMask(), unbatched,
                    options.memoryIsCausal(), b, config.nhead(), t, s, arena, "memory_mask", "memory_key_padding_mask");
            AttentionPath path = options.path();
            TensorAllocator out = results(scratch, allocator, unbatched);
            Tensor y = out.allocate(b, t, d);
            Tensor x1 = scratch.allocate(b, t, d);
            Tensor x2 = scratch.allocate(b, t, d);
            if (config.normFirst()) {
                Tensor n1 = norm1.forward(backend, scratch, x);
                backend.add(x, attend(selfAttn, scratch, n1, n1, selfVis, path), x1);
                backend.add(x1, attend(crossAttn, scratch, norm2.forward(backend, scratch, x1), mem, crossVis, path), x2);
                backend.add(x2, ff.forward(backend, scratch, scratch, norm3.forward(backend, scratch, x2)), y);
            } else {
                backend.add(x, attend(selfAttn, scratch, x, x, selfVis, path), x1);
                norm1.apply(backend, x1);
                backend.add(x1, attend(crossAttn, scratch, x1, mem, crossVis, path), x2);
                norm2.apply(backend, x2);
                backend.add(x2, ff.forward(backend, scratch, scratch, x2), y);
                norm3.apply(backend, y);
            }
            return SequenceInputs.output(y, config.batchFirst(), unbatched, allocator);
        });
    }

    /** Same without masks. */
    public Tensor forward(SegmentAllocator allocator, Tensor tgt, Tensor memory) {
        return forward(allocator, tgt, memory, DecoderLayerOptions.DEFAULT);
    }

    public static TransformerDecoderLayerBuilder builder() {
        return new TransformerDecoderLayerBuilder();
    }
}
