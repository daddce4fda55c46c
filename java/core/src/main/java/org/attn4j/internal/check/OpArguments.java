package org.attn4j.internal.check;

import static org.attn4j.DType.BOOL;
import static org.attn4j.DType.F32;
import org.attn4j.Tensor;
import org.attn4j.internal.tensor.Shapes;

/**
 * The argument rules of every {@link Backend} operation, in one place, so that the native and
 * the Java backend accept and reject exactly the same calls. Each method checks presence,
 * lifetime, dtype, alignment, rank, shapes and aliasing, and throws before anything is computed.
 * The happy path allocates only the short input lists handed to {@link Checks#apart}
 * (operations are called in loops); arrays for messages are made only on failure.
 */
public final class OpArguments {
    private OpArguments() {
    }

    // x [..., in], weight [out, in], bias [out] or null, y [..., out]
    public static void linear(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.input(weight, "weight", F32);
        Checks.optional(bias, "bias", F32);
        Checks.output(y, "y", F32);
        Checks.rankAtLeast(x, "x", 1);
        Checks.rank(weight, "weight", 2);
        long out = weight.shape(0);
        Checks.shape(weight, "weight", out, x.shape(-1));
        if (bias != null) {
            Checks.shape(bias, "bias", out);
        }
        Checks.sameShapeButLast(y, "y", x, out);
        Checks.apart(y, "y", new Tensor[] {x, weight, bias}, "x", "weight", "bias");
    }

    // weight [out, in], the input of Backend.packLinearWeight
    public static void linearWeight(Tensor weight) {
        Checks.input(weight, "weight", F32);
        Checks.rank(weight, "weight", 2);
    }

    // packed [floats], contiguous: a weight's copy from Backend.packLinearWeight
    public static void packedWeight(Tensor packed, long floats) {
        Checks.input(packed, "packed", F32);
        Checks.shape(packed, "packed", floats);
        if (!packed.isContiguous()) {
            throw new IllegalArgumentException("packed: expected a contiguous tensor (Backend.packLinearWeight's), got strides "
                    + Shapes.toString(packed.strides()));
        }
    }

