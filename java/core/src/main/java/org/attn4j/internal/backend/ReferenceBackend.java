package org.attn4j.internal.backend;

import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.AttentionOpArguments;
import org.attn4j.internal.check.OpArguments;
import org.attn4j.internal.tensor.Elements;

/**
 * The plain Java reference of every {@link Backend} operation ("java"): straightforward loops
 * over strided views, every sum accumulated in double. Slow and obviously right: the oracle the
 * native backend is tested against, and the fallback selected by {@code -Dattn4j.backend=java}.
 * Single-threaded; thread-safe because it keeps no state but its closed flag. The fused
 * bidirectional cross attention is computed the materialised way ([h, i, j] matrices in double).
 */
public final class ReferenceBackend implements Backend {
    /** The masking fill of the reference: −(float max), finite so that softmax never sees −∞. */
    public static final double MASK_FILL = -Float.MAX_VALUE;

    private final boolean jvmWide; // the default backend: close() refuses
    private volatile boolean closed;

    /** A reference backend its owner closes. */
    public ReferenceBackend() {
        this(false);
    }

    /** {@code jvmWide}: the JVM-wide default, whose close() throws IllegalStateException. */
    public ReferenceBackend(boolean jvmWide) {
        this.jvmWide = jvmWide;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public int threads() {
        return 1;
    }

    // ------------------------------------------------------------------ basic operations

    @Override
    public void linear(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        linear(x, weight, bias, y, false, false);
    }

    @Override
    public void linearGelu(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        linear(x, weight, bias, y, true, false);
    }

    @Override
    public void linearResidual(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        linear(x, weight, bias, y, false, true);
    }

    // y = x · weightᵀ + bias, then the exact GELU (gelu) or plus y's old value (residual)
    private void linear(Tensor x, Tensor weight, Tensor bias, Tensor y, boolean gelu, boolean residual) {
        ensureOpen();
        OpArguments.linear(x, weight, bias, y);
        long in = x.shape(-1);
        long out = weight.shape(0);
        long[] xRows = Strided.offsets(x, Strided.range(0, x.rank() - 1)); // one per x[..., :]
        long[] yRows = Strided.offsets(y, Strided.range(0, y.rank() - 1));
        long xs = x.stride(-1);
        long ys = y.stride(-1);
        for (int r = 0; r < xRows.length; r++) {
            for (long o = 0; o < out; o++) {
                double acc = bias == null ? 0 : Elements.get(bias, o * bias.stride(0));
                for (long k = 0; k < in; k++) {
                    acc += Elements.get(x, xRows[r] + k * xs) * Elements.get(weight, o * weight.stride(0) + k * weight.stride(1));
                }
                if (gelu) {
                    acc = 0.5 * acc * Erf.erfc(-acc / Math.sqrt(2));
                }
                if (residual) {
                    acc += Elements.get(y, yRows[r] + o * ys);
                }
                Elements.set(y, yRows[r] + o * ys, acc);
            }
        }
    }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, float alpha, Tensor c) {
        ensureOpen();
        OpArguments.matmul(a, transA, b, transB, c);
        int r = c.rank();
        long m = c.shape(-2);
        long n = c.shape(-1);
        long k = transA ? a.shape(-2) : a.shape(-1);
        // Batch dims of size 1 broadcast: view a and b with c's batch dims (stride 0 there).
        Tensor ae = a.expand(Strided.withBatch(c, a));
        Tensor be = b.expand(Strided.withBatch(c, b));
        int[] batch = Strided.range(0, r - 2);
        long[] aBase = Strided.offsets(ae, batch);
        long[] bBase = Strided.offsets(be, batch);
        long[] cBase = Strided.offsets(c, batch);
        // op(a)[i, p] and op(b)[p, j] as strides of the stored tensors
        long aRow = transA ? ae.stride(-1) : ae.stride(-2);
        long aCol = transA ? ae.stride(-2) : ae.stride(-1);
        long bRow = transB ? be.stride(-1) : be.stride(-2);
        long bCol = transB ? be.stride(-2) : be.stride(-1);
        for (int t = 0; t < cBase.length; t++) {
            for (long i = 0; i < m; i++) {
                for (long j = 0; j < n; j++) {
                    double acc = 0;
                    for (long p = 0; p < k; p++) {
                        acc += Elements.get(ae, aBase[t] + i * aRow + p * aCol) * Elements.get(be, bBase[t] + p * bRow + j * bCol);
                    }
                    Elements.set(c, cBase[t] + i * c.stride(-2) + j * c.stride(-1), alpha * acc);
                }
            }
        }
    }

