package org.attn4j.internal.backend;

import org.attn4j.Tensor;
import org.attn4j.internal.tensor.Elements;

/**
 * Plain Java references of the attention-family operations (the {@link ReferenceBackend} side):
 * straightforward loops over strided views, every sum in double, the [i, j] scores of one head
 * materialised. Arguments are checked by {@link AttentionOpArguments} before these run.
 */
public final class AttentionReference {
    private AttentionReference() {
    }

    /** The visibility rule of Backend#sdpaFused for one (b, h, i, j). */
    private static boolean visible(Tensor mask, Tensor keyPaddingMask, Tensor globalTokens, long windowLeft,
                                   long windowRight, long b, long h, long i, long j) {
        if (mask != null && Elements.get(mask, b * mask.stride(0) + h * mask.stride(1) + i * mask.stride(2) + j * mask.stride(3)) == 0) {
            return false;
        }
        if (keyPaddingMask != null && Elements.get(keyPaddingMask, b * keyPaddingMask.stride(0) + j * keyPaddingMask.stride(1)) == 0) {
            return false;
        }
        boolean inWindow = (windowLeft < 0 || i - j <= windowLeft) && (windowRight < 0 || j - i <= windowRight);
        if (inWindow) {
            return true;
        }
        return globalTokens != null && (Elements.get(globalTokens, b * globalTokens.stride(0) + i * globalTokens.stride(1)) != 0
                || Elements.get(globalTokens, b * globalTokens.stride(0) + j * globalTokens.stride(1)) != 0);
    }

