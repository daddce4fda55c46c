package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
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
 * Multi-head self attention from one packed projection, the common transformer block's layout:
 * {@code to_qkv.weight} [3·heads·dimHead, dim] (no bias), optional rotary embeddings on q and k,
 * scaled dot-product attention (masks, causal, windows, weights: {@link SdpaOptions}), and
 * {@code to_out} (weight and bias). Thread-safe; owns its weights.
 */
public final class FusedQkvAttention extends Module {
    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "FusedQkvAttention";

    private final QkvAttentionConfig config;
    private final QkvAttentionLayer layer;

    private FusedQkvAttention(QkvAttentionConfig config, ParameterSource source, Backend backend, Arena weights) {
        super(backend, weights);
        this.config = config;
        this.layer = new QkvAttentionLayer(source, config.dim(), config.heads(), config.dimHead(), config.rotary(),
                Float.NaN, null);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a state dict from a safetensors file configured by its {@code __metadata__}. */
    public static FusedQkvAttention load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, CLASS_NAME,
                (meta, source, arena) -> new FusedQkvAttention(QkvAttentionConfig.from(meta), source, backend, arena));
    }

    /**
     * x [b, n, dim] → output [b, n, dim] (and weights [b, heads, n, n] with needWeights) from
     * {@code allocator}. Masks use SDPA's conventions (boolean true = attend).
     */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor x, SdpaOptions options) {
        if (allocator == null || options == null) {
            throw new IllegalArgumentException("allocator and options must not be null (use SdpaOptions.DEFAULT)");
        }
        return call(scratch -> {
            Tensor in = SequenceInputs.sequence("x", x, config.dim(), true, false, scratch.arena());
            Visibility vis = Masks.sdpa(options, in.shape(0), config.heads(), in.shape(1), in.shape(1), scratch.arena());
            return layer.forward(backend, TensorAllocator.of(allocator), scratch, in, vis, options.scale(),
                    options.needWeights(), options.path());
        });
    }

    /** Same with {@link SdpaOptions#DEFAULT}. */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor x) {
        return forward(allocator, x, SdpaOptions.DEFAULT);
    }

    public int dim() {
        return config.dim();
    }

    public int heads() {
        return config.heads();
    }

    public int dimHead() {
        return config.dimHead();
    }

    /** The rotary embedding applied to q and k, or null. */
    public RotaryEmbedding rotary() {
        return config.rotary();
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = config.metadata();
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + "(" + config + ")";
    }

    /** Configuration: dim (required), heads 8, dimHead 64, no rotary embedding. */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        private int dim;
        private int heads = 8;
        private int dimHead = 64;
        private RotaryEmbedding rotary;

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

        /** Rotary embeddings on q and k (null = none). */
        public Builder rotary(RotaryEmbedding rotary) {
            this.rotary = rotary;
            return this;
        }

        /** A fresh module (PyTorch's Linear initialisation) from {@code seed}. */
        public FusedQkvAttention build(Backend backend, long seed) {
            QkvAttentionConfig c = new QkvAttentionConfig(dim, heads, dimHead, rotary);
            return ModuleFiles.fresh(seed, (source, arena) -> new FusedQkvAttention(c, source, backend, arena));
        }

        public FusedQkvAttention build(long seed) {
            return build(Backends.defaultBackend(), seed);
        }

        /** Over a state dict ({@code to_qkv.weight}, {@code to_out.weight}, {@code to_out.bias}). */
        public FusedQkvAttention build(Backend backend, Map<String, Tensor> stateDict) {
            QkvAttentionConfig c = new QkvAttentionConfig(dim, heads, dimHead, rotary);
            return ModuleFiles.fromStateDict(stateDict, (source, arena) -> new FusedQkvAttention(c, source, backend, arena));
        }
    }
}
