package org.attn4j;

import static org.attn4j.DType.BOOL;
import static org.attn4j.DType.F32;

/**
 * The argument rules of every {@link Backend} operation, in one place, so that the native and
 * the Java backend accept and reject exactly the same calls. Each method checks presence,
 * lifetime, dtype, alignment, rank, shapes and aliasing, and throws before anything is computed.
 */
final class Contracts {
    private Contracts() {
    }

    // x [..., in], weight [out, in], bias [out] or null, y [..., out]
    static void linear(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.input(weight, "weight", F32);
        Checks.optional(bias, "bias", F32);
        Checks.output(y, "y", F32);
        Checks.rankAtLeast(x, "x", 1);
        Checks.rank(weight, "weight", 2);
        long in = x.shape(-1);
        long out = weight.shape(0);
        Checks.shape(weight, "weight", new long[] {out, in});
        if (bias != null) {
            Checks.shape(bias, "bias", new long[] {out});
        }
        long[] ys = x.shape();
        ys[ys.length - 1] = out;
        Checks.shape(y, "y", ys);
        Checks.noOverlap(y, "y", x, "x", false);
        Checks.noOverlap(y, "y", weight, "weight", false);
        Checks.noOverlap(y, "y", bias, "bias", false);
    }

    // a [A..., m, k] (or [A..., k, m] when transA), b [B..., k, n] (or [B..., n, k]), c [C..., m, n]:
    // batch dims aligned right, the shorter operand padded with leading 1s; each pair equal or 1.
    static void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
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
        long[] bs = b.shape();
        bs[bs.length - 2] = transB ? n : k;
        bs[bs.length - 1] = transB ? k : n;
        Checks.shape(b, "b", bs); // op(b) must have k rows
        long[] cs = new long[r];
        for (int d = 0; d < r - 2; d++) {
            long ad = batchDim(a, d, r);
            long bd = batchDim(b, d, r);
            if (ad != bd && ad != 1 && bd != 1) {
                throw new IllegalArgumentException("b: expected batch dim " + d + " equal to a's (" + ad
                        + ") or 1, got " + Shapes.toString(b.shape()) + " against a " + Shapes.toString(a.shape()));
            }
            cs[d] = ad == 1 ? bd : ad;
        }
        cs[r - 2] = m;
        cs[r - 1] = n;
        Checks.shape(c, "c", cs);
        Checks.noOverlap(c, "c", a, "a", false);
        Checks.noOverlap(c, "c", b, "b", false);
    }

    // Dim d of t's shape padded with leading 1s to rank r.
    private static long batchDim(Tensor t, int d, int r) {
        int k = d - (r - t.rank());
        return k < 0 ? 1 : t.shape(k);
    }

    // x, y same shape; axis -1 or -2
    static void softmax(Tensor x, int axis, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.output(y, "y", F32);
        if (axis != -1 && axis != -2) {
            throw new IllegalArgumentException("axis: expected -1 or -2, got " + axis);
        }
        Checks.rankAtLeast(x, "x", -axis);
        Checks.sameShape(y, "y", x);
        Checks.noOverlap(y, "y", x, "x", true);
    }

    // x [..., n], weight [n], y like x
    static void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.input(weight, "weight", F32);
        Checks.output(y, "y", F32);
        Checks.rankAtLeast(x, "x", 1);
        Checks.shape(weight, "weight", new long[] {x.shape(-1)});
        Checks.finiteNonNegative(eps, "eps");
        Checks.sameShape(y, "y", x);
        Checks.noOverlap(y, "y", x, "x", true);
        Checks.noOverlap(y, "y", weight, "weight", false);
    }

    // x [..., n], weight and bias [n] or null, y like x
    static void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.optional(weight, "weight", F32);
        Checks.optional(bias, "bias", F32);
        Checks.output(y, "y", F32);
        Checks.rankAtLeast(x, "x", 1);
        long[] n = {x.shape(-1)};
        if (weight != null) {
            Checks.shape(weight, "weight", n);
        }
        if (bias != null) {
            Checks.shape(bias, "bias", n);
        }
        Checks.finiteNonNegative(eps, "eps");
        Checks.sameShape(y, "y", x);
        Checks.noOverlap(y, "y", x, "x", true);
        Checks.noOverlap(y, "y", weight, "weight", false);
        Checks.noOverlap(y, "y", bias, "bias", false);
    }

    static void gelu(Tensor x, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.output(y, "y", F32);
        Checks.sameShape(y, "y", x);
        Checks.noOverlap(y, "y", x, "x", true);
    }

    // a [...], b broadcasting to a, y like a
    static void add(Tensor a, Tensor b, Tensor y) {
        Checks.input(a, "a", F32);
        Checks.input(b, "b", F32);
        Checks.output(y, "y", F32);
        Checks.broadcastable(b, "b", a.shape());
        Checks.sameShape(y, "y", a);
        Checks.noOverlap(y, "y", a, "a", true);
        Checks.noOverlap(y, "y", b, "b", false);
    }

    // sim [b, h, i, j]; relPosBias broadcasting to it or null; mask [b, i], contextMask [b, j] BOOL or null;
    // attn, contextAttn [b, h, i, j]
    static void bcaSoftmax(Tensor sim, Tensor relPosBias, Tensor mask, Tensor contextMask, Tensor attn, Tensor contextAttn) {
        Checks.input(sim, "sim", F32);
        Checks.optional(relPosBias, "relPosBias", F32);
        Checks.optional(mask, "mask", BOOL);
        Checks.optional(contextMask, "contextMask", BOOL);
        Checks.output(attn, "attn", F32);
        Checks.output(contextAttn, "contextAttn", F32);
        Checks.rank(sim, "sim", 4);
        long[] s = sim.shape();
        masks(mask, contextMask, s[0], s[2], s[3]);
        if (relPosBias != null) {
            Checks.broadcastable(relPosBias, "relPosBias", s);
        }
        Checks.shape(attn, "attn", s);
        Checks.shape(contextAttn, "contextAttn", s);
        Checks.noOverlap(attn, "attn", sim, "sim", true);
        Checks.noOverlap(contextAttn, "contextAttn", sim, "sim", false);
        Checks.noOverlap(contextAttn, "contextAttn", attn, "attn", false);
        for (Tensor out : new Tensor[] {attn, contextAttn}) {
            String name = out == attn ? "attn" : "contextAttn";
            Checks.noOverlap(out, name, relPosBias, "relPosBias", false);
            Checks.noOverlap(out, name, mask, "mask", false);
            Checks.noOverlap(out, name, contextMask, "contextMask", false);
        }
    }

    // x [b, h, n...], weight [h, h], y like x
    static void headMix(Tensor x, Tensor weight, Tensor y) {
        Checks.input(x, "x", F32);
        Checks.input(weight, "weight", F32);
        Checks.output(y, "y", F32);
        Checks.rankAtLeast(x, "x", 2);
        long h = x.shape(1);
        Checks.shape(weight, "weight", new long[] {h, h});
        Checks.sameShape(y, "y", x);
        Checks.noOverlap(y, "y", x, "x", false);
        Checks.noOverlap(y, "y", weight, "weight", false);
    }

    // qk, v [b, h, i, d]; contextQk, contextV [b, h, j, d]; out [b, h, i, d]; contextOut [b, h, j, d]
    static void bcaFused(Tensor qk, Tensor contextQk, Tensor v, Tensor contextV, Tensor relPosBias, Tensor mask,
                         Tensor contextMask, Tensor talkingHeads, Tensor contextTalkingHeads, float scale,
                         Tensor out, Tensor contextOut) {
        Checks.input(qk, "qk", F32);
        Checks.input(contextQk, "contextQk", F32);
        Checks.input(v, "v", F32);
        Checks.input(contextV, "contextV", F32);
        Checks.optional(relPosBias, "relPosBias", F32);
        Checks.optional(mask, "mask", BOOL);
        Checks.optional(contextMask, "contextMask", BOOL);
        Checks.optional(talkingHeads, "talkingHeads", F32);
        Checks.optional(contextTalkingHeads, "contextTalkingHeads", F32);
        Checks.output(out, "out", F32);
        Checks.output(contextOut, "contextOut", F32);
        Checks.rank(qk, "qk", 4);
        long b = qk.shape(0);
        long h = qk.shape(1);
        long i = qk.shape(2);
        long d = qk.shape(3);
        Checks.rank(contextQk, "contextQk", 4);
        long j = contextQk.shape(2);
        Checks.shape(contextQk, "contextQk", new long[] {b, h, j, d});
        Checks.shape(v, "v", new long[] {b, h, i, d});
        Checks.shape(contextV, "contextV", new long[] {b, h, j, d});
        masks(mask, contextMask, b, i, j);
        if (relPosBias != null) {
            Checks.broadcastable(relPosBias, "relPosBias", new long[] {b, h, i, j});
        }
        if (talkingHeads != null) {
            Checks.shape(talkingHeads, "talkingHeads", new long[] {h, h});
        }
        if (contextTalkingHeads != null) {
            Checks.shape(contextTalkingHeads, "contextTalkingHeads", new long[] {h, h});
        }
        Checks.finite(scale, "scale");
        Checks.shape(out, "out", new long[] {b, h, i, d});
        Checks.shape(contextOut, "contextOut", new long[] {b, h, j, d});
        Checks.noOverlap(contextOut, "contextOut", out, "out", false);
        Tensor[] inputs = {qk, contextQk, v, contextV, relPosBias, mask, contextMask, talkingHeads, contextTalkingHeads};
        String[] names = {"qk", "contextQk", "v", "contextV", "relPosBias", "mask", "contextMask", "talkingHeads",
                "contextTalkingHeads"};
        for (int k = 0; k < inputs.length; k++) {
            Checks.noOverlap(out, "out", inputs[k], names[k], false);
            Checks.noOverlap(contextOut, "contextOut", inputs[k], names[k], false);
        }
    }

    // mask [b, i], contextMask [b, j]
    private static void masks(Tensor mask, Tensor contextMask, long b, long i, long j) {
        if (mask != null) {
            Checks.shape(mask, "mask", new long[] {b, i});
        }
        if (contextMask != null) {
            Checks.shape(contextMask, "contextMask", new long[] {b, j});
        }
    }
}
