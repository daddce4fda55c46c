package org.attn4j.nn;

import java.lang.foreign.Arena;
import org.attn4j.Backend;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.check.CrossModalInputs;
import org.attn4j.internal.layer.CrossModalLayer;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.Scratch;
import org.attn4j.internal.module.TensorAllocator;

/**
 * Cross-modal fusion by cross attention in both directions: text attends to vision and vision
 * to text (one nn.MultiheadAttention each, with kdim = vdim = the other modality's width), each
 * result added to its input and layer-normalised: text' = LN(text + attn(text → vision)),
 * vision' = LN(vision + attn(vision → text)), both computed from the old values. Masks are
 * BOOL [b, n] with true = attend (a query whose other modality is fully masked gets NaN, as
 * nn.MultiheadAttention gives). Thread-safe; owns its weights.
 */
public final class CrossModalCrossAttention extends TextVisionModule<CrossModalCrossAttention.Config> {
    /**
     * The configuration, as model files' {@code __metadata__} holds it.
     *
     * @param textDim   features of text (required)
     * @param visionDim features of vision (required)
     * @param heads     heads; both widths are multiples of it (8)
     */
    public record Config(int textDim, int visionDim, @Default("8") int heads) implements TextVisionModule.Widths {
        public Config {
            validate(textDim, visionDim, heads);
        }
    }

    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "CrossModalCrossAttention";

    private final CrossModalLayer layer;

    CrossModalCrossAttention(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights);
        this.layer = new CrossModalLayer(source, config.textDim, config.visionDim, config.heads);
    }

    /** The widths and heads of a text–vision module: positive, widths multiples of heads. */
    static void validate(int textDim, int visionDim, int heads) {
        Checks.positive("text_dim, vision_dim, heads", textDim, visionDim, heads);
        if (textDim % heads != 0 || visionDim % heads != 0) {
            throw new IllegalArgumentException("text_dim, vision_dim: expected multiples of heads (" + heads + "), got "
                    + textDim + " and " + visionDim);
        }
    }

    @Override
    CrossModalOutput compute(Scratch scratch, TensorAllocator out, CrossModalInputs in) {
        return layer.forward(backend, out, scratch, in.text(), in.vision(), in.textMask(), in.visionMask(), AttentionPath.AUTO);
    }

    public static CrossModalCrossAttentionBuilder builder() {
        return new CrossModalCrossAttentionBuilder();
    }
}