    @Override
    public void softmax(Tensor x, int axis, Tensor y) {
        ensureOpen();
        OpArguments.softmax(x, axis, y);
        int ax = x.rank() + axis;
        int[] others = Strided.allBut(x.rank(), ax);
        long[] xLines = Strided.offsets(x, others);
        long[] yLines = Strided.offsets(y, others);
        double[] line = new double[Math.toIntExact(x.shape(ax))];
        for (int l = 0; l < xLines.length; l++) {
            for (int q = 0; q < line.length; q++) {
                line[q] = Elements.get(x, xLines[l] + q * x.stride(ax));
            }
            softmaxInPlace(line, 0, 1, line.length);
            for (int q = 0; q < line.length; q++) { // y may be x: every read happened above
                Elements.set(y, yLines[l] + q * y.stride(ax), line[q]);
            }
        }
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y) {
        ensureOpen();
        OpArguments.rmsNorm(x, weight, eps, y);
        normalize(x, weight, null, eps, y, false);
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y) {
        ensureOpen();
        OpArguments.layerNorm(x, weight, bias, eps, y);
        normalize(x, weight, bias, eps, y, true);
    }

    // Over the last axis: y = (x − μ) / sqrt(σ² + eps) · w + b (layer norm), or x / sqrt(mean(x²) + eps) · w (RMS).
    private static void normalize(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y, boolean center) {
        int last = x.rank() - 1;
        long n = x.shape(last);
        int[] rows = Strided.range(0, x.rank() - 1);
        long[] xRows = Strided.offsets(x, rows);
        long[] yRows = Strided.offsets(y, rows);
        double[] row = new double[Math.toIntExact(n)];
        for (int r = 0; r < xRows.length; r++) {
            double mean = 0;
            for (int q = 0; q < n; q++) {
                row[q] = Elements.get(x, xRows[r] + q * x.stride(last));
                mean += row[q];
            }
            mean = center ? mean / n : 0;
            double square = 0;
            for (int q = 0; q < n; q++) {
                square += (row[q] - mean) * (row[q] - mean);
            }
            double inv = 1 / Math.sqrt(square / n + eps);
            for (int q = 0; q < n; q++) {
                double v = (row[q] - mean) * inv;
                v *= weight == null ? 1 : Elements.get(weight, q * weight.stride(0));
                v += bias == null ? 0 : Elements.get(bias, q * bias.stride(0));
                Elements.set(y, yRows[r] + q * y.stride(last), v);
            }
        }
    }

    @Override
    public void gelu(Tensor x, Tensor y) {
        ensureOpen();
        OpArguments.elementwise(x, y);
        int[] all = Strided.range(0, x.rank());
        long[] xs = Strided.offsets(x, all);
        long[] ys = Strided.offsets(y, all);
        for (int e = 0; e < xs.length; e++) {
            double v = Elements.get(x, xs[e]);
            Elements.set(y, ys[e], 0.5 * v * Erf.erfc(-v / Math.sqrt(2))); // x · Φ(x), exact erf form
        }
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor y) {
        ensureOpen();
        OpArguments.add(a, b, y);
        Tensor be = b.expand(a.shape());
        int[] all = Strided.range(0, a.rank());
        long[] as = Strided.offsets(a, all);
        long[] bs = Strided.offsets(be, all);
        long[] ys = Strided.offsets(y, all);
        for (int e = 0; e < as.length; e++) {
            Elements.set(y, ys[e], Elements.get(a, as[e]) + Elements.get(be, bs[e]));
        }
    }

