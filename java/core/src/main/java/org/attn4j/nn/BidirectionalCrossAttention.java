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
import org.attn4j.internal.check.BidirectionalInputs;
import org.attn4j.internal.layer.BidirectionalAttentionLayer;
import org.attn4j.internal.module.Metadata;
import org.attn4j.internal.module.ModuleFiles;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;

/**
 * Bidirectional cross attention: x [b, i, dim] and context [b, j, contextDim] attend to each
 * other through one shared similarity matrix, softmaxed along both axes (DESIGN.md §3), equal
 * to the PyTorch reference {@code BidirectionalCrossAttention} on the same weights.
 *
 * <p>Inference only: dropout is the identity (training is not supported). Thread-safe: many
 * threads may call {@link #forward} at once. Owns its weights; {@link #close()} frees them.
 *
 * <pre>{@code
 * try (var attn = BidirectionalCrossAttention.builder().dim(512).contextDim(386).build(Backends.defaultBackend(), 0);
 *      Arena arena = Arena.ofConfined()) {
 *     Tensor video = Tensor.randn(arena, 1, 1, 4096, 512);
 *     Tensor audio = Tensor.randn(arena, 2, 1, 8192, 386);
 *     BidirectionalOutput o = attn.forward(arena, video, audio);   // o.out() [1, 4096, 512]
 * }
 * }</pre>
 */
public final class BidirectionalCrossAttention extends Module implements BidirectionalModule {
    /** The reference's class name, as in safetensors {@code __metadata__.class}. */
    public static final String CLASS_NAME = "BidirectionalCrossAttention";

    private final BidirectionalAttentionLayer layer;
    private final float dropout;

    private BidirectionalCrossAttention(Builder config, ParameterSource source, Backend backend, Arena weights) {
        super(backend, weights);
        this.dropout = config.dropout;
        this.layer = new BidirectionalAttentionLayer(source, config.dim, config.contextDim(), config.heads, config.dimHead,
                config.prenorm, config.talkingHeads, config.cosineSimScale, Float.isNaN(config.cosineSimScale) ? null
                        : CosineSimilarityAttention.unitNormWeight(weights, config.dimHead));
    }

