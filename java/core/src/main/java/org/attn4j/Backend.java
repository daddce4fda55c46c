package org.attn4j;

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

    /** Releases native resources. A second close throws IllegalStateException. */
    @Override
    void close();
}
