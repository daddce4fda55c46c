package org.attn4j.nn;

import java.lang.foreign.Arena;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.CrossModalInputs;
import org.attn4j.internal.layer.CrossModalLayer;
import org.attn4j.internal.layer.LayerNorm;
import org.attn4j.internal.layer.LayerNormFeedForward;
import org.attn4j.internal.layer.MultiheadAttentionLayer;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.Scratch;
import org.attn4j.internal.module.TensorAllocator;

/**
 * A text–vision fusion block: pre-norm self attention within each modality, cross attention
 * both ways ({@link CrossModalCrossAttention}), and a pre-norm feed-forward per modality:
 * <pre>
 * text   += text_self_attn(text_self_norm(text))       vision += vision_self_attn(vision_self_norm(vision))
 * text, vision = cross(text, vision)
 * text   += text_ff(text)                              vision += vision_ff(vision)
 * </pre>
 * with ff = LayerNorm → Linear(d, ⌊d·ffMult⌋) → GELU → Linear back. Parameters
 * {@code text_self_norm.*}, {@code text_self_attn.*}, {@code vision_self_norm.*},
 * {@code vision_self_attn.*}, {@code cross.*}, {@code text_ff.{0,1,3}.*}, {@code vision_ff.{0,1,3}.*}.
 * Masks BOOL [b, n], true = attend. Thread-safe; owns its weights.
 */
public final class CrossModalFusionBlock extends TextVisionModule<CrossModalFusionBlock.Config> {
    /**
     * The configuration, as model files' {@code __metadata__} holds it.
     *
     * @param textDim   features of text (required)
     * @param visionDim features of vision (required)
     * @param heads     heads; both widths are multiples of it (8)
     * @param ffMult    feed-forward width over its input width (4)
     */
    public record Config(int textDim, int visionDim, @Default("8") int heads, @Default("4.0") double ffMult)
            implements TextVisionModule.Widths {
        public Config {
            CrossModalCrossAttention.validate(textDim, visionDim, heads);
            if (!(ffMult > 0) || !Double.isFinite(ffMult)) {
                throw new IllegalArgumentException("ff_mult: expected a finite value > 0, got " + ffMult);
            }
        }
    }

    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "CrossModalFusionBlock";

    private final Branch text;   // text_self_norm, text_self_attn.*, text_ff.*
    private final Branch vision; // vision_self_norm, vision_self_attn.*, vision_ff.*
    private final CrossModalLayer cross;

    CrossModalFusionBlock(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights);
        int textDim = config.textDim;
        int visionDim = config.visionDim;
        int heads = config.heads;
        // registered in the reference's order: both self blocks, cross, both feed-forwards
        SelfBlock textSelf = new SelfBlock(source, "text", textDim, heads);
        SelfBlock visionSelf = new SelfBlock(source, "vision", visionDim, heads);
        this.cross = new CrossModalLayer(source.prefixed("cross."), textDim, visionDim, heads);
        this.text = new Branch(textSelf, new LayerNormFeedForward(source, "text_ff.", textDim, config.ffMult));
        this.vision = new Branch(visionSelf, new LayerNormFeedForward(source, "vision_ff.", visionDim, config.ffMult));
    }

    @Override
    CrossModalOutput compute(Scratch scratch, TensorAllocator out, CrossModalInputs in) {
        Tensor t = text.self().forward(backend, scratch, in.text(), in.textMask());
        Tensor v = vision.self().forward(backend, scratch, in.vision(), in.visionMask());
        CrossModalOutput mixed = cross.forward(backend, scratch, scratch, t, v, in.textMask(), in.visionMask(), AttentionPath.AUTO);
        Tensor textOut = out.allocate(t.shape());
        Tensor visionOut = out.allocate(v.shape());
        backend.add(mixed.text(), text.ff().forward(backend, scratch, scratch, mixed.text()), textOut);
        backend.add(mixed.vision(), vision.ff().forward(backend, scratch, scratch, mixed.vision()), visionOut);
        return new CrossModalOutput(textOut, visionOut);
    }

    /** One modality's layers: its self block before the cross step, its feed-forward after it. */
    private record Branch(SelfBlock self, LayerNormFeedForward ff) {
    }

    /** One modality's self attention before the cross step: x + attn(norm(x)), with its own padding mask. */
    private record SelfBlock(LayerNorm norm, MultiheadAttentionLayer attn) {
        // {modality}_self_norm then {modality}_self_attn.*, the reference's registration order
        SelfBlock(ParameterSource source, String modality, int dim, int heads) {
            this(new LayerNorm(source, modality + "_self_norm", dim, 1e-5f),
                    new MultiheadAttentionLayer(source.prefixed(modality + "_self_attn."), dim, heads, dim, dim, true));
        }

        Tensor forward(Backend backend, Scratch scratch, Tensor x, Tensor mask) {
            Tensor n = norm.forward(backend, scratch, x);
            Tensor a = attn.forward(backend, scratch, scratch, n, n, n, new Visibility(null, null, mask, null, -1, -1), false,
                    false, AttentionPath.AUTO).output();
            Tensor y = scratch.allocate(x.shape());
            backend.add(x, a, y);
            return y;
        }
    }

    public static CrossModalFusionBlockBuilder builder() {
        return new CrossModalFusionBlockBuilder();
    }
}
