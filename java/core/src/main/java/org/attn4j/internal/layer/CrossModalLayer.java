package org.attn4j.internal.layer;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.nn.AttentionPath;
import org.attn4j.nn.CrossModalOutput;

/**
 * Text ↔ vision cross attention in both directions, each with a residual and a LayerNorm:
 * text' = LN(text + MHA(text → vision)), vision' = LN(vision + MHA(vision → text)), both from the
 * old values. Parameters {@code text_to_vision.*} and {@code vision_to_text.*}
 * (nn.MultiheadAttention layouts with kdim = vdim = the other modality's width),
 * {@code text_norm.*}, {@code vision_norm.*}. Shared by {@link CrossModalCrossAttention} and
 * {@link CrossModalFusionBlock}.
 */
public final class CrossModalLayer {
    public final int textDim;
    public final int visionDim;
    public final int heads;
    private final MultiheadAttentionLayer textToVision;
    private final MultiheadAttentionLayer visionToText;
    private final LayerNorm textNorm;
    private final LayerNorm visionNorm;

    public CrossModalLayer(ParameterSource source, int textDim, int visionDim, int heads) {
        this.textDim = textDim;
        this.visionDim = visionDim;
        this.heads = heads;
        this.textToVision = new MultiheadAttentionLayer(source.prefixed("text_to_vision."), textDim, heads, visionDim,
                visionDim, true);
        this.visionToText = new MultiheadAttentionLayer(source.prefixed("vision_to_text."), visionDim, heads, textDim,
                textDim, true);
        this.textNorm = new LayerNorm(source, "text_norm", textDim, 1e-5f);
        this.visionNorm = new LayerNorm(source, "vision_norm", visionDim, 1e-5f);
    }

    /**
     * text [b, nt, textDim], vision [b, nv, visionDim] (F32, checked) → new text and vision from
     * {@code allocator}. textMask [b, nt] and visionMask [b, nv]: BOOL, true = attend, or null.
     */
    public CrossModalOutput forward(Backend backend, TensorAllocator allocator, TensorAllocator scratch, Tensor text,
                             Tensor vision, Tensor textMask, Tensor visionMask, AttentionPath path) {
        Visibility seeVision = new Visibility(null, null, visionMask, null, -1, -1);
        Visibility seeText = new Visibility(null, null, textMask, null, -1, -1);
        Tensor t = textToVision.forward(backend, scratch, scratch, text, vision, vision, seeVision, false, false, path).output();
        Tensor v = visionToText.forward(backend, scratch, scratch, vision, text, text, seeText, false, false, path).output();
        Tensor textOut = allocator.allocate(text.shape());
        Tensor visionOut = allocator.allocate(vision.shape());
        backend.add(text, t, textOut);
        textNorm.apply(backend, textOut);
        backend.add(vision, v, visionOut);
        visionNorm.apply(backend, visionOut);
        return new CrossModalOutput(textOut, visionOut);
    }
}
