package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.layer.MultiheadAttentionLayer;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.Metadata;
import org.attn4j.internal.module.ModuleFiles;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.internal.tensor.Shapes;

/**
 * Multi-head attention compatible with PyTorch's {@code nn.MultiheadAttention}: the same state
 * dict names ({@code in_proj_weight} or {@code q/k/v_proj_weight}, {@code in_proj_bias},
 * {@code out_proj.*}), the same masks conventions (boolean true = masked, float = added,
 * attn_mask [L, S] or [b·num_heads, L, S]), need_weights and average_attn_weights, and NaN
 * rows where a query sees no key, as PyTorch gives.
 *
 * <p>Inference only: dropout is the identity; add_bias_kv and add_zero_attn are not supported.
 * Thread-safe; owns its weights ({@link #close()} frees them). With needWeights false the
 * attention runs in the fused kernel (no [L, S] matrix).
 *
 * <pre>{@code
 * try (var mha = MultiheadAttention.builder().embedDim(512).numHeads(8).batchFirst(true).build(backend, 0);
 *      Arena arena = Arena.ofConfined()) {
 *     Tensor x = Tensor.randn(arena, 1, 2, 4096, 512);
 *     AttentionOutput o = mha.forward(arena, x, x, x,
 *             MhaOptions.builder().isCausal(true).needWeights(false).build()); // o.output() [2, 4096, 512]
 * }
 * }</pre>
 */
public final class MultiheadAttention extends Module {
    /** PyTorch's class name, as in safetensors {@code __metadata__.class}. */
    public static final String CLASS_NAME = "MultiheadAttention";

    private final MultiheadAttentionLayer layer;
    private final float dropout;
    private final boolean batchFirst;

