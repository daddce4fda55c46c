package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.attn4j.internal.tensor.Shapes;

/**
 * {@link Backend#topKSoftmax}, the selection of hard attention, on both backends: the native
 * kernel against the Java reference on odd shapes with masks, windows and ties; what pins the
 * definition down (exactly k kept without ties, every tie kept, the order of the keys does not
 * matter, k ≥ j is the plain attention softmax); NaN rows; argument errors.
 */
class TopKSoftmaxTest {
    private static final Backend NATIVE = TestBackends.nativeBackend();
    private static final Backend JAVA = TestBackends.javaReference();

    /** Scores [b, h, i, j]: continuous, or on a grid of quarters (ties in most rows). */
    private static Tensor scores(Arena arena, SplittableRandom r, boolean ties, long... shape) {
        float[] v = new float[Math.toIntExact(Shapes.product(shape))];
        for (int k = 0; k < v.length; k++) {
            v[k] = ties ? (float) Math.floor(r.nextDouble() * 8) / 4 : (float) r.nextGaussian();
        }
        return Tensor.of(arena, v, shape);
    }

    static Stream<Integer> seeds() {
        return Stream.of(0, 1, 2, 3, 4, 5);
    }

    @PerSeed
    void nativeMatchesReference(int seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long b = 1 + r.nextInt(2);
        long h = 1 + r.nextInt(3);
        long i = 1 + r.nextInt(40);
        long j = 1 + r.nextInt(70);
        long k = 1 + r.nextInt((int) j + 2);
        try (Arena arena = Arena.ofConfined()) {
            Tensor s = scores(arena, r, seed % 2 == 0, b, h, i, j);
            boolean[] keep = new boolean[(int) (b * j)];
            for (int e = 0; e < keep.length; e++) {
                keep[e] = r.nextDouble() < 0.8;
            }
            Tensor kpm = Tensor.ofBooleans(arena, keep, b, j);
            long right = r.nextBoolean() ? 0 : -1; // causal or not
            Tensor got = Tensor.zeros(arena, DType.F32, b, h, i, j);
            Tensor want = Tensor.zeros(arena, DType.F32, b, h, i, j);
            NATIVE.topKSoftmax(s, null, kpm, -1, right, k, got);
            JAVA.topKSoftmax(s, null, kpm, -1, right, k, want);
            float[] g = got.toFloatArray();
            float[] w = want.toFloatArray();
            for (int e = 0; e < g.length; e++) {
                boolean ok = Float.isNaN(w[e]) ? Float.isNaN(g[e]) : Math.abs(g[e] - w[e]) <= 1e-6 + 1e-5 * Math.abs(w[e]);
                int at = e;
                assertTrue(ok, () -> "element " + at + ": native " + g[at] + ", java " + w[at]);
            }
        }
    }

