package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.attn4j.Backend;
import org.attn4j.DType;
import org.attn4j.PerSeed;
import org.attn4j.Tensor;
import org.attn4j.TestBackends;
import org.attn4j.internal.mask.Masks;
import org.junit.jupiter.api.Test;

/**
 * ScaledDotProductAttention on both backends and both paths against a naive reference written
 * here from the definition (double, one score at a time), on random configurations: lengths 1,
 * odd and prime, boolean masks [i, j] / [b, i, j] / [b, h, i, j], float masks with −∞, key
 * padding, causal, windows with global tokens, custom scales, strided inputs, weights.
 */
class SdpaRandomTest {
    private static final Backend NATIVE = TestBackends.nativeBackend();
    private static final Backend JAVA = TestBackends.javaReference();

    static Stream<Integer> seeds() {
        return IntStream.range(0, 40).boxed();
    }

    /** The configuration of one random case, and its naive result. */
    private record Case(String text, Tensor q, Tensor k, Tensor v, SdpaOptions options, double[] out, double[] weights) {
    }

    private static Case randomCase(int seed, Arena arena) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L);
        int[] lengths = {1, 2, 3, 5, 7, 13, 17, 31, 47, 64, 65, 97};
        int b = 1 + r.nextInt(3);
        int h = 1 + r.nextInt(4);
        int i = lengths[r.nextInt(lengths.length)];
        boolean self = r.nextBoolean();
        int j = self ? i : lengths[r.nextInt(lengths.length)];
        int d = new int[] {1, 3, 8, 16, 33, 64}[r.nextInt(6)];
        int dv = r.nextBoolean() ? d : 1 + r.nextInt(40);
        Tensor q = Tensor.randn(arena, seed + 1, b, h, i, d);
        Tensor k = Tensor.randn(arena, seed + 2, b, h, j, d);
        Tensor v = Tensor.randn(arena, seed + 3, b, h, j, dv);
        if (r.nextInt(3) == 0) {
            q = FamilyAssert.strided(arena, q);
            v = FamilyAssert.strided(arena, v);
        }
        SdpaOptionsBuilder o = SdpaOptions.builder();
        StringBuilder text = new StringBuilder("b=" + b + " h=" + h + " i=" + i + " j=" + j + " d=" + d + " dv=" + dv);
        int maskKind = r.nextInt(6);
        Tensor mask = switch (maskKind) {
            case 1 -> FamilyAssert.bools(arena, r, 0.7, i, j);
            case 2 -> FamilyAssert.bools(arena, r, 0.7, b, i, j);
            case 3 -> FamilyAssert.bools(arena, r, 0.7, b, h, i, j);
            case 4 -> Tensor.randn(arena, seed + 4, i, j);
            case 5 -> withNegativeInfinity(Tensor.randn(arena, seed + 5, b, 1, i, j), r);
            default -> null;
        };
        o.attnMask(mask);
        text.append(" mask=").append(maskKind);
        Tensor padding = r.nextInt(3) == 0 ? FamilyAssert.bools(arena, r, 0.8, b, j) : null;
        o.keyPaddingMask(padding);
        boolean causal = r.nextInt(3) == 0;
        o.causal(causal);
        long left = -1;
        long right = -1;
        Tensor global = null;
        if (self && r.nextInt(3) == 0) {
            left = r.nextInt(8);
            right = r.nextInt(8);
            o.windowLeft(left).windowRight(right);
            if (!causal && r.nextBoolean()) {
                global = FamilyAssert.bools(arena, r, 0.1, b, i);
                o.globalTokens(global);
            }
        }
        float scale = r.nextBoolean() ? Float.NaN : (float) (0.05 + r.nextDouble());
        o.scale(scale);
        text.append(" padding=").append(padding != null).append(" causal=").append(causal).append(" window=")
                .append(left).append('/').append(right).append(" global=").append(global != null).append(" scale=").append(scale);
        double s = Float.isNaN(scale) ? 1 / Math.sqrt(d) : scale;
        double[][] result = naive(q, k, v, mask, padding, causal, left, right, global, (float) s);
        return new Case(text.toString(), q, k, v, o.build(), result[0], result[1]);
    }

    private static Tensor withNegativeInfinity(Tensor t, SplittableRandom r) {
        float[] values = t.toFloatArray();
        for (int k = 0; k < values.length; k++) {
            if (r.nextInt(5) == 0) {
                values[k] = Float.NEGATIVE_INFINITY;
            }
        }
        return Tensor.of(Arena.ofAuto(), values, t.shape());
    }

    /** {out [b, h, i, dv], weights [b, h, i, j]} flattened, from the definition. */
    private static double[][] naive(Tensor q, Tensor k, Tensor v, Tensor mask, Tensor padding, boolean causal, long left,
                                    long right, Tensor global, float scale) {
        int b = (int) q.shape(0), h = (int) q.shape(1), ni = (int) q.shape(2), d = (int) q.shape(3);
        int nj = (int) k.shape(2), dv = (int) v.shape(3);
        double[] out = new double[b * h * ni * dv];
        double[] weights = new double[b * h * ni * nj];
        for (int bb = 0; bb < b; bb++) {
            for (int hh = 0; hh < h; hh++) {
                for (int i = 0; i < ni; i++) {
                    double[] s = new double[nj];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < nj; j++) {
                        double dot = 0;
                        for (int c = 0; c < d; c++) {
                            dot += (double) q.getFloat(bb, hh, i, c) * k.getFloat(bb, hh, j, c);
                        }
                        s[j] = scale * dot;
                        boolean visible = true;
                        if (mask != null) {
                            float m = maskAt(mask, bb, hh, i, j);
                            if (mask.dtype() == DType.BOOL) {
                                visible = m != 0;
                            } else {
                                s[j] += m;
                            }
                        }
                        if (padding != null && padding.getFloat(bb, j) == 0) {
                            visible = false;
                        }
                        if (causal && j > i) {
                            visible = false;
                        }
                        boolean inWindow = (left < 0 || i - j <= left) && (right < 0 || j - i <= right);
                        boolean isGlobal = global != null && (global.getFloat(bb, i) != 0 || global.getFloat(bb, j) != 0);
                        if (!inWindow && !isGlobal) {
                            visible = false;
                        }
                        if (!visible) {
                            s[j] = Double.NEGATIVE_INFINITY;
                        }
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < nj; j++) {
                        s[j] = max == Double.NEGATIVE_INFINITY ? Double.NaN : Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    int row = (bb * h + hh) * ni + i;
                    for (int j = 0; j < nj; j++) {
                        weights[row * nj + j] = s[j] / sum;
                    }
                    for (int c = 0; c < dv; c++) {
                        double acc = nj == 0 ? Double.NaN : 0;
                        for (int j = 0; j < nj; j++) {
                            acc += s[j] / sum * v.getFloat(bb, hh, j, c);
                        }
                        out[row * dv + c] = acc;
                    }
                }
            }
        }
        return new double[][] {out, weights};
    }

    private static float maskAt(Tensor m, int b, int h, int i, int j) {
        return switch (m.rank()) {
            case 2 -> m.getFloat(i, j);
            case 3 -> m.getFloat(b, i, j);
            default -> m.getFloat(m.shape(0) == 1 ? 0 : b, m.shape(1) == 1 ? 0 : h, i, j);
        };
    }

    private static Tensor of(Arena arena, double[] values, long... shape) {
        float[] f = new float[values.length];
        for (int k = 0; k < f.length; k++) {
            f[k] = (float) values[k];
        }
        return Tensor.of(arena, f, shape);
    }

    @PerSeed
    void matchesTheDefinition(int seed) {
        try (Arena arena = Arena.ofConfined()) {
            Case c = randomCase(seed, arena);
            long[] outShape = {c.q().shape(0), c.q().shape(1), c.q().shape(2), c.v().shape(3)};
            long[] wShape = {c.q().shape(0), c.q().shape(1), c.q().shape(2), c.k().shape(2)};
            Tensor wantOut = of(arena, c.out(), outShape);
            Tensor wantWeights = of(arena, c.weights(), wShape);
            for (Backend backend : new Backend[] {NATIVE, JAVA}) {
                String where = c.text() + " on " + backend.name();
                SdpaOptions o = c.options();
                AttentionOutput fused = ScaledDotProductAttention.forward(backend, arena, c.q(), c.k(), c.v(), o);
                assertNull(fused.weights());
                FamilyAssert.close(where + " fused", fused.output(), wantOut, 2e-5, 1e-4);
                SdpaOptions withWeights = new SdpaOptions(o.attnMask(), o.keyPaddingMask(), o.causal(), o.scale(),
                        o.windowLeft(), o.windowRight(), o.globalTokens(), true, AttentionPath.AUTO);
                AttentionOutput materialised = ScaledDotProductAttention.forward(backend, arena, c.q(), c.k(), c.v(), withWeights);
                FamilyAssert.close(where + " materialised", materialised.output(), wantOut, 2e-5, 1e-4);
                FamilyAssert.close(where + " weights", materialised.weights(), wantWeights, 2e-6, 1e-4);
            }
        }
    }

    @Test
    void longSequenceOnTheFusedKernelMatchesTheMaterialisedPath() {
        // Many key tiles, a causal window and a padded batch element on the native backend.
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Tensor.randn(arena, 11, 2, 3, 701, 24);
            Tensor k = Tensor.randn(arena, 12, q.shape()); // self attention: keys shaped as the queries
            Tensor v = Tensor.randn(arena, 13, 2, 3, 701, 40);
            Tensor padding = FamilyAssert.bools(arena, new SplittableRandom(5), 0.9, 2, 701);
            SdpaOptionsBuilder o = SdpaOptions.builder().keyPaddingMask(padding).windowLeft(300).windowRight(0);
            Tensor fused = ScaledDotProductAttention.forward(NATIVE, arena, q, k, v, o.build()).output();
            Tensor materialised = ScaledDotProductAttention.forward(NATIVE, arena, q, k, v,
                    o.path(AttentionPath.MATERIALISED).build()).output();
            FamilyAssert.close("n=701 window 300 causal", fused, materialised, 1e-5, 1e-4);
        }
    }

    @Test
    void causalMasksGiveTheCausalResult() {
        // tril(ones) (SDPA: true = attend) and the float square subsequent mask are recognised as
        // causal (a window on the kernel), and both equal the causal flag and the definition.
        try (Arena arena = Arena.ofConfined()) {
            int n = 70;
            Tensor q = Tensor.randn(arena, 21, 1, 2, n, 8);
            Tensor k = Tensor.randn(arena, 22, 1, 2, n, 8);
            Tensor v = Tensor.randn(arena, 23, 1, 2, n, 8);
            boolean[] tril = new boolean[n * n];
            float[] minusInf = new float[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    tril[i * n + j] = j <= i;
                    minusInf[i * n + j] = j <= i ? 0f : Float.NEGATIVE_INFINITY;
                }
            }
            double[][] want = naive(q, k, v, null, null, true, -1, -1, null, (float) (1 / Math.sqrt(8)));
            Tensor expected = of(arena, want[0], 1, 2, n, 8);
            for (Backend backend : new Backend[] {NATIVE, JAVA}) {
                for (SdpaOptions o : new SdpaOptions[] {SdpaOptions.builder().causal(true).build(),
                        SdpaOptions.builder().attnMask(Tensor.ofBooleans(arena, tril, n, n)).build(),
                        SdpaOptions.builder().attnMask(Tensor.of(arena, minusInf, n, n)).build()}) {
                    FamilyAssert.close(backend.name() + " causal", ScaledDotProductAttention.forward(backend, arena, q, k, v, o)
                            .output(), expected, 2e-5, 1e-4);
                }
            }
            Tensor attend = Tensor.ofBooleans(arena, tril, n, n);
            assertTrue(Masks.isCausalPattern(attend, false));               // true = attend: tril is causal
            assertFalse(Masks.isCausalPattern(attend, true));               // true = masked: tril hides the past
            assertFalse(Masks.isCausalPattern(attend.transpose(0, 1), false)); // triu attends to the future
            boolean[] above = new boolean[n * n];
            for (int e = 0; e < above.length; e++) {
                above[e] = !tril[e];
            }
            assertTrue(Masks.isCausalPattern(Tensor.ofBooleans(arena, above, n, n), true)); // PyTorch MHA's causal mask
        }
    }

    @Test
    void badArgumentsFailBeforeAnyDowncall() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Tensor.randn(arena, 1, 1, 2, 3, 4);
            Tensor k = Tensor.randn(arena, 2, 1, 2, 5, 4);
            Tensor v = Tensor.randn(arena, 3, 1, 2, 5, 6);
            assertThrows(IllegalArgumentException.class,
                    () -> ScaledDotProductAttention.forward(NATIVE, arena, q, Tensor.randn(arena, 4, 1, 2, 5, 3), v));
            assertThrows(IllegalArgumentException.class,
                    () -> ScaledDotProductAttention.forward(NATIVE, arena, q, k, Tensor.randn(arena, 5, 1, 2, 4, 6)));
            assertThrows(IllegalArgumentException.class, () -> ScaledDotProductAttention.forward(NATIVE, arena, q, k, v,
                    SdpaOptions.builder().attnMask(Tensor.randn(arena, 6, 3, 4)).build()));
            assertThrows(IllegalArgumentException.class, () -> ScaledDotProductAttention.forward(NATIVE, arena, q, k, v,
                    SdpaOptions.builder().keyPaddingMask(Tensor.randn(arena, 7, 1, 5)).build()));
            assertThrows(IllegalArgumentException.class, () -> ScaledDotProductAttention.forward(NATIVE, arena, q, k, v,
                    SdpaOptions.builder().globalTokens(FamilyAssert.bools(arena, new SplittableRandom(1), 0.5, 1, 3)).build()));
            assertThrows(IllegalArgumentException.class, () -> SdpaOptions.builder().needWeights(true).path(AttentionPath.FUSED).build());
            assertThrows(IllegalArgumentException.class, () -> SdpaOptions.builder().causal(true)
                    .globalTokens(FamilyAssert.bools(arena, new SplittableRandom(2), 0.5, 1, 3)).build());
            Arena closed = Arena.ofConfined();
            Tensor dead = Tensor.randn(closed, 8, 1, 2, 3, 4);
            closed.close();
            assertThrows(IllegalStateException.class, () -> ScaledDotProductAttention.forward(NATIVE, arena, dead, k, v));
        }
    }
}
