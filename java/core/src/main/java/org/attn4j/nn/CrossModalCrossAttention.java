package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.internal.check.CrossModalInputs;
import org.attn4j.internal.layer.CrossModalLayer;
import org.attn4j.internal.module.ModuleFiles;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;

/**
 * Cross-modal fusion by cross attention in both directions: text attends to vision and vision
 * to text (one nn.MultiheadAttention each, with kdim = vdim = the other modality's width), each
 * result added to its input and layer-normalised: text' = LN(text + attn(text → vision)),
 * vision' = LN(vision + attn(vision → text)), both computed from the old values. Masks are
 * BOOL [b, n] with true = attend (a query whose other modality is fully masked gets NaN, as
 * nn.MultiheadAttention gives). Thread-safe; owns its weights.
 */
public final class CrossModalCrossAttention extends Module {
    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "CrossModalCrossAttention";

    private final CrossModalLayer layer;

    private CrossModalCrossAttention(int textDim, int visionDim, int heads, ParameterSource source, Backend backend,
                                     Arena weights) {
        super(backend, weights);
        validate(textDim, visionDim, heads);
        this.layer = new CrossModalLayer(source, textDim, visionDim, heads);
    }

    static void validate(int textDim, int visionDim, int heads) {
        MultiheadAttention.Builder.positive("text_dim", textDim);
        MultiheadAttention.Builder.positive("vision_dim", visionDim);
        MultiheadAttention.Builder.positive("heads", heads);
        if (textDim % heads != 0 || visionDim % heads != 0) {
            throw new IllegalArgumentException("text_dim, vision_dim: expected multiples of heads (" + heads + "), got "
                    + textDim + " and " + visionDim);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a state dict from a safetensors file configured by its {@code __metadata__}. */
    public static CrossModalCrossAttention load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, CLASS_NAME, (meta, source, arena) -> new CrossModalCrossAttention(
                meta.integer("text_dim", null), meta.integer("vision_dim", null), meta.integer("heads", 8), source, backend,
                arena));
    }

    /**
     * text [b, nt, textDim] and vision [b, nv, visionDim] → both updated, from {@code allocator}.
     *
     * @param textMask   BOOL [b, nt], true = attend; null = none
     * @param visionMask BOOL [b, nv], true = attend; null = none
     */
    public CrossModalOutput forward(SegmentAllocator allocator, Tensor text, Tensor vision, Tensor textMask,
                                    Tensor visionMask) {
        if (allocator == null) {
            throw new IllegalArgumentException("allocator must not be null");
        }
        return call(scratch -> {
            CrossModalInputs in = CrossModalInputs.check(text, vision, textMask, visionMask, layer.textDim, layer.visionDim,
                    scratch.arena());
            return layer.forward(backend, TensorAllocator.of(allocator), scratch, in.text(), in.vision(), in.textMask(),
                    in.visionMask(), AttentionPath.AUTO);
        });
    }

    public CrossModalOutput forward(SegmentAllocator allocator, Tensor text, Tensor vision) {
        return forward(allocator, text, vision, null, null);
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("text_dim", Integer.toString(layer.textDim));
        m.put("vision_dim", Integer.toString(layer.visionDim));
        m.put("heads", Integer.toString(layer.heads));
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + "(text_dim=" + layer.textDim + ", vision_dim=" + layer.visionDim + ", heads=" + layer.heads + ")";
    }

    /** Configuration: textDim and visionDim (required), heads 8. */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        private int textDim;
        private int visionDim;
        private int heads = 8;

        public Builder textDim(int textDim) {
            this.textDim = textDim;
            return this;
        }

        public Builder visionDim(int visionDim) {
            this.visionDim = visionDim;
            return this;
        }

        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        public CrossModalCrossAttention build(Backend backend, long seed) {
            return ModuleFiles.fresh(seed, (source, arena) -> new CrossModalCrossAttention(textDim, visionDim, heads, source,
                    backend, arena));
        }

        public CrossModalCrossAttention build(long seed) {
            return build(Backends.defaultBackend(), seed);
        }

        public CrossModalCrossAttention build(Backend backend, Map<String, Tensor> stateDict) {
            return ModuleFiles.fromStateDict(stateDict, (source, arena) -> new CrossModalCrossAttention(textDim, visionDim,
                    heads, source, backend, arena));
        }
    }
}
