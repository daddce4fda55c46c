package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.attn4j.DType;
import org.attn4j.Tensor;

/** Assertions and random inputs of the attention-family tests. */
final class FamilyAssert {
    private FamilyAssert() {
    }

    /** {@link #close} within the attention family's tolerance: atol 3e-5, rtol 2e-4 (float32 against double or PyTorch). */
    static void near(String what, Tensor got, Tensor want) {
        close(what, got, want, 3e-5, 2e-4);
    }

    /**
     * |got − want| ≤ atol + rtol·|want| element-wise, and NaN exactly where want is NaN (PyTorch's
     * fully masked rows), naming the first offending element.
     */
    static void close(String what, Tensor got, Tensor want, double atol, double rtol) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        float[] g = got.toFloatArray();
        float[] w = want.toFloatArray();
        for (int k = 0; k < g.length; k++) {
            boolean ok = Float.isNaN(w[k]) ? Float.isNaN(g[k]) : Math.abs((double) g[k] - w[k]) <= atol + rtol * Math.abs(w[k]);
            int at = k;
            assertTrue(ok, () -> what + ": element " + at + " of " + g.length + " got " + g[at] + ", want " + w[at]
                    + " (atol " + atol + ", rtol " + rtol + ")");
        }
    }

    /**
     * Same shape; NaN and infinities exactly where want has them; finite elements within
     * {@code rel}·scale + {@code abs}, scale being want's largest finite magnitude (so that a
     * tensor of large values is judged by its own size).
     */
    static void closeToScale(String what, Tensor got, Tensor want, double rel, double abs) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        float[] g = got.toFloatArray();
        float[] w = want.toFloatArray();
        double scale = 0;
        for (float v : w) {
            scale = Float.isFinite(v) ? Math.max(scale, Math.abs(v)) : scale;
        }
        for (int k = 0; k < w.length; k++) {
            String at = what + "[" + k + "]: expected " + w[k] + ", got " + g[k];
            if (!Float.isFinite(w[k])) {
                assertEquals(w[k], g[k], at);
            } else {
                assertTrue(Math.abs(g[k] - w[k]) <= rel * scale + abs, at);
            }
        }
    }

    /** Number of NaN elements. */
    static int nans(Tensor t) {
        int n = 0;
        for (float v : t.toFloatArray()) {
            n += Float.isNaN(v) ? 1 : 0;
        }
        return n;
    }

    /** BOOL tensor with each element true with probability p. */
    static Tensor bools(Arena arena, SplittableRandom r, double p, long... shape) {
        int n = Math.toIntExact(org.attn4j.internal.tensor.Shapes.product(shape));
        boolean[] v = new boolean[n];
        for (int k = 0; k < n; k++) {
            v[k] = r.nextDouble() < p;
        }
        return Tensor.ofBooleans(arena, v, shape);
    }

    /** A strided (non-contiguous) copy of t: the same values, stored transposed and viewed back. */
    static Tensor strided(Arena arena, Tensor t) {
        if (t.rank() < 2) {
            return t;
        }
        Tensor swapped = t.transpose(0, t.rank() - 1).to(DType.F32, arena); // contiguous in the swapped order
        return swapped.transpose(0, t.rank() - 1);
    }
}
