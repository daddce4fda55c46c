package org.attn4j.bench;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.attn4j.Backend;
import org.attn4j.Tensor;

/**
 * A backend that runs every op on another backend and adds its wall time to a per-op total, keyed
 * by op and shape (e.g. "linear [4096, 384] → [4096, 1536]"), so a model built on it profiles its
 * own forward. Single-threaded callers only (the totals are not synchronised). Does not close the
 * backend it wraps.
 */
final class ProfilingBackend implements Backend {
    private final Backend inner;
    private final Map<String, long[]> totals = new LinkedHashMap<>(); // key → {nanoseconds, calls, FLOPs}

    ProfilingBackend(Backend inner) {
        this.inner = inner;
    }

    /** Per key: {total nanoseconds, calls, multiply-add FLOPs (linear only, else 0)} since the last reset, in first-call order. */
    Map<String, long[]> totals() {
        return totals;
    }

    void reset() {
        totals.clear();
    }

    private void time(Supplier<String> key, Runnable op) {
        time(key, 0, op);
    }

    private void time(Supplier<String> key, long flops, Runnable op) {
        long t0 = System.nanoTime();
        op.run();
        long t = System.nanoTime() - t0;
        long[] acc = totals.computeIfAbsent(key.get(), k -> new long[3]);
        acc[0] += t;
        acc[1]++;
        acc[2] += flops;
    }

    private static String shape(Tensor t) {
        return t == null ? "–" : Arrays.toString(t.shape());
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public int threads() {
        return inner.threads();
    }

    @Override
    public Tensor packLinearWeight(Tensor weight, Arena arena) {
        return inner.packLinearWeight(weight, arena);
    }

    @Override
    public void linear(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        linear(x, weight, null, bias, y);
    }

    @Override
    public void linearGelu(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        linearGelu(x, weight, null, bias, y);
    }

    @Override
    public void linearResidual(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        linearResidual(x, weight, null, bias, y);
    }

    @Override
    public void linear(Tensor x, Tensor weight, Tensor packed, Tensor bias, Tensor y) {
        time(() -> linearKey("linear", x, packed, y), 2 * x.numel() * weight.shape(0),
                () -> inner.linear(x, weight, packed, bias, y));
    }

    @Override
    public void linearGelu(Tensor x, Tensor weight, Tensor packed, Tensor bias, Tensor y) {
        time(() -> linearKey("linearGelu", x, packed, y), 2 * x.numel() * weight.shape(0),
                () -> inner.linearGelu(x, weight, packed, bias, y));
    }

    @Override
    public void linearResidual(Tensor x, Tensor weight, Tensor packed, Tensor bias, Tensor y) {
        time(() -> linearKey("linearResidual", x, packed, y), 2 * x.numel() * weight.shape(0),
                () -> inner.linearResidual(x, weight, packed, bias, y));
    }

    // "linear [16, 384] → [16, 1536]", with " (packed weight)" when the call has the packed copy
    private static String linearKey(String op, Tensor x, Tensor packed, Tensor y) {
        return op + " " + shape(x) + " → " + shape(y) + (packed != null ? " (packed weight)" : "");
    }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, float alpha, Tensor c) {
        time(() -> "matmul " + shape(c), () -> inner.matmul(a, transA, b, transB, alpha, c));
    }

    @Override
    public void softmax(Tensor x, int axis, Tensor y) {
        time(() -> "softmax " + shape(x), () -> inner.softmax(x, axis, y));
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y) {
        time(() -> "rmsNorm " + shape(x), () -> inner.rmsNorm(x, weight, eps, y));
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y) {
        time(() -> "layerNorm " + shape(x), () -> inner.layerNorm(x, weight, bias, eps, y));
    }

    @Override
    public void gelu(Tensor x, Tensor y) {
        time(() -> "gelu " + shape(x), () -> inner.gelu(x, y));
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor y) {
        time(() -> "add " + shape(a) + " + " + shape(b), () -> inner.add(a, b, y));
    }

    @Override
    public void bcaSoftmax(Tensor sim, Tensor relPosBias, Tensor mask, Tensor contextMask, Tensor attn, Tensor contextAttn) {
        time(() -> "bcaSoftmax " + shape(sim), () -> inner.bcaSoftmax(sim, relPosBias, mask, contextMask, attn, contextAttn));
    }

    @Override
    public void headMix(Tensor x, Tensor weight, Tensor y) {
        time(() -> "headMix " + shape(x), () -> inner.headMix(x, weight, y));
    }

    @Override
    public void bcaFused(Tensor qk, Tensor contextQk, Tensor v, Tensor contextV, Tensor relPosBias, Tensor mask,
                         Tensor contextMask, Tensor talkingHeads, Tensor contextTalkingHeads, float scale,
                         Tensor out, Tensor contextOut) {
        time(() -> "bcaFused " + shape(qk), () -> inner.bcaFused(qk, contextQk, v, contextV, relPosBias, mask, contextMask,
                talkingHeads, contextTalkingHeads, scale, out, contextOut));
    }

    @Override
    public void sdpaFused(Tensor q, Tensor k, Tensor v, Tensor bias, Tensor mask, Tensor keyPaddingMask, Tensor globalTokens,
                          long windowLeft, long windowRight, float scale, Tensor out) {
        time(() -> "sdpaFused " + shape(q), () -> inner.sdpaFused(q, k, v, bias, mask, keyPaddingMask, globalTokens,
                windowLeft, windowRight, scale, out));
    }

    @Override
    public void sdpaSoftmax(Tensor scores, Tensor bias, Tensor mask, Tensor keyPaddingMask, Tensor globalTokens,
                            long windowLeft, long windowRight, Tensor weights) {
        time(() -> "sdpaSoftmax " + shape(scores), () -> inner.sdpaSoftmax(scores, bias, mask, keyPaddingMask, globalTokens,
                windowLeft, windowRight, weights));
    }

    @Override
    public void topKSoftmax(Tensor scores, Tensor mask, Tensor keyPaddingMask, long windowLeft, long windowRight, long topK,
                            Tensor weights) {
        time(() -> "topKSoftmax " + shape(scores), () -> inner.topKSoftmax(scores, mask, keyPaddingMask, windowLeft, windowRight,
                topK, weights));
    }

    @Override
    public void relu(Tensor x, Tensor y) {
        time(() -> "relu " + shape(x), () -> inner.relu(x, y));
    }

    @Override
    public void rope(Tensor x, long rotaryDim, long offset, double theta, boolean interleaved, Tensor y) {
        time(() -> "rope " + shape(x), () -> inner.rope(x, rotaryDim, offset, theta, interleaved, y));
    }

    @Override
    public void additiveScores(Tensor q, Tensor k, Tensor w, Tensor scores) {
        time(() -> "additiveScores " + shape(scores), () -> inner.additiveScores(q, k, w, scores));
    }

    @Override
    public void linearAttention(Tensor q, Tensor k, Tensor v, Tensor keyPaddingMask, boolean causal, float eps, Tensor out) {
        time(() -> "linearAttention " + shape(q), () -> inner.linearAttention(q, k, v, keyPaddingMask, causal, eps, out));
    }

    @Override
    public void close() {
        // the wrapped backend belongs to the caller
    }
}
