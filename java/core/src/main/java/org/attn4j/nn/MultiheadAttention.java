package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.layer.MultiheadAttentionLayer;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.SameAs;
import org.attn4j.internal.module.TensorAllocator;

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
public final class MultiheadAttention extends ConfiguredModule<MultiheadAttention.Config> {
    /**
     * The configuration with PyTorch's names, defaults and order, as model files'
     * {@code __metadata__} holds it.
     *
     * @param embedDim    features of query and output (required)
     * @param numHeads    heads; embedDim is a multiple of it (required)
     * @param dropout     kept for weight compatibility; inference ignores it (0)
     * @param bias        biases on the projections (true)
     * @param addBiasKv   not supported: false
     * @param addZeroAttn not supported: false
     * @param kdim        features of key (defaults to embedDim)
     * @param vdim        features of value (defaults to embedDim)
     * @param batchFirst  inputs [b, n, ·] instead of [n, b, ·] (false)
     */
    public record Config(int embedDim, int numHeads, @Default("0") float dropout, @Default("true") boolean bias,
                         @Default("false") boolean addBiasKv, @Default("false") boolean addZeroAttn,
                         @SameAs("embedDim") int kdim, @SameAs("embedDim") int vdim,
                         @Default("false") boolean batchFirst) {
        public Config {
            Checks.positive("embed_dim, num_heads, kdim, vdim", embedDim, numHeads, kdim, vdim);
            Checks.multipleOf("embed_dim", embedDim, "num_heads", numHeads);
            Checks.probability("dropout", dropout);
            if (addBiasKv || addZeroAttn) {
                throw new IllegalArgumentException((addBiasKv ? "add_bias_kv" : "add_zero_attn")
                        + ": true is not supported (expected false)");
            }
        }
    }

    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "MultiheadAttention";

    private final MultiheadAttentionLayer layer;

    MultiheadAttention(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights);
        this.layer = new MultiheadAttentionLayer(source, config.embedDim, config.numHeads, config.kdim, config.vdim,
                config.bias);
    }

    /**
     * query [b, L, E], key [b, S, kdim], value [b, S, vdim] ([L, b, ...] when batch_first is
     * false; [L, E], [S, kdim], [S, vdim] unbatched) → output [b, L, E] and, with needWeights,
     * weights [b, L, S] (averaged) or [b, num_heads, L, S], from {@code allocator}. Pass the same
     * tensor as query, key and value for self attention (one packed projection then).
     */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor query, Tensor key, Tensor value, MhaOptions options) {
        Checks.required(allocator, "allocator must not be null");
        Checks.required(options, "options must not be null (use MhaOptions.DEFAULT)");
        return call(scratch -> {
            Arena arena = scratch.arena();
            boolean unbatched = query != null && query.rank() == 2;
            boolean selfAttention = SequenceInputs.sameView(query, key) && SequenceInputs.sameView(key, value);
            boolean sharedMemory = SequenceInputs.sameView(key, value);
            Tensor q = SequenceInputs.sequence("query", query, layer.embedDim, config.batchFirst, unbatched, arena);
            Tensor k = selfAttention ? q : SequenceInputs.sequence("key", key, layer.kdim, config.batchFirst, unbatched, arena);
            Tensor v = selfAttention ? q : sharedMemory ? k
                    : SequenceInputs.sequence("value", value, layer.vdim, config.batchFirst, unbatched, arena);
            long b = q.shape(0);
            long l = q.shape(1);
            long s = k.shape(1);
            SequenceInputs.keysAndValues("key, value", q, k, v, key, value);
            Visibility vis = Masks.torch(options.attnMask(), options.keyPaddingMask(), unbatched, options.isCausal(), b,
                    layer.heads, l, s, arena,
                    "attn_mask", "key_padding_mask");
            boolean copyOut = !config.batchFirst && !unbatched; // results come back [L, b, ...]
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

    public static MultiheadAttentionBuilder builder() {
        return new MultiheadAttentionBuilder();
    }
}
