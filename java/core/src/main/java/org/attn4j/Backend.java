package org.attn4j;

import java.lang.foreign.Arena;

/**
 * The operations every module is built from, on caller-allocated tensors. Two implementations
 * run the same test suite: the native one (libattn4j.so, oneDNN) and the plain Java reference
 * (double accumulation: slow, obviously right). Each method validates every argument before
 * computing and throws IllegalArgumentException (shapes, dtypes, strides) or
 * IllegalStateException (closed arena, closed backend) with expected and actual in the message.
 *
 * <p>Compute is float32: every tensor argument is F32 unless stated; masks are BOOL. Outputs
 * are written in full and must not overlap inputs unless a method says so. Implementations
 * are thread-safe.
 */
public interface Backend extends AutoCloseable {

    /** "native" or "java". */
    String name();

    /** Threads an operation may use. */
    int threads();

    /** y[..., out] = x[..., in] · weight[out, in]ᵀ + bias[out] (bias may be null). */
    void linear(Tensor x, Tensor weight, Tensor bias, Tensor y);

    /**
     * y = gelu(x · weightᵀ + bias): {@link #linear} with the GELU (erf form) applied to each output
     * as it is computed, no second pass over y (a transformer feed-forward's first half). The
     * native backend's GELU is oneDNN's, within 1.5e-6 (absolute) of the exact x · Φ(x) of
     * {@link #gelu} and 0 below x ≈ −5.54 (where the exact value is under 6.1e-8 in magnitude).
     */
    void linearGelu(Tensor x, Tensor weight, Tensor bias, Tensor y);

    /**
     * y = y + x · weightᵀ + bias: {@link #linear} accumulated into y (a residual connection, fused
     * into the product). y's old contents are read, then overwritten; y must not overlap x, weight
     * or bias.
     */
    void linearResidual(Tensor x, Tensor weight, Tensor bias, Tensor y);

    /**
     * The weight [out, in] of a linear layer prepared once for this backend's products with few
     * rows (a sentence, a short sequence, one decoding step), where reading the weight is most of
     * the work: a copy in {@code arena}, or null where the backend reads the weight as it is (the
     * Java reference). The native backend's copy holds the weight in panels of 16 outputs
     * (4·⌈out/16⌉·16·in bytes: as much memory again as the weight). The copy holds the values
     * the weight has now; pass it with that weight to the {@code linear} methods that take one,
     * while {@code arena} is open.
     */
    default Tensor packLinearWeight(Tensor weight, Arena arena) {
        return null;
    }

    /**
     * {@link #linear(Tensor, Tensor, Tensor, Tensor)} given also {@code packed}, weight's copy
     * from {@link #packLinearWeight} (null: none). The native backend reads the copy for up to
     * 32 rows of x (the leading dims merged), split over its threads by output columns (the same
     * bits on any thread count), and the weight itself otherwise.
     */
    default void linear(Tensor x, Tensor weight, Tensor packed, Tensor bias, Tensor y) {
        linear(x, weight, bias, y);
    }

    /**
     * {@link #linearGelu(Tensor, Tensor, Tensor, Tensor)} given also weight's packed copy, as
     * {@link #linear(Tensor, Tensor, Tensor, Tensor, Tensor)}. The native backend's GELU on the
     * packed path is the exact one of {@link #gelu}.
     */
    default void linearGelu(Tensor x, Tensor weight, Tensor packed, Tensor bias, Tensor y) {
        linearGelu(x, weight, bias, y);
    }

    /**
     * {@link #linearResidual(Tensor, Tensor, Tensor, Tensor)} given also weight's packed copy, as
     * {@link #linear(Tensor, Tensor, Tensor, Tensor, Tensor)}.
     */
    default void linearResidual(Tensor x, Tensor weight, Tensor packed, Tensor bias, Tensor y) {
        linearResidual(x, weight, bias, y);
    }

    /**
     * c[B..., m, n] = alpha · op(a) · op(b), op transposing the last two axes when asked; batch
     * dims equal or 1 (broadcast); any strides.
     */
    void matmul(Tensor a, boolean transA, Tensor b, boolean transB, float alpha, Tensor c);

    /** Softmax along axis -1 or -2. y may be x. */
    void softmax(Tensor x, int axis, Tensor y);

