package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.layer.Linear;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.internal.tensor.Heads;

/**
 * Linear attention (Katharopoulos et al. 2020, "Transformers are RNNs"): the softmax kernel is
 * replaced by φ(q)·φ(k) with φ(x) = elu(x) + 1, so keys and values fold into a [dimHead, dimHead]
 * state per head and the cost is O(n·dimHead²), linear in the sequence length; causal attention
 * runs the same fold as a prefix sum. Parameters {@code to_qkv} (no bias) and {@code to_out} (with
 * bias). Thread-safe; owns its weights.
 */
public final class LinearAttention extends ConfiguredModule<LinearAttention.Config> {
    /**
     * The configuration, as model files' {@code __metadata__} holds it.
     *
     * @param dim     features of x (required)
     * @param heads   heads (8)
     * @param dimHead size of each head (64)
     * @param causal  position n sees positions 0..n only (false)
     * @param eps     added to the normaliser (1e-6)
     */
    public record Config(int dim, @Default("8") int heads, @Default("64") int dimHead, @Default("false") boolean causal,
                         @Default("1e-6") float eps) {
        public Config {
            Checks.positive("dim, heads, dim_head", dim, heads, dimHead);
            if (!(eps >= 0) || !Float.isFinite(eps)) {
                throw new IllegalArgumentException("eps: expected a finite value >= 0, got " + eps);
            }
        }
    }

    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "LinearAttention";

    private final Linear toQkv;
    private final Linear toOut;

    LinearAttention(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights);
        long inner = (long) config.heads * config.dimHead;
        this.toQkv = new Linear(source, "to_qkv", config.dim, 3 * inner, false);
        this.toOut = new Linear(source, "to_out", inner, config.dim, true);
    }

    /**
     * x [b, n, dim] → [b, n, dim] from {@code allocator}.
     *
     * @param keyPaddingMask BOOL [b, n], true = attend (false marks padding); null = none
     */
    public Tensor forward(SegmentAllocator allocator, Tensor x, Tensor keyPaddingMask) {
        Checks.required(allocator, "allocator must not be null");
        return call(scratch -> {
            int heads = config.heads;
            int dimHead = config.dimHead;
            Tensor in = SequenceInputs.sequence("x", x, config.dim, true, false, scratch.arena());
            long b = in.shape(0);
            long n = in.shape(1);
            Masks.sequenceMask("keyPaddingMask", keyPaddingMask, b, n);
            Tensor qkv = toQkv.forward(backend, scratch, in);
            Tensor split = Heads.splitPacked(qkv, 3, heads, dimHead); // [3, b, h, n, d]
            Tensor merged = scratch.allocate(b, n, (long) heads * dimHead);
            backend.linearAttention(split.select(0, 0), split.select(0, 1), split.select(0, 2), keyPaddingMask, config.causal, config.eps,
                    Heads.split(merged, heads, dimHead));
            return toOut.forward(backend, TensorAllocator.of(allocator), merged);
        });
    }

    public Tensor forward(SegmentAllocator allocator, Tensor x) {
        return forward(allocator, x, null);
    }

    public static LinearAttentionBuilder builder() {
        return new LinearAttentionBuilder();
    }
}