    // ------------------------------------------------------------------ attention building blocks

    @Override
    public void bcaSoftmax(Tensor sim, Tensor relPosBias, Tensor mask, Tensor contextMask, Tensor attn, Tensor contextAttn) {
        ensureOpen();
        OpArguments.bcaSoftmax(sim, relPosBias, mask, contextMask, attn, contextAttn);
        long[] shape = sim.shape(); // [b, h, i, j]
        Tensor bias = relPosBias == null ? null : relPosBias.expand(shape);
        int ni = Math.toIntExact(shape[2]);
        int nj = Math.toIntExact(shape[3]);
        double[] s = new double[ni * nj]; // [i, j] of one (b, h)
        double[] rows = new double[ni * nj];
        for (long b = 0; b < shape[0]; b++) {
            for (long h = 0; h < shape[1]; h++) {
                maskedScores(sim, bias, mask, contextMask, b, h, ni, nj, s);
                // attn may be sim: this (b, h) block was read in full above, and no other block aliases it.
                System.arraycopy(s, 0, rows, 0, s.length);
                for (int i = 0; i < ni; i++) {
                    softmaxInPlace(rows, i * nj, 1, nj);
                }
                for (int j = 0; j < nj; j++) {
                    softmaxInPlace(s, j, nj, ni);
                }
                write(attn, b, h, rows, ni, nj);
                write(contextAttn, b, h, s, ni, nj);
            }
        }
    }

    @Override
    public void headMix(Tensor x, Tensor weight, Tensor y) {
        ensureOpen();
        OpArguments.headMix(x, weight, y);
        long nb = x.shape(0);
        long nh = x.shape(1);
        int[] rest = Strided.range(2, x.rank()); // the n... axes
        long[] xr = Strided.offsets(x, rest);
        long[] yr = Strided.offsets(y, rest);
        for (long b = 0; b < nb; b++) {
            for (long g = 0; g < nh; g++) {
                for (int e = 0; e < xr.length; e++) {
                    double acc = 0;
                    for (long h = 0; h < nh; h++) {
                        acc += Elements.get(weight, g * weight.stride(0) + h * weight.stride(1))
                                * Elements.get(x, b * x.stride(0) + h * x.stride(1) + xr[e]);
                    }
                    Elements.set(y, b * y.stride(0) + g * y.stride(1) + yr[e], acc);
                }
            }
        }
    }

    @Override
    public void bcaFused(Tensor qk, Tensor contextQk, Tensor v, Tensor contextV, Tensor relPosBias, Tensor mask,
                         Tensor contextMask, Tensor talkingHeads, Tensor contextTalkingHeads, float scale,
                         Tensor out, Tensor contextOut) {
        ensureOpen();
        OpArguments.bcaFused(qk, contextQk, v, contextV, relPosBias, mask, contextMask, talkingHeads,
                contextTalkingHeads, scale, out, contextOut);
        int nh = Math.toIntExact(qk.shape(1));
        int ni = Math.toIntExact(qk.shape(2));
        int nj = Math.toIntExact(contextQk.shape(2));
        long nd = qk.shape(3);
        Tensor bias = relPosBias == null ? null : relPosBias.expand(qk.shape(0), nh, ni, nj);
        for (long b = 0; b < qk.shape(0); b++) {
            double[][] attn = new double[nh][ni * nj];        // [h][i, j], softmax over j
            double[][] contextAttn = new double[nh][ni * nj]; // [h][i, j], softmax over i
            for (int h = 0; h < nh; h++) {
                // sim = scale · qk · contextQkᵀ (the materialised matrix the fused kernel never holds)
                double[] s = new double[ni * nj];
                for (int i = 0; i < ni; i++) {
                    for (int j = 0; j < nj; j++) {
                        double dot = 0;
                        for (long d = 0; d < nd; d++) {
                            dot += at(qk, b, h, i, d) * at(contextQk, b, h, j, d);
                        }
                        s[i * nj + j] = scale * dot;
                    }
                }
                maskedScores(null, bias, mask, contextMask, b, h, ni, nj, s);
                System.arraycopy(s, 0, attn[h], 0, s.length);
                System.arraycopy(s, 0, contextAttn[h], 0, s.length);
                for (int i = 0; i < ni; i++) {
                    softmaxInPlace(attn[h], i * nj, 1, nj);
                }
                for (int j = 0; j < nj; j++) {
                    softmaxInPlace(contextAttn[h], j, nj, ni);
                }
            }
            attn = mixHeads(attn, talkingHeads);
            contextAttn = mixHeads(contextAttn, contextTalkingHeads);
            for (int h = 0; h < nh; h++) {
                // out[b, h, i, :] = Σ_j attn[h, i, j] · contextV[b, h, j, :]
                weighValues(attn[h], ni, nj, nj, 1, contextV, b, h, nd, out);
                // contextOut[b, h, j, :] = Σ_i contextAttn[h, i, j] · v[b, h, i, :]
                weighValues(contextAttn[h], nj, ni, 1, nj, v, b, h, nd, contextOut);
            }
        }
    }