    @ParameterizedTest
    @FieldSource("org.attn4j.TestBackends#NAMES")
    void keepsExactlyKWithoutTiesAndEveryTie(String name) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            // one row, distinct scores: the 3 largest (indices 1, 4, 5) survive
            Tensor s = Tensor.of(arena, new float[] {0.1f, 2f, -1f, 0.5f, 3f, 1f, 0f}, 1, 1, 1, 7);
            Tensor w = Tensor.zeros(arena, DType.F32, 1, 1, 1, 7);
            backend.topKSoftmax(s, null, null, -1, -1, 3, w);
            double z = Math.exp(2) + Math.exp(3) + Math.exp(1);
            float[] want = {0, (float) (Math.exp(2) / z), 0, 0, (float) (Math.exp(3) / z), (float) (Math.exp(1) / z), 0};
            float[] got = w.toFloatArray();
            for (int c = 0; c < 7; c++) {
                assertEquals(want[c], got[c], 1e-6, "key " + c);
            }
            // ties at the 2nd largest score (1, 1, 1 after a 5): all three stay, the 0s go
            Tensor t = Tensor.of(arena, new float[] {1f, 0f, 5f, 1f, 0f, 1f}, 1, 1, 1, 6);
            Tensor wt = Tensor.zeros(arena, DType.F32, 1, 1, 1, 6);
            backend.topKSoftmax(t, null, null, -1, -1, 2, wt);
            float[] tied = wt.toFloatArray();
            assertEquals(tied[0], tied[3]);
            assertEquals(tied[0], tied[5]);
            assertTrue(tied[0] > 0);
            assertEquals(0f, tied[1]);
            assertEquals(0f, tied[4]);
        }
    }

    @ParameterizedTest
    @FieldSource("org.attn4j.TestBackends#NAMES")
    void orderOfKeysDoesNotMatterAndLargeKIsSoftmax(String name) {
        Backend backend = TestBackends.named(name);
        SplittableRandom r = new SplittableRandom(7);
        long i = 9;
        long j = 23;
        try (Arena arena = Arena.ofConfined()) {
            Tensor s = scores(arena, r, true, 1, 2, i, j);
            Tensor w = Tensor.zeros(arena, DType.F32, 1, 2, i, j);
            backend.topKSoftmax(s, null, null, -1, -1, 5, w);
            // reversed keys give reversed weights (ties are not broken by position; sums differ by rounding only)
            Tensor reversed = Tensor.zeros(arena, DType.F32, 1, 2, i, j);
            Tensor wr = Tensor.zeros(arena, DType.F32, 1, 2, i, j);
            for (long h = 0; h < 2; h++) {
                for (long q = 0; q < i; q++) {
                    for (long c = 0; c < j; c++) {
                        reversed.setFloat(s.getFloat(0, h, q, c), 0, h, q, j - 1 - c);
                    }
                }
            }
            backend.topKSoftmax(reversed, null, null, -1, -1, 5, wr);
            for (long h = 0; h < 2; h++) {
                for (long q = 0; q < i; q++) {
                    for (long c = 0; c < j; c++) {
                        assertEquals(w.getFloat(0, h, q, c), wr.getFloat(0, h, q, j - 1 - c), 1e-6);
                    }
                }
            }
            Tensor all = Tensor.zeros(arena, DType.F32, 1, 2, i, j);
            Tensor soft = Tensor.zeros(arena, DType.F32, 1, 2, i, j);
            backend.topKSoftmax(s, null, null, -1, 0, j, all);
            backend.sdpaSoftmax(s, null, null, null, null, -1, 0, soft);
            float[] a = all.toFloatArray();
            float[] b = soft.toFloatArray();
            for (int e = 0; e < a.length; e++) {
                assertEquals(b[e], a[e], 1e-7, "k = j is the causal softmax, element " + e);
            }
        }
    }

    @ParameterizedTest
    @FieldSource("org.attn4j.TestBackends#NAMES")
    void nanRowsAndErrors(String name) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor s = Tensor.of(arena, new float[] {1f, Float.NaN, 0f, 2f, 3f, 4f}, 1, 1, 2, 3);
            Tensor w = Tensor.zeros(arena, DType.F32, 1, 1, 2, 3);
            Tensor none = Tensor.ofBooleans(arena, new boolean[] {false, false, false}, 1, 3);
            backend.topKSoftmax(s, null, null, -1, -1, 1, w);
            for (int c = 0; c < 3; c++) {
                assertTrue(Float.isNaN(w.getFloat(0, 0, 0, c)), "a NaN score makes its row NaN");
            }
            assertEquals(1f, w.getFloat(0, 0, 1, 2));
            backend.topKSoftmax(s, null, none, -1, -1, 2, w);
            assertTrue(Float.isNaN(w.getFloat(0, 0, 1, 0)), "a query that sees nothing gets NaN");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.topKSoftmax(s, null, null, -1, -1, 0, w));
            assertTrue(e.getMessage().contains("topK"), e.getMessage());
            Tensor wrong = Tensor.zeros(arena, DType.F32, 1, 1, 2, 4);
            e = assertThrows(IllegalArgumentException.class, () -> backend.topKSoftmax(s, null, null, -1, -1, 1, wrong));
            assertTrue(e.getMessage().contains("weights"), e.getMessage());
        }
    }
}