    // a [A..., m, k] (or [A..., k, m] when transA), b [B..., k, n] (or [B..., n, k]), c [C..., m, n]:
    // batch dims aligned right, the shorter operand padded with leading 1s; each pair equal or 1.
    public static void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        Checks.input(a, "a", F32);
        Checks.input(b, "b", F32);
        Checks.output(c, "c", F32);
        Checks.rankAtLeast(a, "a", 2);
        Checks.rankAtLeast(b, "b", 2);
        int r = Math.max(a.rank(), b.rank());
        Checks.rank(c, "c", r);
        long m = transA ? a.shape(-1) : a.shape(-2);
        long k = transA ? a.shape(-2) : a.shape(-1);
        long n = transB ? b.shape(-2) : b.shape(-1);
        if ((transB ? b.shape(-1) : b.shape(-2)) != k) { // op(b) must have k rows
            long[] expected = b.shape();
            expected[expected.length - 2] = transB ? n : k;
            expected[expected.length - 1] = transB ? k : n;
            Checks.shape(b, "b", expected);
        }
        boolean cOk = c.shape(-2) == m && c.shape(-1) == n;
        for (int d = 0; d < r - 2; d++) {
            long ad = batchDim(a, d, r);
            long bd = batchDim(b, d, r);
            if (ad != bd && ad != 1 && bd != 1) {
                throw new IllegalArgumentException("b: expected batch dim " + d + " equal to a's (" + ad
                        + ") or 1, got " + Shapes.toString(b.shape()) + " against a " + Shapes.toString(a.shape()));
            }
            cOk &= c.shape(d) == (ad == 1 ? bd : ad);
        }
        if (!cOk) {
            long[] expected = new long[r];
            for (int d = 0; d < r - 2; d++) {
                expected[d] = batchDim(a, d, r) == 1 ? batchDim(b, d, r) : batchDim(a, d, r);
            }
            expected[r - 2] = m;
            expected[r - 1] = n;
            Checks.shape(c, "c", expected);
        }
        Checks.apart(c, "c", new Tensor[] {a, b}, "a", "b");
    }

    // Dim d of t's shape padded with leading 1s to rank r.
    private static long batchDim(Tensor t, int d, int r) {
        int k = d - (r - t.rank());
        return k < 0 ? 1 : t.shape(k);
    }

    // x, y same shape; axis -1 or -2
    public static void softmax(Tensor x, int axis, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.output(y, "y", F32);
        if (axis != -1 && axis != -2) {
            throw new IllegalArgumentException("axis: expected -1 or -2, got " + axis);
        }
        Checks.rankAtLeast(x, "x", -axis);
        Checks.sameShapeOrInPlace(y, "y", x, "x");
    }

    // x [..., n], weight [n], y like x
    public static void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.input(weight, "weight", F32);
        Checks.output(y, "y", F32);
        Checks.rankAtLeast(x, "x", 1);
        Checks.shape(weight, "weight", x.shape(-1));
        Checks.finiteNonNegative(eps, "eps");
        Checks.sameShapeOrInPlace(y, "y", x, "x");
        Checks.noOverlap(y, "y", weight, "weight", false);
    }

    // x [..., n], weight and bias [n] or null, y like x
    public static void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.optional(weight, "weight", F32);
        Checks.optional(bias, "bias", F32);
        Checks.output(y, "y", F32);
        Checks.rankAtLeast(x, "x", 1);
        if (weight != null) {
            Checks.shape(weight, "weight", x.shape(-1));
        }
        if (bias != null) {
            Checks.shape(bias, "bias", x.shape(-1));
        }
        Checks.finiteNonNegative(eps, "eps");
        Checks.sameShapeOrInPlace(y, "y", x, "x");
        Checks.apart(y, "y", new Tensor[] {weight, bias}, "weight", "bias");
    }

    // x F32, y F32 of x's shape, apart from x or x itself: gelu, relu
    public static void elementwise(Tensor x, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.output(y, "y", F32);
        Checks.sameShapeOrInPlace(y, "y", x, "x");
    }

    // a [...], b broadcasting to a, y like a
    public static void add(Tensor a, Tensor b, Tensor y) {
        Checks.input(a, "a", F32);
        Checks.input(b, "b", F32);
        Checks.output(y, "y", F32);
        Checks.broadcastable(b, "b", a);
        Checks.sameShapeOrInPlace(y, "y", a, "a");
        Checks.noOverlap(y, "y", b, "b", false);
    }

    // sim [b, h, i, j]; relPosBias broadcasting to it or null; mask [b, i], contextMask [b, j] BOOL or null;
    // attn, contextAttn [b, h, i, j]
    public static void bcaSoftmax(Tensor sim, Tensor relPosBias, Tensor mask, Tensor contextMask, Tensor attn, Tensor contextAttn) {
        Checks.input(sim, "sim", F32, 4);
        Checks.output(attn, "attn", F32);
        Checks.output(contextAttn, "contextAttn", F32);
        masks(mask, contextMask, sim.shape(0), sim.shape(2), sim.shape(3));
        relPosBias(relPosBias, sim.shape(0), sim.shape(1), sim.shape(2), sim.shape(3));
        Checks.sameShape(attn, "attn", sim);
        Checks.sameShape(contextAttn, "contextAttn", sim);
        Checks.noOverlap(attn, "attn", sim, "sim", true);
        Checks.noOverlap(contextAttn, "contextAttn", sim, "sim", false);
        Checks.noOverlap(contextAttn, "contextAttn", attn, "attn", false);
        apartFromSoftmaxInputs(attn, "attn", relPosBias, mask, contextMask);
        apartFromSoftmaxInputs(contextAttn, "contextAttn", relPosBias, mask, contextMask);
    }

    private static void apartFromSoftmaxInputs(Tensor out, String name, Tensor relPosBias, Tensor mask, Tensor contextMask) {
        Checks.apart(out, name, new Tensor[] {relPosBias, mask, contextMask}, "relPosBias", "mask", "contextMask");
    }

    // x [b, h, n...], weight [h, h], y like x
    public static void headMix(Tensor x, Tensor weight, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.input(weight, "weight", F32);
        Checks.output(y, "y", F32);
        Checks.rankAtLeast(x, "x", 2);
        Checks.shape(weight, "weight", x.shape(1), x.shape(1));
        Checks.sameShape(y, "y", x);
        Checks.apart(y, "y", new Tensor[] {x, weight}, "x", "weight");
    }

    // qk, v [b, h, i, d]; contextQk, contextV [b, h, j, d]; out [b, h, i, d]; contextOut [b, h, j, d]
    public static void bcaFused(Tensor qk, Tensor contextQk, Tensor v, Tensor contextV, Tensor relPosBias, Tensor mask,
                         Tensor contextMask, Tensor talkingHeads, Tensor contextTalkingHeads, float scale,
                         Tensor out, Tensor contextOut) {
        Checks.input(qk, "qk", F32, 4);
        Checks.input(contextQk, "contextQk", F32, 4);
        Checks.input(v, "v", F32, 4);
        Checks.input(contextV, "contextV", F32, 4);
        long b = qk.shape(0);
        long h = qk.shape(1);
        long i = qk.shape(2);
        long d = qk.shape(3);
        long j = contextQk.shape(2);
        Checks.shape(contextQk, "contextQk", b, h, j, d);
        Checks.shape(v, "v", b, h, i, d);
        Checks.shape(contextV, "contextV", b, h, j, d);
        masks(mask, contextMask, b, i, j);
        relPosBias(relPosBias, b, h, i, j);
        headMatrix(talkingHeads, "talkingHeads", h);
        headMatrix(contextTalkingHeads, "contextTalkingHeads", h);
        Checks.finite(scale, "scale");
        Checks.output(out, "out", F32);
        Checks.output(contextOut, "contextOut", F32);
        Checks.shape(out, "out", b, h, i, d);
        Checks.shape(contextOut, "contextOut", b, h, j, d);
        Checks.noOverlap(contextOut, "contextOut", out, "out", false);
        apartFromFusedInputs(out, "out", qk, contextQk, v, contextV, relPosBias, mask, contextMask, talkingHeads,
                contextTalkingHeads);
        apartFromFusedInputs(contextOut, "contextOut", qk, contextQk, v, contextV, relPosBias, mask, contextMask,
                talkingHeads, contextTalkingHeads);
    }

    private static void apartFromFusedInputs(Tensor o, String name, Tensor qk, Tensor contextQk, Tensor v, Tensor contextV,
                                             Tensor relPosBias, Tensor mask, Tensor contextMask, Tensor talkingHeads,
                                             Tensor contextTalkingHeads) {
        Checks.apart(o, name, new Tensor[] {qk, contextQk, v, contextV, relPosBias, mask, contextMask, talkingHeads,
            contextTalkingHeads}, "qk", "contextQk", "v", "contextV", "relPosBias", "mask", "contextMask", "talkingHeads",
            "contextTalkingHeads");
    }

    // mask [b, i], contextMask [b, j], BOOL or null
    private static void masks(Tensor mask, Tensor contextMask, long b, long i, long j) {
        Checks.optional(mask, "mask", BOOL);
        Checks.optional(contextMask, "contextMask", BOOL);
        if (mask != null) {
            Checks.shape(mask, "mask", b, i);
        }
        if (contextMask != null) {
            Checks.shape(contextMask, "contextMask", b, j);
        }
    }

    // relPosBias F32 broadcasting to [b, h, i, j], or null
    private static void relPosBias(Tensor relPosBias, long b, long h, long i, long j) {
        Checks.optional(relPosBias, "relPosBias", F32);
        if (relPosBias != null) {
            Checks.broadcastable(relPosBias, "relPosBias", b, h, i, j);
        }
    }

    // a talking-heads matrix [h, h] F32, or null
    private static void headMatrix(Tensor t, String name, long h) {
        Checks.optional(t, name, F32);
        if (t != null) {
            Checks.shape(t, name, h, h);
        }
    }
}