    /**
     * dst[b, h, r, :] = Σ_c w[r·rowStride + c·colStride] · src[b, h, c, :] for r < rows, c < cols
     * (c ascending): w is one head's weights, read as they are or transposed.
     */
    private static void weighValues(double[] w, int rows, int cols, int rowStride, int colStride, Tensor src, long b,
                                    long h, long nd, Tensor dst) {
        for (int r = 0; r < rows; r++) {
            for (long d = 0; d < nd; d++) {
                double acc = 0;
                for (int c = 0; c < cols; c++) {
                    acc += w[r * rowStride + c * colStride] * at(src, b, h, c, d);
                }
                Elements.set(dst, off(dst, b, h, r, d), acc);
            }
        }
    }

    /**
     * s[i, j] = sim[b, h, i, j] (or the s[i, j] already there when sim is null) + bias[b, h, i, j],
     * then MASK_FILL where !(mask[b, i] && contextMask[b, j]).
     */
    private static void maskedScores(Tensor sim, Tensor bias, Tensor mask, Tensor contextMask, long b, long h,
                                     int ni, int nj, double[] s) {
        for (int i = 0; i < ni; i++) {
            boolean rowOn = mask == null || Elements.get(mask, b * mask.stride(0) + i * mask.stride(1)) != 0;
            for (int j = 0; j < nj; j++) {
                double v = sim == null ? s[i * nj + j] : at(sim, b, h, i, j);
                if (bias != null) {
                    v += at(bias, b, h, i, j);
                }
                boolean colOn = contextMask == null
                        || Elements.get(contextMask, b * contextMask.stride(0) + j * contextMask.stride(1)) != 0;
                s[i * nj + j] = rowOn && colOn ? v : MASK_FILL;
            }
        }
    }

    /** attn'[g] = Σ_h weight[g, h] · attn[h]; the input itself when weight is null. */
    private static double[][] mixHeads(double[][] attn, Tensor weight) {
        if (weight == null) {
            return attn;
        }
        double[][] mixed = new double[attn.length][attn[0].length];
        for (int g = 0; g < attn.length; g++) {
            for (int h = 0; h < attn.length; h++) {
                double w = Elements.get(weight, g * weight.stride(0) + h * weight.stride(1));
                for (int e = 0; e < mixed[g].length; e++) {
                    mixed[g][e] += w * attn[h][e];
                }
            }
        }
        return mixed;
    }

