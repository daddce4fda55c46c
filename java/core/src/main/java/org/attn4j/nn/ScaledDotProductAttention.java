package org.attn4j.nn;

import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.layer.Attend;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.Scratch;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.internal.tensor.Shapes;

/**
 * Scaled dot-product attention over heads, as PyTorch's {@code F.scaled_dot_product_attention}:
 * out = softmax(scale · q·kᵀ + mask) · v, with boolean masks (true = attend), float masks
 * (added), key padding, causal, sliding windows with global tokens, and optionally the weights.
 *
 * <p>Without weights it runs the fused tiled kernel: online softmax, O((i + j)·d) memory, and
 * with a window O(i·w·d) time. With weights it materialises [b, h, i, j]. A query that sees no
 * key gets a NaN row, as PyTorch's softmax of an all −∞ row gives. Stateless and thread-safe.
 *
 * <pre>{@code
 * Tensor q = ..., k = ..., v = ...;                      // [b, h, n, d]
 * AttentionOutput o = ScaledDotProductAttention.forward(backend, arena, q, k, v,
 *         SdpaOptions.builder().causal(true).build());   // o.output() [b, h, n, d]
 * }</pre>
 */
public final class ScaledDotProductAttention {
    private ScaledDotProductAttention() {
    }

    /**
     * q [b, h, i, d], k [b, h, j, d], v [b, h, j, dv] (F32, F16 or BF16, any strides) → output
     * [b, h, i, dv] and, when asked, weights [b, h, i, j], both from {@code allocator}.
     */
    public static AttentionOutput forward(Backend backend, SegmentAllocator allocator, Tensor q, Tensor k, Tensor v,
                                          SdpaOptions options) {
        if (backend == null || allocator == null) {
            throw new IllegalArgumentException("backend and allocator must not be null");
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null (use SdpaOptions.DEFAULT)");
        }
        try (Scratch scratch = new Scratch(backend)) {
            q = heads("q", q, scratch);
            k = heads("k", k, scratch);
            v = heads("v", v, scratch);
            long b = q.shape(0);
            long h = q.shape(1);
            long i = q.shape(2);
            long d = q.shape(3);
            long j = k.shape(2);
            if (k.shape(0) != b || k.shape(1) != h || k.shape(3) != d) {
                throw new IllegalArgumentException("k: expected shape " + Shapes.toString(new long[] {b, h, j, d})
                        + " (batch, heads and d of q " + Shapes.toString(q.shape()) + "), got " + Shapes.toString(k.shape()));
            }
            if (v.shape(0) != b || v.shape(1) != h || v.shape(2) != j) {
                throw new IllegalArgumentException("v: expected shape [" + b + ", " + h + ", " + j + ", dv] (as k "
                        + Shapes.toString(k.shape()) + "), got " + Shapes.toString(v.shape()));
            }
            Visibility vis = Masks.sdpa(options, b, h, i, j, scratch.arena());
            TensorAllocator out = TensorAllocator.of(allocator);
            Tensor output = out.allocate(b, h, i, v.shape(3));
            Tensor weights = Attend.run(backend, out, scratch, q, k, v, vis, options.resolvedScale(d),
                    options.needWeights(), options.path(), output);
            return new AttentionOutput(output, weights);
        }
    }

    /** Same with {@link SdpaOptions#DEFAULT}. */
    public static AttentionOutput forward(Backend backend, SegmentAllocator allocator, Tensor q, Tensor k, Tensor v) {
        return forward(backend, allocator, q, k, v, SdpaOptions.DEFAULT);
    }

    /** A rank-4 float tensor as F32 (half-precision inputs are converted into scratch). */
    private static Tensor heads(String name, Tensor t, Scratch scratch) {
        if (t == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        Checks.alive(t, name);
        if (t.rank() != 4) {
            throw new IllegalArgumentException(name + ": expected shape [b, h, n, d], got " + Shapes.toString(t.shape()));
        }
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(name + ": expected dtype F32, F16 or BF16, got " + t.dtype());
        }
        return SequenceInputs.f32(t, scratch.arena());
    }
}
