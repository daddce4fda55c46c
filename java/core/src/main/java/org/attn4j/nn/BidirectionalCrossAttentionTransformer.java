package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.check.BidirectionalInputs;
import org.attn4j.internal.layer.BidirectionalAttentionLayer;
import org.attn4j.internal.layer.FeedForward;
import org.attn4j.internal.layer.RmsNorm;
import org.attn4j.internal.module.Metadata;
import org.attn4j.internal.module.ModuleFiles;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.Scratch;

/**
 * The reference's {@code BidirectionalCrossAttentionTransformer}: depth layers of
 * (bidirectional attention with prenorm, residual on both streams from the old values, then a
 * feed-forward with residual on each stream), optional final RMSNorms. The same masks and
 * relPosBias reach every layer. The final context norm has contextDim features (the reference
 * builds it with dim, which fails whenever they differ; that bug is not copied).
 *
 * <p>Inference only; thread-safe; owns its weights.
 */
public final class BidirectionalCrossAttentionTransformer extends Module implements BidirectionalModule {
    /** The reference's class name, as in safetensors {@code __metadata__.class}. */
    public static final String CLASS_NAME = "BidirectionalCrossAttentionTransformer";

    private final Builder config;
    private final List<BidirectionalAttentionLayer> attention = new ArrayList<>();
    private final List<FeedForward> feedForward = new ArrayList<>();        // on x
    private final List<FeedForward> contextFeedForward = new ArrayList<>(); // on context
    private final RmsNorm finalNorm;        // null unless finalNorms
    private final RmsNorm finalContextNorm; // null unless finalNorms

