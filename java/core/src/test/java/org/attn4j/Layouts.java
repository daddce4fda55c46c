package org.attn4j;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.attn4j.internal.tensor.Shapes;

/**
 * Test tensors in the layouts a caller can hand an operation: contiguous, transposed (last two
 * axes swapped in memory), row-strided (padding after each row), fully permuted, and offset
 * into a larger buffer. Values are seeded normal samples; comparison is per element with an
 * absolute plus relative tolerance.
 */
enum Layouts {
    CONTIGUOUS, TRANSPOSED, ROW_STRIDED, PERMUTED, OFFSET;

    /** A view of logical shape {@code shape} in this layout, filled with N(0, scale²) samples. */
    Tensor random(Arena arena, long seed, float scale, long... shape) {
        Tensor t = empty(arena, shape);
        t.copyFrom(Tensor.randn(arena, seed, 0f, scale, shape));
        return t;
    }

    /** A zero view of logical shape {@code shape} in this layout. */
    Tensor empty(Arena arena, long... shape) {
        int r = shape.length;
        switch (this) {
            case CONTIGUOUS:
                return Tensor.zeros(arena, DType.F32, shape);
            case TRANSPOSED: {
                if (r < 2) {
                    return ROW_STRIDED.empty(arena, shape);
                }
                long[] stored = shape.clone();
                stored[r - 2] = shape[r - 1];
                stored[r - 1] = shape[r - 2];
                return Tensor.zeros(arena, DType.F32, stored).transpose(-1, -2);
            }
            case ROW_STRIDED: {
                if (r == 0) {
                    return CONTIGUOUS.empty(arena, shape);
                }
                long[] stored = shape.clone();
                stored[r - 1] = shape[r - 1] + 3; // 3 floats of padding after each row
                return Tensor.zeros(arena, DType.F32, stored).slice(-1, 0, shape[r - 1]);
            }
            case PERMUTED: {
                long[] stored = new long[r];
                int[] back = new int[r];
                for (int k = 0; k < r; k++) {
                    stored[k] = shape[r - 1 - k];
                    back[k] = r - 1 - k;
                }
                return Tensor.zeros(arena, DType.F32, stored).permute(back);
            }
            case OFFSET: {
                long n = Shapes.product(shape);
                Tensor flat = Tensor.zeros(arena, DType.F32, n + 5).slice(0, 5, n + 5); // starts 20 bytes in
                return flat.reshape(shape);
            }
            default:
                throw new AssertionError(this);
        }
    }

    /** Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise, naming the first bad index. */
    static void assertClose(Tensor expected, Tensor actual, double atol, double rtol, String what) {
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            fail(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        }
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int k = 0; k < e.length; k++) {
            double tol = atol + rtol * Math.abs(e[k]);
            if (!(Math.abs(a[k] - e[k]) <= tol)) {
                fail(what + ": element " + k + " of " + Arrays.toString(expected.shape()) + " is " + a[k]
                        + ", expected " + e[k] + " ± " + tol);
            }
        }
    }

    static void assertClose(float[] expected, Tensor actual, double atol, String what) {
        float[] a = actual.toFloatArray();
        if (a.length != expected.length) {
            fail(what + ": " + a.length + " elements, expected " + expected.length);
        }
        for (int k = 0; k < a.length; k++) {
            if (!(Math.abs(a[k] - expected[k]) <= atol)) {
                fail(what + ": element " + k + " is " + a[k] + ", expected " + expected[k] + " ± " + atol
                        + "; all: " + Arrays.toString(a));
            }
        }
    }

    /** A random BOOL mask of the given shape with about {@code pOn} of it true. */
    static Tensor mask(Arena arena, long seed, double pOn, long... shape) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] values = new boolean[Math.toIntExact(Shapes.product(shape))];
        for (int k = 0; k < values.length; k++) {
            values[k] = random.nextDouble() < pOn;
        }
        return Tensor.ofBooleans(arena, values, shape);
    }
}
