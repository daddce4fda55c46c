package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.layer.LayerNorm;
import org.attn4j.internal.layer.TransformerFeedForward;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;

/**
 * PyTorch's {@code nn.TransformerEncoderLayer} (inference): self attention and a feed-forward,
 * each with a residual and LayerNorm, after (post-norm, the default) or before (norm_first) the
 * block. Loads PyTorch's state dict ({@code self_attn.*}, {@code linear1.*}, {@code linear2.*},
 * {@code norm1.*}, {@code norm2.*}). Masks follow nn.MultiheadAttention's conventions. Thread-safe;
 * owns its weights.
 */
public final class TransformerEncoderLayer extends TransformerLayer {
    /** PyTorch's class name, as in safetensors {@code __metadata__.class}. */
    public static final String CLASS_NAME = "TransformerEncoderLayer";

    private final TransformerFeedForward ff;
    private final LayerNorm norm1;
    private final LayerNorm norm2;

    TransformerEncoderLayer(TransformerLayerConfig config, ParameterSource source, Backend backend, Arena weights) {
        super(config, source, backend, weights);
        this.ff = new TransformerFeedForward(source, config.dModel(), config.dimFeedforward(), config.activation());
        this.norm1 = new LayerNorm(source, "norm1", config.dModel(), config.layerNormEps());
        this.norm2 = new LayerNorm(source, "norm2", config.dModel(), config.layerNormEps());
    }

    /**
     * src [b, S, d_model] ([S, b, d_model] when batch_first is false, [S, d_model] unbatched) →
     * the layer's output in the same layout, from {@code allocator}.
     */
    public Tensor forward(SegmentAllocator allocator, Tensor src, EncoderLayerOptions options) {
        Checks.required(allocator, options, "allocator and options must not be null (use EncoderLayerOptions.DEFAULT)");
        return call(scratch -> {
            Arena arena = scratch.arena();
            boolean unbatched = src != null && src.rank() == 2;
            Tensor x = SequenceInputs.sequence("src", src, config.dModel(), config.batchFirst(), unbatched, arena); // [b, S, d]
            long b = x.shape(0);
            long s = x.shape(1);
            Visibility vis = Masks.torch(options.srcMask(), options.srcKeyPaddingMask(), unbatched, options.isCausal(), b,
                    config.nhead(), s, s, arena, "src_mask", "src_key_padding_mask");
            TensorAllocator out = results(scratch, allocator, unbatched);
            Tensor y = out.allocate(b, s, config.dModel());
            if (config.normFirst()) {
                // x + sa(norm1(x)), then + ff(norm2(·))
                Tensor n1 = norm1.forward(backend, scratch, x);
                Tensor x1 = scratch.allocate(b, s, config.dModel());
                backend.add(x, attend(selfAttn, scratch, n1, n1, vis, options.path()), x1);
                backend.add(x1, ff.forward(backend, scratch, scratch, norm2.forward(backend, scratch, x1)), y);
            } else {
                // norm1(x + sa(x)), then norm2(· + ff(·))
                Tensor x1 = scratch.allocate(b, s, config.dModel());
                backend.add(x, attend(selfAttn, scratch, x, x, vis, options.path()), x1);
                norm1.apply(backend, x1);
                backend.add(x1, ff.forward(backend, scratch, scratch, x1), y);
                norm2.apply(backend, y);
            }
            return SequenceInputs.output(y, config.batchFirst(), unbatched, allocator);
        });
    }

    /** Same without masks. */
    public Tensor forward(SegmentAllocator allocator, Tensor src) {
        return forward(allocator, src, EncoderLayerOptions.DEFAULT);
    }

    public static TransformerEncoderLayerBuilder builder() {
        return new TransformerEncoderLayerBuilder();
    }
}
