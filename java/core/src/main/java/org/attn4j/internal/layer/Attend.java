package org.attn4j.internal.layer;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.QueryKeyValue;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.TensorAllocator;
import org.attn4j.nn.AttentionOutput;
import org.attn4j.nn.AttentionPath;

/**
 * The attention step every module of the family shares: q, k, v split into heads → out, by the
 * fused kernel (O(n) memory, no weights) or by the materialised path (scores, masked softmax,
 * weights · v) when the weights are wanted.
 */
public final class Attend {
    private Attend() {
    }

    /**
     * Writes softmax(scale · q·kᵀ + bias, visible keys) · v into {@code out} and returns the
     * weights [b, h, i, j] (from {@code weightsAllocator}) when {@code needWeights}, else null.
     *
     * @param q   [b, h, i, d]
     * @param k   [b, h, j, d]
     * @param v   [b, h, j, dv]
     * @param out [b, h, i, dv], any strides (e.g. a heads view of a [b, i, h·dv] buffer)
     */
    public static Tensor run(Backend backend, TensorAllocator weightsAllocator, TensorAllocator scratch, Tensor q, Tensor k,
                      Tensor v, Visibility vis, float scale, boolean needWeights, AttentionPath path, Tensor out) {
        boolean fused = switch (path) {
            case AUTO -> !needWeights;
            case FUSED -> {
                if (needWeights) {
                    throw new IllegalArgumentException("path: the FUSED path never holds the attention weights; "
                            + "expected MATERIALISED or AUTO when weights are asked for");
                }
                yield true;
            }
            case MATERIALISED -> false;
        };
        if (fused) {
            backend.sdpaFused(q, k, v, vis.bias(), vis.mask(), vis.keyPaddingMask(), vis.globalTokens(),
                    vis.windowLeft(), vis.windowRight(), scale, out);
            return null;
        }
        long[] shape = {q.shape(0), q.shape(1), q.shape(2), k.shape(2)};
        Tensor weights = (needWeights ? weightsAllocator : scratch).allocate(shape); // [b, h, i, j]
        backend.matmul(q, false, k, true, scale, weights);                          // scores, softmaxed in place
        backend.sdpaSoftmax(weights, vis.bias(), vis.mask(), vis.keyPaddingMask(), vis.globalTokens(),
                vis.windowLeft(), vis.windowRight(), weights);
        backend.matmul(weights, false, v, false, 1f, out);
        return needWeights ? weights : null;
    }

    /**
     * The end of a single-head scoring module (additive, Luong): weights = the softmax of
     * {@code scores} [b, i, j] over the visible keys, output = weights · values [b, i, dv], both
     * from {@code out}.
     */
    public static AttentionOutput weighValues(Backend backend, TensorAllocator out, Tensor scores, QueryKeyValue in) {
        Tensor weights = out.allocate(in.b(), in.i(), in.j());
        backend.sdpaSoftmax(scores.unsqueeze(1), null, null, in.keyPaddingMask(), null, -1, -1, weights.unsqueeze(1));
        Tensor output = out.allocate(in.b(), in.i(), in.values().shape(2));
        backend.matmul(weights, false, in.values(), false, 1f, output);
        return new AttentionOutput(output, weights);
    }
}
