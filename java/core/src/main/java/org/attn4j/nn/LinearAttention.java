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
import org.attn4j.internal.layer.Linear;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.module.ModuleFiles;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.internal.tensor.Shapes;

/**
 * Linear attention (Katharopoulos et al. 2020, "Transformers are RNNs"): the softmax kernel is
 * replaced by φ(q)·φ(k) with φ(x) = elu(x) + 1, so keys and values fold into a [dimHead, dimHead]
 * state per head and the cost is O(n·dimHead²), linear in the sequence length; causal attention
 * runs the same fold as a prefix sum. Parameters {@code to_qkv} (no bias) and {@code to_out} (with
 * bias). Thread-safe; owns its weights.
 */
public final class LinearAttention extends Module {
    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "LinearAttention";

    private final int dim;
    private final int heads;
    private final int dimHead;
    private final boolean causal;
    private final float eps;
    private final Linear toQkv;
    private final Linear toOut;

    private LinearAttention(int dim, int heads, int dimHead, boolean causal, float eps, ParameterSource source,
                            Backend backend, Arena weights) {
        super(backend, weights);
        MultiheadAttention.Builder.positive("dim", dim);
        MultiheadAttention.Builder.positive("heads", heads);
        MultiheadAttention.Builder.positive("dim_head", dimHead);
        if (!(eps >= 0) || !Float.isFinite(eps)) {
            throw new IllegalArgumentException("eps: expected a finite value >= 0, got " + eps);
        }
        this.dim = dim;
        this.heads = heads;
        this.dimHead = dimHead;
        this.causal = causal;
        this.eps = eps;
        long inner = (long) heads * dimHead;
        this.toQkv = new Linear(source, "to_qkv", dim, 3 * inner, false);
        this.toOut = new Linear(source, "to_out", inner, dim, true);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a state dict from a safetensors file configured by its {@code __metadata__}. */
    public static LinearAttention load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, CLASS_NAME, (meta, source, arena) -> new LinearAttention(meta.integer("dim", null),
                meta.integer("heads", 8), meta.integer("dim_head", 64), meta.bool("causal", false),
                (float) meta.number("eps", 1e-6), source, backend, arena));
    }

    /**
     * x [b, n, dim] → [b, n, dim] from {@code allocator}.
     *
     * @param keyPaddingMask BOOL [b, n], true = attend (false marks padding); null = none
     */
    public Tensor forward(SegmentAllocator allocator, Tensor x, Tensor keyPaddingMask) {
        if (allocator == null) {
            throw new IllegalArgumentException("allocator must not be null");
        }
        return call(scratch -> {
            Tensor in = SequenceInputs.sequence("x", x, dim, true, false, scratch.arena());
            long b = in.shape(0);
            long n = in.shape(1);
            if (keyPaddingMask != null) {
                Masks.alive("keyPaddingMask", keyPaddingMask);
                if (keyPaddingMask.dtype() != DType.BOOL || keyPaddingMask.rank() != 2 || keyPaddingMask.shape(0) != b
                        || keyPaddingMask.shape(1) != n) {
                    throw new IllegalArgumentException("keyPaddingMask: expected BOOL" + Shapes.toString(new long[] {b, n})
                            + ", got " + keyPaddingMask);
                }
            }
            Tensor qkv = toQkv.forward(backend, scratch, in);
            Tensor split = qkv.reshape(b, n, 3, heads, dimHead).permute(2, 0, 3, 1, 4); // [3, b, h, n, d]
            Tensor merged = scratch.allocate(b, n, (long) heads * dimHead);
            backend.linearAttention(split.select(0, 0), split.select(0, 1), split.select(0, 2), keyPaddingMask, causal, eps,
                    merged.reshape(b, n, heads, dimHead).permute(0, 2, 1, 3));
            return toOut.forward(backend, TensorAllocator.of(allocator), merged);
        });
    }

    public Tensor forward(SegmentAllocator allocator, Tensor x) {
        return forward(allocator, x, null);
    }

    public boolean causal() {
        return causal;
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dim", Integer.toString(dim));
        m.put("heads", Integer.toString(heads));
        m.put("dim_head", Integer.toString(dimHead));
        m.put("causal", Boolean.toString(causal));
        m.put("eps", Float.toString(eps));
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + "(dim=" + dim + ", heads=" + heads + ", dim_head=" + dimHead + ", causal=" + causal + ")";
    }

    /** Configuration: dim (required), heads 8, dimHead 64, not causal, eps 1e-6. */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        private int dim;
        private int heads = 8;
        private int dimHead = 64;
        private boolean causal;
        private float eps = 1e-6f;

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

        public Builder causal(boolean causal) {
            this.causal = causal;
            return this;
        }

        /** Added to the normaliser φ(q)·Σφ(k). */
        public Builder eps(float eps) {
            this.eps = eps;
            return this;
        }

        public LinearAttention build(Backend backend, long seed) {
            return ModuleFiles.fresh(seed, (source, arena) -> new LinearAttention(dim, heads, dimHead, causal, eps, source,
                    backend, arena));
        }

        public LinearAttention build(long seed) {
            return build(Backends.defaultBackend(), seed);
        }

        public LinearAttention build(Backend backend, Map<String, Tensor> stateDict) {
            return ModuleFiles.fromStateDict(stateDict, (source, arena) -> new LinearAttention(dim, heads, dimHead, causal,
                    eps, source, backend, arena));
        }
    }
}
