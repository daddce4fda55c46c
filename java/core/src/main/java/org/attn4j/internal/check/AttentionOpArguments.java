package org.attn4j.internal.check;

import static org.attn4j.DType.BOOL;
import static org.attn4j.DType.F32;
import org.attn4j.Tensor;

/**
 * The argument rules of the attention-family operations of {@link Backend} (sdpaFused,
 * sdpaSoftmax, rope, additiveScores, linearAttention; relu's are {@link OpArguments#elementwise}),
 * shared by the native and the Java backend so that both accept and reject exactly the same calls.
 */
public final class AttentionOpArguments {
    private AttentionOpArguments() {
    }

    // q [b, h, i, d], k [b, h, j, d], v [b, h, j, dv], out [b, h, i, dv]; visibility over [b, h, i, j]
    public static void sdpaFused(Tensor q, Tensor k, Tensor v, Tensor bias, Tensor mask, Tensor keyPaddingMask,
                          Tensor globalTokens, float scale, Tensor out) {
        visibility(heads(q, k, v, out), bias, mask, keyPaddingMask, globalTokens); // over [b, h, i, j]
        Checks.finite(scale, "scale");
        Checks.apart(out, "out", new Tensor[] {q, k, v, bias, mask, keyPaddingMask, globalTokens}, "q", "k", "v", "bias",
                "mask", "keyPaddingMask", "globalTokens");
    }

    // scores, weights [b, h, i, j]; weights may be scores
    public static void sdpaSoftmax(Tensor scores, Tensor bias, Tensor mask, Tensor keyPaddingMask, Tensor globalTokens,
                            Tensor weights) {
        Checks.input(scores, "scores", F32);
        Checks.output(weights, "weights", F32);
        Checks.rank(scores, "scores", 4);
        long[] s = scores.shape();
        visibility(s, bias, mask, keyPaddingMask, globalTokens);
        Checks.shape(weights, "weights", s);
        Checks.noOverlap(weights, "weights", scores, "scores", true);
        Checks.apart(weights, "weights", new Tensor[] {bias, mask, keyPaddingMask, globalTokens}, "bias", "mask",
                "keyPaddingMask", "globalTokens");
    }

    // bias F32 and mask BOOL broadcastable to [b, h, i, j]; keyPaddingMask BOOL [b, j]; globalTokens BOOL [b, i] with i = j
    private static void visibility(long[] bhij, Tensor bias, Tensor mask, Tensor keyPaddingMask, Tensor globalTokens) {
        Checks.optional(bias, "bias", F32);
        Checks.optional(mask, "mask", BOOL);
        Checks.optional(keyPaddingMask, "keyPaddingMask", BOOL);
        Checks.optional(globalTokens, "globalTokens", BOOL);
        if (bias != null) {
            Checks.broadcastable(bias, "bias", bhij[0], bhij[1], bhij[2], bhij[3]);
        }
        if (mask != null) {
            Checks.broadcastable(mask, "mask", bhij[0], bhij[1], bhij[2], bhij[3]);
        }
        if (keyPaddingMask != null) {
            Checks.shape(keyPaddingMask, "keyPaddingMask", new long[] {bhij[0], bhij[3]});
        }
        if (globalTokens != null) {
            if (bhij[2] != bhij[3]) {
                throw new IllegalArgumentException("globalTokens: expected self attention (i == j), got i = " + bhij[2]
                        + ", j = " + bhij[3]);
            }
            Checks.shape(globalTokens, "globalTokens", new long[] {bhij[0], bhij[2]});
        }
    }

    // scores, weights [b, h, i, j]; weights may be scores; mask broadcastable, keyPaddingMask [b, j]
    public static void topKSoftmax(Tensor scores, Tensor mask, Tensor keyPaddingMask, long topK, Tensor weights) {
        sdpaSoftmax(scores, null, mask, keyPaddingMask, null, weights);
        if (topK < 1) {
            throw new IllegalArgumentException("topK: expected a value >= 1, got " + topK);
        }
    }

    // x, y [b, h, n, d]
    public static void rope(Tensor x, long rotaryDim, long offset, double theta, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.output(y, "y", F32);
        Checks.rank(x, "x", 4);
        Checks.sameShapeOrInPlace(y, "y", x, "x");
        long d = x.shape(3);
        if (rotaryDim < 0 || rotaryDim % 2 != 0 || rotaryDim > d) {
            throw new IllegalArgumentException("rotaryDim: expected an even value in [0, " + d + "], got " + rotaryDim);
        }
        if (offset < 0 || offset > (1L << 24) - x.shape(2)) {
            throw new IllegalArgumentException("offset: expected 0 <= offset and offset + n <= 2^24 (positions exact "
                    + "in float32), got offset " + offset + " with n " + x.shape(2));
        }
        if (!(theta > 1) || !Double.isFinite(theta)) {
            throw new IllegalArgumentException("theta: expected a finite value > 1, got " + theta);
        }
    }

    // q [b, i, a], k [b, j, a], w [a], scores [b, i, j]
    public static void additiveScores(Tensor q, Tensor k, Tensor w, Tensor scores) {
        Checks.input(q, "q", F32, 3);
        Checks.input(k, "k", F32, 3);
        Checks.input(w, "w", F32);
        Checks.output(scores, "scores", F32);
        long a = q.shape(2);
        Checks.shape(k, "k", new long[] {q.shape(0), k.shape(1), a});
        Checks.shape(w, "w", a);
        Checks.shape(scores, "scores", new long[] {q.shape(0), q.shape(1), k.shape(1)});
        Checks.apart(scores, "scores", new Tensor[] {q, k, w}, "q", "k", "w");
    }

    // q [b, h, i, d], k [b, h, j, d], v [b, h, j, dv], out [b, h, i, dv], keyPaddingMask [b, j]
    public static void linearAttention(Tensor q, Tensor k, Tensor v, Tensor keyPaddingMask, boolean causal, float eps,
                                Tensor out) {
        Checks.optional(keyPaddingMask, "keyPaddingMask", BOOL);
        long[] bhij = heads(q, k, v, out);
        long b = bhij[0];
        long i = bhij[2];
        long j = bhij[3];
        if (keyPaddingMask != null) {
            Checks.shape(keyPaddingMask, "keyPaddingMask", new long[] {b, j});
        }
        if (causal && i != j) {
            throw new IllegalArgumentException("causal: expected as many queries as keys, got i = " + i + ", j = " + j);
        }
        Checks.finiteNonNegative(eps, "eps");
        Checks.apart(out, "out", new Tensor[] {q, k, v, keyPaddingMask}, "q", "k", "v", "keyPaddingMask");
    }

    /**
     * Checks q [b, h, i, d], k [b, h, j, d], v [b, h, j, dv] (F32 inputs) and out [b, h, i, dv]
     * (an F32 output) and returns {b, h, i, j}.
     */
    private static long[] heads(Tensor q, Tensor k, Tensor v, Tensor out) {
        Checks.input(q, "q", F32, 4);
        Checks.input(k, "k", F32, 4);
        Checks.input(v, "v", F32, 4);
        Checks.output(out, "out", F32);
        long b = q.shape(0);
        long h = q.shape(1);
        long i = q.shape(2);
        long d = q.shape(3);
        long j = k.shape(2);
        long dv = v.shape(3);
        Checks.shape(k, "k", new long[] {b, h, j, d});
        Checks.shape(v, "v", new long[] {b, h, j, dv});
        Checks.shape(out, "out", new long[] {b, h, i, dv});
        return new long[] {b, h, i, j};
    }
}