    /** Softmax of v[start + q·step], q < n, in place (max subtracted first). */
    private static void softmaxInPlace(double[] v, int start, int step, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int q = 0; q < n; q++) {
            max = Math.max(max, v[start + q * step]);
        }
        double sum = 0;
        for (int q = 0; q < n; q++) {
            double e = Math.exp(v[start + q * step] - max);
            v[start + q * step] = e;
            sum += e;
        }
        for (int q = 0; q < n; q++) {
            v[start + q * step] /= sum;
        }
    }

    private static void write(Tensor t, long b, long h, double[] values, int ni, int nj) {
        for (int i = 0; i < ni; i++) {
            for (int j = 0; j < nj; j++) {
                Elements.set(t, off(t, b, h, i, j), values[i * nj + j]);
            }
        }
    }

    private static double at(Tensor t, long a, long b, long c, long d) {
        return Elements.get(t, off(t, a, b, c, d));
    }

    private static long off(Tensor t, long a, long b, long c, long d) {
        return a * t.stride(0) + b * t.stride(1) + c * t.stride(2) + d * t.stride(3);
    }

    // ------------------------------------------------------------------ the attention family (AttentionReference)

    @Override
    public void sdpaFused(Tensor q, Tensor k, Tensor v, Tensor bias, Tensor mask, Tensor keyPaddingMask,
                          Tensor globalTokens, long windowLeft, long windowRight, float scale, Tensor out) {
        ensureOpen();
        AttentionOpArguments.sdpaFused(q, k, v, bias, mask, keyPaddingMask, globalTokens, scale, out);
        AttentionReference.sdpaFused(q, k, v, bias, mask, keyPaddingMask, globalTokens, windowLeft, windowRight, scale, out);
    }

    @Override
    public void sdpaSoftmax(Tensor scores, Tensor bias, Tensor mask, Tensor keyPaddingMask, Tensor globalTokens,
                            long windowLeft, long windowRight, Tensor weights) {
        ensureOpen();
        AttentionOpArguments.sdpaSoftmax(scores, bias, mask, keyPaddingMask, globalTokens, weights);
        AttentionReference.sdpaSoftmax(scores, bias, mask, keyPaddingMask, globalTokens, windowLeft, windowRight, weights);
    }

    @Override
    public void topKSoftmax(Tensor scores, Tensor mask, Tensor keyPaddingMask, long windowLeft, long windowRight,
                            long topK, Tensor weights) {
        ensureOpen();
        AttentionOpArguments.topKSoftmax(scores, mask, keyPaddingMask, topK, weights);
        AttentionReference.topKSoftmax(scores, mask, keyPaddingMask, windowLeft, windowRight, topK, weights);
    }

    @Override
    public void relu(Tensor x, Tensor y) {
        ensureOpen();
        OpArguments.elementwise(x, y);
        AttentionReference.relu(x, y);
    }

    @Override
    public void rope(Tensor x, long rotaryDim, long offset, double theta, boolean interleaved, Tensor y) {
        ensureOpen();
        AttentionOpArguments.rope(x, rotaryDim, offset, theta, y);
        AttentionReference.rope(x, rotaryDim, offset, theta, interleaved, y);
    }

    @Override
    public void additiveScores(Tensor q, Tensor k, Tensor w, Tensor scores) {
        ensureOpen();
        AttentionOpArguments.additiveScores(q, k, w, scores);
        AttentionReference.additiveScores(q, k, w, scores);
    }

    @Override
    public void linearAttention(Tensor q, Tensor k, Tensor v, Tensor keyPaddingMask, boolean causal, float eps,
                                Tensor out) {
        ensureOpen();
        AttentionOpArguments.linearAttention(q, k, v, keyPaddingMask, causal, eps, out);
        AttentionReference.linearAttention(q, k, v, keyPaddingMask, causal, eps, out);
    }

    // ------------------------------------------------------------------ lifecycle

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("java backend: expected an open backend, got a closed one");
        }
    }

    @Override
    public synchronized void close() {
        if (jvmWide) {
            throw JvmWide.closeRefused();
        }
        if (closed) {
            throw new IllegalStateException("java backend: already closed (a second close is a bug)");
        }
        closed = true;
    }

    @Override
    public String toString() {
        return (jvmWide ? "default " : "") + "Backend(java)";
    }
}
