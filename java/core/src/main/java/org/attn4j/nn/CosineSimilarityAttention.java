package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.layer.QkvAttentionLayer;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.ModuleFiles;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.QkvAttentionConfig;
import org.attn4j.internal.module.TensorAllocator;

/**
 * Cosine-similarity attention (Henry et al. 2020, "Query-Key Normalization"): q and k are
 * l2-normalised per head, so scores are cosines in [−1, 1] times a fixed scale (the temperature,
 * default 10), which keeps the softmax from saturating. Otherwise as {@link FusedQkvAttention}
 * ({@code to_qkv}, {@code to_out}, optional rotary). Thread-safe; owns its weights.
 */
public final class CosineSimilarityAttention extends Module {
    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "CosineSimilarityAttention";

    private final QkvAttentionConfig config;
    private final float scale;
    private final QkvAttentionLayer layer;

    private CosineSimilarityAttention(QkvAttentionConfig config, float scale, ParameterSource source, Backend backend,
                                      Arena weights) {
        super(backend, weights);
        this.config = config;
        this.scale = scale;
        this.layer = new QkvAttentionLayer(source, config.dim(), config.heads(), config.dimHead(), config.rotary(), scale,
                unitNormWeight(weights, config.dimHead()));
    }

    /** [d] of 1/√d: RMSNorm with it divides by ‖x‖ (√(mean x²)·√d). */
    static Tensor unitNormWeight(Arena arena, int d) {
        float[] w = new float[d];
        Arrays.fill(w, (float) (1.0 / Math.sqrt(d)));
        return Tensor.of(arena, w, d);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a state dict from a safetensors file configured by its {@code __metadata__}. */
    public static CosineSimilarityAttention load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, CLASS_NAME, (meta, source, arena) -> new CosineSimilarityAttention(
                QkvAttentionConfig.from(meta), Builder.checkedScale((float) meta.number("scale", 10)), source, backend, arena));
    }

    /**
     * x [b, n, dim] → output [b, n, dim] (and weights with needWeights) from {@code allocator};
     * masks as SDPA's. The scale is the module's: options.scale() must be NaN (unset).
     */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor x, SdpaOptions options) {
        if (allocator == null || options == null) {
            throw new IllegalArgumentException("allocator and options must not be null (use SdpaOptions.DEFAULT)");
        }
        if (!Float.isNaN(options.scale())) {
            throw new IllegalArgumentException("options.scale: expected unset (the module's scale " + scale
                    + " is the temperature), got " + options.scale());
        }
        return call(scratch -> {
            Tensor in = SequenceInputs.sequence("x", x, config.dim(), true, false, scratch.arena());
            Visibility vis = Masks.sdpa(options, in.shape(0), config.heads(), in.shape(1), in.shape(1), scratch.arena());
            return layer.forward(backend, TensorAllocator.of(allocator), scratch, in, vis, scale, options.needWeights(),
                    options.path());
        });
    }

    public AttentionOutput forward(SegmentAllocator allocator, Tensor x) {
        return forward(allocator, x, SdpaOptions.DEFAULT);
    }

    /** The temperature multiplying the cosines. */
    public float scale() {
        return scale;
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = config.metadata();
        m.put("scale", Float.toString(scale));
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + "(" + config + ", scale=" + scale + ")";
    }

    /** Configuration: dim (required), heads 8, dimHead 64, scale 10. */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        private int dim;
        private int heads = 8;
        private int dimHead = 64;
        private RotaryEmbedding rotary;
        private float scale = 10;

        public Builder dim(int dim) {
            this.dim = dim;
            return this;
        }

        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        public Builder dimHead(int dimHead) {
            this.dimHead = dimHead;
            return this;
        }

        public Builder rotary(RotaryEmbedding rotary) {
            this.rotary = rotary;
            return this;
        }

        /** The temperature multiplying the cosines (positive). */
        public Builder scale(float scale) {
            this.scale = scale;
            return this;
        }

        static float checkedScale(float scale) {
            if (!(scale > 0) || !Float.isFinite(scale)) {
                throw new IllegalArgumentException("scale: expected a finite value > 0, got " + scale);
            }
            return scale;
        }

        public CosineSimilarityAttention build(Backend backend, long seed) {
            QkvAttentionConfig c = new QkvAttentionConfig(dim, heads, dimHead, rotary);
            float s = checkedScale(scale);
            return ModuleFiles.fresh(seed, (source, arena) -> new CosineSimilarityAttention(c, s, source, backend, arena));
        }

        public CosineSimilarityAttention build(long seed) {
            return build(Backends.defaultBackend(), seed);
        }

        public CosineSimilarityAttention build(Backend backend, Map<String, Tensor> stateDict) {
            QkvAttentionConfig c = new QkvAttentionConfig(dim, heads, dimHead, rotary);
            float s = checkedScale(scale);
            return ModuleFiles.fromStateDict(stateDict, (source, arena) -> new CosineSimilarityAttention(c, s, source,
                    backend, arena));
        }
    }
}