    private BidirectionalCrossAttentionTransformer(Builder config, ParameterSource source, Backend backend, Arena weights) {
        super(backend, weights);
        this.config = config;
        int contextDim = config.contextDim();
        for (int l = 0; l < config.depth; l++) {
            String prefix = "layers." + l + ".";
            attention.add(new BidirectionalAttentionLayer(source.prefixed(prefix + "0."), config.dim, contextDim,
                    config.heads, config.dimHead, true, config.talkingHeads));
            feedForward.add(new FeedForward(source, prefix + "1.", config.dim, config.ffExpansionFactor));
            contextFeedForward.add(new FeedForward(source, prefix + "2.", contextDim, config.ffExpansionFactor));
        }
        this.finalNorm = config.finalNorms ? new RmsNorm(source, "norm", config.dim) : null;
        this.finalContextNorm = config.finalNorms ? new RmsNorm(source, "context_norm", contextDim) : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a reference state dict from a safetensors file, configured from its {@code __metadata__}. */
    public static BidirectionalCrossAttentionTransformer load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, CLASS_NAME,
                (meta, source, arena) -> new BidirectionalCrossAttentionTransformer(Builder.from(meta), source, backend, arena));
    }

    /** Attention weights are per layer, so {@code returnAttn} is not offered here (as in the reference). */
    @Override
    public BidirectionalOutput forward(SegmentAllocator allocator, Tensor x, Tensor context, BidirectionalOptions options) {
        if (options != null && options.returnAttn()) {
            throw new IllegalArgumentException("returnAttn: the transformer returns no attention weights (as the reference)");
        }
        return call(scratch -> {
            BidirectionalInputs in = BidirectionalInputs.check(x, context, options, config.dim, config.contextDim(),
                    config.heads, scratch.arena());
            // The residual streams live in the caller's memory from the start: they are the outputs.
            Tensor xs = in.x().to(DType.F32, allocator);             // [b, i, dim]
            Tensor cs = in.context().to(DType.F32, allocator);       // [b, j, contextDim]
            for (int l = 0; l < config.depth; l++) {
                try (Scratch layerScratch = new Scratch(backend)) { // one layer's intermediates at a time
                    BidirectionalInputs layerIn = new BidirectionalInputs(xs, cs, in.mask(), in.contextMask(),
                            in.relPosBias(), in.batch(), in.i(), in.j());
                    BidirectionalOutput o = attention.get(l).forward(backend, layerScratch, layerScratch, layerIn, false,
                            options.resolvedPath());
                    backend.add(xs, o.out(), xs);         // both residuals from the old values
                    backend.add(cs, o.contextOut(), cs);
                    backend.add(xs, feedForward.get(l).forward(backend, layerScratch, xs), xs);
                    backend.add(cs, contextFeedForward.get(l).forward(backend, layerScratch, cs), cs);
                }
            }
            if (config.finalNorms) {
                backend.rmsNorm(xs, finalNorm.weight.get(), RmsNorm.EPS, xs);
                backend.rmsNorm(cs, finalContextNorm.weight.get(), RmsNorm.EPS, cs);
            }
            return new BidirectionalOutput(xs, cs, null, null);
        });
    }

    @Override
    public int dim() {
        return config.dim;
    }

    @Override
    public int contextDim() {
        return config.contextDim();
    }

    @Override
    public int heads() {
        return config.heads;
    }

    public int depth() {
        return config.depth;
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dim", Integer.toString(config.dim));
        m.put("depth", Integer.toString(config.depth));
        m.put("context_dim", Integer.toString(config.contextDim()));
        m.put("heads", Integer.toString(config.heads));
        m.put("dim_head", Integer.toString(config.dimHead));
        m.put("ff_expansion_factor", Double.toString(config.ffExpansionFactor));
        m.put("talking_heads", Boolean.toString(config.talkingHeads));
        m.put("final_norms", Boolean.toString(config.finalNorms));
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + "(dim=" + config.dim + ", depth=" + config.depth + ", context_dim=" + config.contextDim()
                + ", heads=" + config.heads + ", dim_head=" + config.dimHead + ")";
    }

    /** Configuration with the reference's names and defaults. */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        int dim;
        int depth = 1;
        Integer contextDim;
        int heads = 8;
        int dimHead = 64;
        double ffExpansionFactor = 4.0;
        float dropout;
        boolean talkingHeads;
        boolean finalNorms;

        public Builder dim(int dim) {
            this.dim = dim;
            return this;
        }

        public Builder depth(int depth) {
            this.depth = depth;
            return this;
        }

        public Builder contextDim(int contextDim) {
            this.contextDim = contextDim;
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

        public Builder ffExpansionFactor(double ffExpansionFactor) {
            this.ffExpansionFactor = ffExpansionFactor;
            return this;
        }

        /** Kept for weight compatibility; inference ignores it. */
        public Builder dropout(float dropout) {
            this.dropout = dropout;
            return this;
        }

        public Builder talkingHeads(boolean talkingHeads) {
            this.talkingHeads = talkingHeads;
            return this;
        }

        public Builder finalNorms(boolean finalNorms) {
            this.finalNorms = finalNorms;
            return this;
        }

        int contextDim() {
            return contextDim != null ? contextDim : dim;
        }

        public BidirectionalCrossAttentionTransformer build(Backend backend, long seed) {
            validate();
            return ModuleFiles.fresh(seed,
                    (source, arena) -> new BidirectionalCrossAttentionTransformer(this, source, backend, arena));
        }

        public BidirectionalCrossAttentionTransformer build(long seed) {
            return build(Backends.defaultBackend(), seed);
        }

        void validate() {
            BidirectionalCrossAttention.Builder.positive("dim", dim);
            BidirectionalCrossAttention.Builder.positive("depth", depth);
            BidirectionalCrossAttention.Builder.positive("heads", heads);
            BidirectionalCrossAttention.Builder.positive("dimHead", dimHead);
            BidirectionalCrossAttention.Builder.positive("contextDim", contextDim());
            if (!(ffExpansionFactor > 0) || !Double.isFinite(ffExpansionFactor)) {
                throw new IllegalArgumentException("ffExpansionFactor: expected a positive number, got " + ffExpansionFactor);
            }
        }

        static Builder from(Metadata meta) {
            Builder b = new Builder();
            b.dim = meta.integer("dim", null);
            b.depth = meta.integer("depth", null);
            b.contextDim = meta.integer("context_dim", b.dim);
            b.heads = meta.integer("heads", 8);
            b.dimHead = meta.integer("dim_head", 64);
            b.ffExpansionFactor = meta.number("ff_expansion_factor", 4.0);
            b.dropout = (float) meta.number("dropout", 0.0);
            b.talkingHeads = meta.bool("talking_heads", false);
            b.finalNorms = meta.bool("final_norms", false);
            b.validate();
            return b;
        }
    }
}