    /**
     * Softmax of row s[0..n) in place over the visible entries (−∞ elsewhere); all −∞ gives NaN,
     * as PyTorch's softmax does.
     */
    private static void softmax(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(s, Double.NaN);
            return;
        }
        double sum = 0;
        for (int k = 0; k < s.length; k++) {
            s[k] = Math.exp(s[k] - max);
            sum += s[k];
        }
        for (int k = 0; k < s.length; k++) {
            s[k] /= sum;
        }
    }

    /** Row (b, h, i) of the masked scores: (scores or q·kᵀ) · scale + bias, −∞ where invisible. */
    private static void maskedRow(double[] row, Tensor bias, Tensor mask, Tensor keyPaddingMask, Tensor globalTokens,
                                  long windowLeft, long windowRight, long b, long h, long i) {
        for (int j = 0; j < row.length; j++) {
            if (bias != null) {
                row[j] += Elements.get(bias, off(bias, b, h, i, j));
            }
            if (!visible(mask, keyPaddingMask, globalTokens, windowLeft, windowRight, b, h, i, j)) {
                row[j] = Double.NEGATIVE_INFINITY;
            }
        }
    }

    public static void sdpaFused(Tensor q, Tensor k, Tensor v, Tensor bias, Tensor mask, Tensor keyPaddingMask,
                          Tensor globalTokens, long windowLeft, long windowRight, float scale, Tensor out) {
        long[] bhij = {q.shape(0), q.shape(1), q.shape(2), k.shape(2)};
        Tensor be = bias == null ? null : bias.expand(bhij);
        Tensor me = mask == null ? null : mask.expand(bhij);
        long d = q.shape(3);
        long dv = v.shape(3);
        double[] row = new double[Math.toIntExact(bhij[3])];
        for (long b = 0; b < bhij[0]; b++) {
            for (long h = 0; h < bhij[1]; h++) {
                for (long i = 0; i < bhij[2]; i++) {
                    for (int j = 0; j < row.length; j++) {
                        double dot = 0;
                        for (long c = 0; c < d; c++) {
                            dot += Elements.get(q, off(q, b, h, i, c)) * Elements.get(k, off(k, b, h, j, c));
                        }
                        row[j] = scale * dot;
                    }
                    maskedRow(row, be, me, keyPaddingMask, globalTokens, windowLeft, windowRight, b, h, i);
                    softmax(row);
                    for (long c = 0; c < dv; c++) {
                        double acc = row.length == 0 ? Double.NaN : 0; // no key at all: nothing to average
                        for (int j = 0; j < row.length; j++) {
                            acc += row[j] * Elements.get(v, off(v, b, h, j, c));
                        }
                        Elements.set(out, off(out, b, h, i, c), acc);
                    }
                }
            }
        }
    }

    public static void sdpaSoftmax(Tensor scores, Tensor bias, Tensor mask, Tensor keyPaddingMask, Tensor globalTokens,
                            long windowLeft, long windowRight, Tensor weights) {
        long[] s = scores.shape();
        Tensor be = bias == null ? null : bias.expand(s);
        Tensor me = mask == null ? null : mask.expand(s);
        double[] row = new double[Math.toIntExact(s[3])];
        for (long b = 0; b < s[0]; b++) {
            for (long h = 0; h < s[1]; h++) {
                for (long i = 0; i < s[2]; i++) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] = Elements.get(scores, off(scores, b, h, i, j));
                    }
                    maskedRow(row, be, me, keyPaddingMask, globalTokens, windowLeft, windowRight, b, h, i);
                    softmax(row);
                    for (int j = 0; j < row.length; j++) { // weights may be scores: the row was read above
                        Elements.set(weights, off(weights, b, h, i, j), row[j]);
                    }
                }
            }
        }
    }

    public static void topKSoftmax(Tensor scores, Tensor mask, Tensor keyPaddingMask, long windowLeft, long windowRight,
                            long topK, Tensor weights) {
        long[] s = scores.shape();
        Tensor me = mask == null ? null : mask.expand(s);
        double[] row = new double[Math.toIntExact(s[3])];
        double[] sorted = new double[row.length];
        for (long b = 0; b < s[0]; b++) {
            for (long h = 0; h < s[1]; h++) {
                for (long i = 0; i < s[2]; i++) {
                    boolean nan = false;
                    for (int j = 0; j < row.length; j++) {
                        row[j] = Elements.get(scores, off(scores, b, h, i, j));
                    }
                    maskedRow(row, null, me, keyPaddingMask, null, windowLeft, windowRight, b, h, i);
                    for (int j = 0; j < row.length; j++) {
                        nan |= Double.isNaN(row[j]);
                    }
                    if (nan) { // a NaN score has no rank: the whole row is NaN
                        java.util.Arrays.fill(row, Double.NaN);
                    } else if (topK < row.length) {
                        // threshold: the topK-th largest, invisible keys counting as −∞
                        System.arraycopy(row, 0, sorted, 0, row.length);
                        java.util.Arrays.sort(sorted);
                        double threshold = sorted[row.length - Math.toIntExact(topK)];
                        for (int j = 0; j < row.length; j++) {
                            row[j] = row[j] < threshold ? Double.NEGATIVE_INFINITY : row[j];
                        }
                    }
                    if (!nan) {
                        softmax(row);
                    }
                    for (int j = 0; j < row.length; j++) {
                        Elements.set(weights, off(weights, b, h, i, j), row[j]);
                    }
                }
            }
        }
    }

    public static void relu(Tensor x, Tensor y) {
        int[] all = Strided.range(0, x.rank());
        long[] xs = Strided.offsets(x, all);
        long[] ys = Strided.offsets(y, all);
        for (int e = 0; e < xs.length; e++) {
            double v = Elements.get(x, xs[e]);
            Elements.set(y, ys[e], v > 0 || Double.isNaN(v) ? v : 0.0);
        }
    }

    public static void rope(Tensor x, long rotaryDim, long offset, double theta, boolean interleaved, Tensor y) {
        long half = rotaryDim / 2;
        long d = x.shape(3);
        double[] pair = new double[Math.toIntExact(d)];
        for (long b = 0; b < x.shape(0); b++) {
            for (long h = 0; h < x.shape(1); h++) {
                for (long n = 0; n < x.shape(2); n++) {
                    for (int c = 0; c < d; c++) {
                        pair[c] = Elements.get(x, off(x, b, h, n, c));
                    }
                    for (long p = 0; p < half; p++) {
                        // The float32 frequency and angle of the PyTorch implementations (see attn4j.h).
                        float invFreq = (float) (1.0 / Math.pow(theta, (double) (float) (2 * p) / rotaryDim));
                        float angle = (float) (offset + n) * invFreq;
                        double cos = Math.cos(angle);
                        double sin = Math.sin(angle);
                        int i0 = (int) (interleaved ? 2 * p : p);
                        int i1 = (int) (interleaved ? 2 * p + 1 : p + half);
                        double x0 = pair[i0];
                        double x1 = pair[i1];
                        pair[i0] = x0 * cos - x1 * sin;
                        pair[i1] = x1 * cos + x0 * sin;
                    }
                    for (int c = 0; c < d; c++) {
                        Elements.set(y, off(y, b, h, n, c), pair[c]);
                    }
                }
            }
        }
    }

    public static void additiveScores(Tensor q, Tensor k, Tensor w, Tensor scores) {
        long a = q.shape(2);
        for (long b = 0; b < q.shape(0); b++) {
            for (long i = 0; i < q.shape(1); i++) {
                for (long j = 0; j < k.shape(1); j++) {
                    double sum = 0;
                    for (long c = 0; c < a; c++) {
                        double qv = Elements.get(q, b * q.stride(0) + i * q.stride(1) + c * q.stride(2));
                        double kv = Elements.get(k, b * k.stride(0) + j * k.stride(1) + c * k.stride(2));
                        sum += Elements.get(w, c * w.stride(0)) * Math.tanh(qv + kv);
                    }
                    Elements.set(scores, b * scores.stride(0) + i * scores.stride(1) + j * scores.stride(2), sum);
                }
            }
        }
    }

    private static double phi(double x) {
        return x > 0 ? x + 1 : Math.exp(x); // elu(x) + 1
    }

    public static void linearAttention(Tensor q, Tensor k, Tensor v, Tensor keyPaddingMask, boolean causal, float eps,
                                Tensor out) {
        long d = q.shape(3);
        long dv = v.shape(3);
        long nj = k.shape(2);
        for (long b = 0; b < q.shape(0); b++) {
            for (long h = 0; h < q.shape(1); h++) {
                for (long i = 0; i < q.shape(2); i++) {
                    double[] num = new double[Math.toIntExact(dv)];
                    double den = eps;
                    for (long j = 0; j < nj; j++) {
                        boolean kept = keyPaddingMask == null
                                || Elements.get(keyPaddingMask, b * keyPaddingMask.stride(0) + j * keyPaddingMask.stride(1)) != 0;
                        if (!kept || (causal && j > i)) {
                            continue;
                        }
                        double sim = 0;
                        for (long c = 0; c < d; c++) {
                            sim += phi(Elements.get(q, off(q, b, h, i, c))) * phi(Elements.get(k, off(k, b, h, j, c)));
                        }
                        den += sim;
                        for (int c = 0; c < dv; c++) {
                            num[c] += sim * Elements.get(v, off(v, b, h, j, c));
                        }
                    }
                    for (int c = 0; c < dv; c++) {
                        Elements.set(out, off(out, b, h, i, c), num[c] / den);
                    }
                }
            }
        }
    }

    private static long off(Tensor t, long a, long b, long c, long d) {
        return a * t.stride(0) + b * t.stride(1) + c * t.stride(2) + d * t.stride(3);
    }
}