    /** A builder with the reference's defaults: heads 8, dimHead 64, contextDim = dim, no dropout, talking heads or prenorm. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads a reference state dict from a safetensors file, configured from its
     * {@code __metadata__}. F32 weights are memory-mapped, not copied.
     */
    public static BidirectionalCrossAttention load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, CLASS_NAME,
                (meta, source, arena) -> new BidirectionalCrossAttention(Builder.from(meta), source, backend, arena));
    }

    @Override
    public BidirectionalOutput forward(SegmentAllocator allocator, Tensor x, Tensor context, BidirectionalOptions options) {
        return call(scratch -> {
            BidirectionalInputs in = BidirectionalInputs.check(x, context, options, layer.dim, layer.contextDim,
                    layer.heads, scratch.arena());
            return layer.forward(backend, TensorAllocator.of(allocator), scratch, in, options.returnAttn(),
                    options.resolvedPath());
        });
    }

    @Override
    public int dim() {
        return layer.dim;
    }

    @Override
    public int contextDim() {
        return layer.contextDim;
    }

    @Override
    public int heads() {
        return layer.heads;
    }

    public int dimHead() {
        return layer.dimHead;
    }

    public boolean talkingHeads() {
        return layer.talkingHeads;
    }

    public boolean prenorm() {
        return layer.prenorm;
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dim", Integer.toString(layer.dim));
        m.put("heads", Integer.toString(layer.heads));
        m.put("dim_head", Integer.toString(layer.dimHead));
        m.put("context_dim", Integer.toString(layer.contextDim));
        m.put("dropout", Float.toString(dropout));
        m.put("talking_heads", Boolean.toString(layer.talkingHeads));
        m.put("prenorm", Boolean.toString(layer.prenorm));
        if (!Float.isNaN(layer.cosineSimScale)) { // attn4j's option: absent from the reference's files
            m.put("cosine_sim_scale", Float.toString(layer.cosineSimScale));
        }
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + "(dim=" + layer.dim + ", heads=" + layer.heads + ", dim_head=" + layer.dimHead + ", context_dim="
                + layer.contextDim + ", talking_heads=" + layer.talkingHeads + ", prenorm=" + layer.prenorm + ")";
    }

    /** Configuration with the reference's names and defaults. */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        int dim;
        int heads = 8;
        int dimHead = 64;
        Integer contextDim;
        float dropout;
        boolean talkingHeads;
        boolean prenorm;
        float cosineSimScale = Float.NaN;

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

        /** Defaults to dim. */
        public Builder contextDim(int contextDim) {
            this.contextDim = contextDim;
            return this;
        }

        /** Kept for weight compatibility; inference ignores it (dropout is the identity). */
        public Builder dropout(float dropout) {
            this.dropout = dropout;
            return this;
        }

        public Builder talkingHeads(boolean talkingHeads) {
            this.talkingHeads = talkingHeads;
            return this;
        }

        public Builder prenorm(boolean prenorm) {
            this.prenorm = prenorm;
            return this;
        }

        /**
         * Cosine-similarity attention (attn4j's option, not in the reference): qk and context_qk
         * l2-normalised per head, similarities scaled by {@code scale} (a temperature, e.g. 10)
         * instead of dimHead^-0.5. NaN (the default) keeps dot-product similarity.
         */
        public Builder cosineSimScale(float scale) {
            this.cosineSimScale = scale;
            return this;
        }

        int contextDim() {
            return contextDim != null ? contextDim : dim;
        }

        /** A fresh module initialised as PyTorch initialises one, from {@code seed}. */
        public BidirectionalCrossAttention build(Backend backend, long seed) {
            validate();
            return ModuleFiles.fresh(seed, (source, arena) -> new BidirectionalCrossAttention(this, source, backend, arena));
        }

        /** A fresh module on the default backend. */
        public BidirectionalCrossAttention build(long seed) {
            return build(Backends.defaultBackend(), seed);
        }

        /**
         * A module over the given state dict (PyTorch names). F32 contiguous tensors are used in
         * place, so the caller keeps their arena alive as long as the module; others are converted.
         */
        public BidirectionalCrossAttention build(Backend backend, Map<String, Tensor> stateDict) {
            validate();
            return ModuleFiles.fromStateDict(stateDict,
                    (source, arena) -> new BidirectionalCrossAttention(this, source, backend, arena));
        }

        void validate() {
            positive("dim", dim);
            positive("heads", heads);
            positive("dimHead", dimHead);
            positive("contextDim", contextDim());
            if (!Float.isNaN(cosineSimScale) && !(cosineSimScale > 0 && Float.isFinite(cosineSimScale))) {
                throw new IllegalArgumentException("cosineSimScale: expected a finite value > 0 (or NaN for off), got " + cosineSimScale);
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("dropout: expected in [0, 1), got " + dropout);
            }
        }

        static Builder from(Metadata meta) {
            Builder b = new Builder();
            b.dim = meta.integer("dim", null);
            b.heads = meta.integer("heads", 8);
            b.dimHead = meta.integer("dim_head", 64);
            b.contextDim = meta.integer("context_dim", b.dim);
            b.dropout = (float) meta.number("dropout", 0.0);
            b.talkingHeads = meta.bool("talking_heads", false);
            b.prenorm = meta.bool("prenorm", false);
            b.cosineSimScale = meta.has("cosine_sim_scale") ? (float) meta.number("cosine_sim_scale", 10) : Float.NaN;
            b.validate();
            return b;
        }

        static void positive(String name, long value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + ": expected a positive value, got " + value);
            }
        }
    }
}