    /** RMSNorm over the last axis: x / sqrt(mean(x²) + eps) · weight. y may be x. */
    void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y);

    /** LayerNorm over the last axis; weight and bias may be null. y may be x. */
    void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y);

    /** Exact (erf) GELU. y may be x. */
    void gelu(Tensor x, Tensor y);

    /** y = a + b, b broadcasting to a's shape. y may be a. */
    void add(Tensor a, Tensor b, Tensor y);

    /**
     * The two-way softmax of bidirectional cross attention on sim [b, h, i, j]: adds
     * relPosBias (null, or broadcastable to [b, h, i, j]), fills −3.4028235e38 where
     * !(mask[b, i] && contextMask[b, j]) (BOOL masks, null = all true), then attn = softmax over
     * j and contextAttn = softmax over i, both [b, h, i, j]. attn may be sim.
     */
    void bcaSoftmax(Tensor sim, Tensor relPosBias, Tensor mask, Tensor contextMask, Tensor attn, Tensor contextAttn);

    /** Talking heads: y[b, g, ...] = Σ_h weight[g, h] · x[b, h, ...]; weight [h, h]. */
    void headMix(Tensor x, Tensor weight, Tensor y);

    /**
     * Fused bidirectional cross attention (no [h, i, j] matrix held):
     * qk, v [b, h, i, d]; contextQk, contextV [b, h, j, d]; out [b, h, i, d] = attn · contextV;
     * contextOut [b, h, j, d] = contextAttnᵀ · v, with attn and contextAttn as
     * {@link #bcaSoftmax} and then {@link #headMix} (talkingHeads / contextTalkingHeads, [h, h] or
     * null) define them on sim = scale · qk · contextQkᵀ.
     */
    void bcaFused(Tensor qk, Tensor contextQk, Tensor v, Tensor contextV, Tensor relPosBias, Tensor mask,
                  Tensor contextMask, Tensor talkingHeads, Tensor contextTalkingHeads, float scale,
                  Tensor out, Tensor contextOut);

    // ------------------------------------------------------------------ the attention family

    /**
     * Fused scaled dot-product attention (no [i, j] matrix held): q [b, h, i, d], k [b, h, j, d],
     * v [b, h, j, dv], out [b, h, i, dv] = softmax(scale · q·kᵀ + bias) · v over the keys each
     * query sees. Key j is visible to query i when mask (BOOL broadcastable to [b, h, i, j], true =
     * attend; null = all), keyPaddingMask (BOOL [b, j], true = attend; null = all) and the window
     * (windowLeft / windowRight &lt; 0 = unbounded; i − j ≤ windowLeft and j − i ≤ windowRight)
     * all allow it; globalTokens (BOOL [b, n], needs i = j; null = none) lifts the window for
     * global queries and keys. bias: F32 broadcastable to [b, h, i, j], or null. Causal attention
     * is windowLeft = −1, windowRight = 0. A query that sees no key (or only −∞ scores) gets a
     * NaN row, as PyTorch's softmax gives.
     */
    void sdpaFused(Tensor q, Tensor k, Tensor v, Tensor bias, Tensor mask, Tensor keyPaddingMask, Tensor globalTokens,
                   long windowLeft, long windowRight, float scale, Tensor out);

    /**
     * The attention softmax on materialised scores [b, h, i, j] (already scaled), with the
     * visibility rules of {@link #sdpaFused}: weights [b, h, i, j] = softmax over j of scores +
     * bias on the visible keys, 0 on the others, NaN rows where a query sees nothing. weights
     * may be scores.
     */
    void sdpaSoftmax(Tensor scores, Tensor bias, Tensor mask, Tensor keyPaddingMask, Tensor globalTokens,
                     long windowLeft, long windowRight, Tensor weights);

    /**
     * Hard (top-k) attention softmax on materialised scores [b, h, i, j] (already scaled), with the
     * visibility rules of {@link #sdpaFused} (mask, keyPaddingMask, window; no bias, no global
     * tokens): per row the keys whose score is at least the row's topK-th largest visible score
     * are kept, ties with it included (so a row may keep more than topK, and the result does not
     * depend on the order of the keys); weights [b, h, i, j] = softmax over the kept keys, 0
     * elsewhere. NaN rows where a query sees no key or a visible score is NaN. topK ≥ 1; weights
     * may be scores.
     */
    void topKSoftmax(Tensor scores, Tensor mask, Tensor keyPaddingMask, long windowLeft, long windowRight, long topK,
                     Tensor weights);

    /** y = max(x, 0) (NaN stays NaN). y may be x. */
    void relu(Tensor x, Tensor y);

    /**
     * Rotary position embeddings on the first rotaryDim (even, ≤ d) channels of x [b, h, n, d];
     * row n sits at position offset + n; pair p turns by position · theta^(−2p / rotaryDim), pairs
     * (p, p + rotaryDim/2) or, when interleaved, (2p, 2p + 1). Other channels are copied. y may be x.
     */
    void rope(Tensor x, long rotaryDim, long offset, double theta, boolean interleaved, Tensor y);

    /** Additive attention scores: scores[b, i, j] = Σ_c w[c] · tanh(q[b, i, c] + k[b, j, c]); w [a]. */
    void additiveScores(Tensor q, Tensor k, Tensor w, Tensor scores);

    /**
     * Linear attention with φ(x) = elu(x) + 1: out[i] = φ(q_i)ᵀ Σ_j φ(k_j) v_jᵀ / (φ(q_i)·Σ_j φ(k_j) + eps)
     * over the keys keyPaddingMask keeps (BOOL [b, j], true = keep; null = all) and, when causal,
     * j ≤ i (then i = j). q [b, h, i, d], k [b, h, j, d], v [b, h, j, dv], out [b, h, i, dv].
     */
    void linearAttention(Tensor q, Tensor k, Tensor v, Tensor keyPaddingMask, boolean causal, float eps, Tensor out);

    /** Releases native resources. A second close throws IllegalStateException. */
    @Override
    void close();
}