    private MultiheadAttention(Builder config, ParameterSource source, Backend backend, Arena weights) {
        super(backend, weights);
        this.layer = new MultiheadAttentionLayer(source, config.embedDim, config.numHeads, config.kdim(), config.vdim(),
                config.bias);
        this.dropout = config.dropout;
        this.batchFirst = config.batchFirst;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a PyTorch state dict from a safetensors file, configured from its {@code __metadata__}. */
    public static MultiheadAttention load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, CLASS_NAME,
                (meta, source, arena) -> new MultiheadAttention(Builder.from(meta), source, backend, arena));
    }

    /**
     * query [b, L, E], key [b, S, kdim], value [b, S, vdim] ([L, b, ...] when batch_first is
     * false; [L, E], [S, kdim], [S, vdim] unbatched) → output [b, L, E] and, with needWeights,
     * weights [b, L, S] (averaged) or [b, num_heads, L, S], from {@code allocator}. Pass the same
     * tensor as query, key and value for self attention (one packed projection then).
     */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor query, Tensor key, Tensor value, MhaOptions options) {
        if (allocator == null) {
            throw new IllegalArgumentException("allocator must not be null");
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null (use MhaOptions.DEFAULT)");
        }
        return call(scratch -> {
            Arena arena = scratch.arena();
            boolean unbatched = query != null && query.rank() == 2;
            boolean selfAttention = SequenceInputs.sameView(query, key) && SequenceInputs.sameView(key, value);
            boolean sharedMemory = SequenceInputs.sameView(key, value);
            Tensor q = SequenceInputs.sequence("query", query, layer.embedDim, batchFirst, unbatched, arena);
            Tensor k = selfAttention ? q : SequenceInputs.sequence("key", key, layer.kdim, batchFirst, unbatched, arena);
            Tensor v = selfAttention ? q : sharedMemory ? k
                    : SequenceInputs.sequence("value", value, layer.vdim, batchFirst, unbatched, arena);
            long b = q.shape(0);
            long l = q.shape(1);
            long s = k.shape(1);
            if (k.shape(0) != b || v.shape(0) != b) {
                throw new IllegalArgumentException("key, value: expected batch " + b + " (as query), got "
                        + Shapes.toString(key.shape()) + " and " + Shapes.toString(value.shape()));
            }
            if (v.shape(1) != s) {
                throw new IllegalArgumentException("value: expected " + s + " positions (as key), got " + Shapes.toString(value.shape()));
            }
            Tensor padding = options.keyPaddingMask();
            if (unbatched && padding != null) {
                if (padding.rank() != 1) {
                    throw new IllegalArgumentException("key_padding_mask: expected shape [" + s + "] (unbatched), got "
                            + Shapes.toString(padding.shape()));
                }
                padding = padding.unsqueeze(0);
            }
            Visibility vis = Masks.torch(options.attnMask(), padding, options.isCausal(), b, layer.heads, l, s, arena,
                    "attn_mask", "key_padding_mask");
            boolean copyOut = !batchFirst && !unbatched; // results come back [L, b, ...]
            TensorAllocator out = copyOut ? scratch : TensorAllocator.of(allocator);
            AttentionOutput o = layer.forward(backend, out, scratch, q, k, v, vis, options.needWeights(),
                    options.averageAttnWeights(), options.path());
            Tensor output = o.output();
            Tensor weights = o.weights();
            if (copyOut) {
                output = output.transpose(0, 1).to(DType.F32, allocator);
                weights = weights == null ? null : weights.to(DType.F32, allocator); // weights stay batch first, as PyTorch's
            }
            if (unbatched) {
                output = output.select(0, 0);
                weights = weights == null ? null : weights.select(0, 0);
            }
            return new AttentionOutput(output, weights);
        });
    }

    /** Self attention on one tensor: {@code forward(allocator, x, x, x, options)}. */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor x, MhaOptions options) {
        return forward(allocator, x, x, x, options);
    }

    public int embedDim() {
        return layer.embedDim;
    }

    public int numHeads() {
        return layer.heads;
    }

    public int kdim() {
        return layer.kdim;
    }

    public int vdim() {
        return layer.vdim;
    }

    public boolean batchFirst() {
        return batchFirst;
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("embed_dim", Integer.toString(layer.embedDim));
        m.put("num_heads", Integer.toString(layer.heads));
        m.put("dropout", Float.toString(dropout));
        m.put("bias", Boolean.toString(layer.bias));
        m.put("add_bias_kv", "false");
        m.put("add_zero_attn", "false");
        m.put("kdim", Integer.toString(layer.kdim));
        m.put("vdim", Integer.toString(layer.vdim));
        m.put("batch_first", Boolean.toString(batchFirst));
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + "(embed_dim=" + layer.embedDim + ", num_heads=" + layer.heads + ", kdim=" + layer.kdim
                + ", vdim=" + layer.vdim + ", bias=" + layer.bias + ", batch_first=" + batchFirst + ")";
    }

    /** Configuration with PyTorch's names and defaults (batch_first false, bias true). */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        int embedDim;
        int numHeads;
        float dropout;
        boolean bias = true;
        Integer kdim;
        Integer vdim;
        boolean batchFirst;

        public Builder embedDim(int embedDim) {
            this.embedDim = embedDim;
            return this;
        }

        public Builder numHeads(int numHeads) {
            this.numHeads = numHeads;
            return this;
        }

        /** Kept for weight compatibility; inference ignores it. */
        public Builder dropout(float dropout) {
            this.dropout = dropout;
            return this;
        }

        public Builder bias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** Features of key; defaults to embedDim. */
        public Builder kdim(int kdim) {
            this.kdim = kdim;
            return this;
        }

        /** Features of value; defaults to embedDim. */
        public Builder vdim(int vdim) {
            this.vdim = vdim;
            return this;
        }

        public Builder batchFirst(boolean batchFirst) {
            this.batchFirst = batchFirst;
            return this;
        }

        int kdim() {
            return kdim != null ? kdim : embedDim;
        }

        int vdim() {
            return vdim != null ? vdim : embedDim;
        }

        /** A fresh module initialised as PyTorch initialises one, from {@code seed}. */
        public MultiheadAttention build(Backend backend, long seed) {
            validate();
            return ModuleFiles.fresh(seed, (source, arena) -> new MultiheadAttention(this, source, backend, arena));
        }

        /** A fresh module on the default backend. */
        public MultiheadAttention build(long seed) {
            return build(Backends.defaultBackend(), seed);
        }

        /** A module over a PyTorch state dict (F32 contiguous tensors used in place: keep their arena alive). */
        public MultiheadAttention build(Backend backend, Map<String, Tensor> stateDict) {
            validate();
            return ModuleFiles.fromStateDict(stateDict, (source, arena) -> new MultiheadAttention(this, source, backend, arena));
        }

        void validate() {
            positive("embed_dim", embedDim);
            positive("num_heads", numHeads);
            positive("kdim", kdim());
            positive("vdim", vdim());
            if (embedDim % numHeads != 0) {
                throw new IllegalArgumentException("embed_dim: expected a multiple of num_heads (" + numHeads + "), got " + embedDim);
            }
            if (!(dropout >= 0 && dropout <= 1)) {
                throw new IllegalArgumentException("dropout: expected in [0, 1], got " + dropout);
            }
        }

        static Builder from(Metadata meta) {
            if (meta.bool("add_bias_kv", false)) {
                throw new IllegalArgumentException("__metadata__.add_bias_kv: true is not supported (expected false)");
            }
            if (meta.bool("add_zero_attn", false)) {
                throw new IllegalArgumentException("__metadata__.add_zero_attn: true is not supported (expected false)");
            }
            Builder b = new Builder();
            b.embedDim = meta.integer("embed_dim", null);
            b.numHeads = meta.integer("num_heads", null);
            b.dropout = (float) meta.number("dropout", 0.0);
            b.bias = meta.bool("bias", true);
            b.kdim = meta.integer("kdim", b.embedDim);
            b.vdim = meta.integer("vdim", b.embedDim);
            b.batchFirst = meta.bool("batch_first", false);
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
