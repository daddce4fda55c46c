package org.attn4j;

/**
 * The JVM-wide default backend: forwards every operation, refuses to close (closing it would
 * break every other user of {@link Backends#defaultBackend()}).
 */
final class SharedBackend implements Backend {
    private final Backend target;

    SharedBackend(Backend target) {
        this.target = target;
    }

    @Override
    public String name() {
        return target.name();
    }

    @Override
    public int threads() {
        return target.threads();
    }

    @Override
    public void linear(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        target.linear(x, weight, bias, y);
    }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, float alpha, Tensor c) {
        target.matmul(a, transA, b, transB, alpha, c);
    }

    @Override
    public void softmax(Tensor x, int axis, Tensor y) {
        target.softmax(x, axis, y);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y) {
        target.rmsNorm(x, weight, eps, y);
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y) {
        target.layerNorm(x, weight, bias, eps, y);
    }

    @Override
    public void gelu(Tensor x, Tensor y) {
        target.gelu(x, y);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor y) {
        target.add(a, b, y);
    }

    @Override
    public void bcaSoftmax(Tensor sim, Tensor relPosBias, Tensor mask, Tensor contextMask, Tensor attn, Tensor contextAttn) {
        target.bcaSoftmax(sim, relPosBias, mask, contextMask, attn, contextAttn);
    }

    @Override
    public void headMix(Tensor x, Tensor weight, Tensor y) {
        target.headMix(x, weight, y);
    }

    @Override
    public void bcaFused(Tensor qk, Tensor contextQk, Tensor v, Tensor contextV, Tensor relPosBias, Tensor mask,
                         Tensor contextMask, Tensor talkingHeads, Tensor contextTalkingHeads, float scale,
                         Tensor out, Tensor contextOut) {
        target.bcaFused(qk, contextQk, v, contextV, relPosBias, mask, contextMask, talkingHeads, contextTalkingHeads,
                scale, out, contextOut);
    }

    @Override
    public void sdpaFused(Tensor q, Tensor k, Tensor v, Tensor bias, Tensor mask, Tensor keyPaddingMask,
                          Tensor globalTokens, long windowLeft, long windowRight, float scale, Tensor out) {
        target.sdpaFused(q, k, v, bias, mask, keyPaddingMask, globalTokens, windowLeft, windowRight, scale, out);
    }

    @Override
    public void sdpaSoftmax(Tensor scores, Tensor bias, Tensor mask, Tensor keyPaddingMask, Tensor globalTokens,
                            long windowLeft, long windowRight, Tensor weights) {
        target.sdpaSoftmax(scores, bias, mask, keyPaddingMask, globalTokens, windowLeft, windowRight, weights);
    }

    @Override
    public void topKSoftmax(Tensor scores, Tensor mask, Tensor keyPaddingMask, long windowLeft, long windowRight,
                            long topK, Tensor weights) {
        target.topKSoftmax(scores, mask, keyPaddingMask, windowLeft, windowRight, topK, weights);
    }

    @Override
    public void relu(Tensor x, Tensor y) {
        target.relu(x, y);
    }

    @Override
    public void rope(Tensor x, long rotaryDim, long offset, double theta, boolean interleaved, Tensor y) {
        target.rope(x, rotaryDim, offset, theta, interleaved, y);
    }

    @Override
    public void additiveScores(Tensor q, Tensor k, Tensor w, Tensor scores) {
        target.additiveScores(q, k, w, scores);
    }

    @Override
    public void linearAttention(Tensor q, Tensor k, Tensor v, Tensor keyPaddingMask, boolean causal, float eps,
                                Tensor out) {
        target.linearAttention(q, k, v, keyPaddingMask, causal, eps, out);
    }

    /** Always throws: the default backend is shared by the whole JVM. */
    @Override
    public void close() {
        throw new IllegalStateException("the default backend (Backends.defaultBackend()) is shared by the whole JVM"
                + " and cannot be closed; use Backends.nativeBackend(threads) for one you own and close");
    }

    @Override
    public String toString() {
        return "shared " + target;
    }
}
