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
