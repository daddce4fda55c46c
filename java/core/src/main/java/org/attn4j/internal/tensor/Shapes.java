package org.attn4j.internal.tensor;

import java.util.Arrays;
import org.attn4j.Tensor;

/** Shape arithmetic shared by tensors, checks and backends. Every product is overflow-checked. */
public final class Shapes {
    private Shapes() {
    }

    /** Validates rank and dims and returns the element count. */
    public static long checkShape(long[] shape) {
        if (shape.length > Tensor.MAX_RANK) {
            throw new IllegalArgumentException("rank: expected at most " + Tensor.MAX_RANK + ", got " + shape.length);
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape: expected dims >= 0, got " + toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + toString(shape) + " has more elements than a long can count");
            }
        }
        return n;
    }

    /** Product of the dims (no checks; shapes in tensors are already checked). */
    public static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Row-major strides in elements. */
    public static long[] contiguousStrides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            st[k] = s;
            s *= Math.max(shape[k], 1);
        }
        return st;
    }

    /** Furthest reachable element + 1 (0 for an empty view). Throws on negative strides or overflow. */
    public static long spanElements(long[] shape, long[] strides) {
        long last = 0;
        for (int k = 0; k < shape.length; k++) {
            if (strides[k] < 0) {
                throw new IllegalArgumentException("strides: expected >= 0, got " + toString(strides));
            }
            if (shape[k] == 0) {
                return 0;
            }
            try {
                last = Math.addExact(last, Math.multiplyExact(shape[k] - 1, strides[k]));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("strides " + toString(strides) + " overflow for shape " + toString(shape));
            }
        }
        return last + 1;
    }

    public static boolean isContiguous(long[] shape, long[] strides) {
        long s = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            if (shape[k] == 0) {
                return true;
            }
            if (shape[k] != 1 && strides[k] != s) {
                return false;
            }
            s *= shape[k];
        }
        return true;
    }

    /** Resolves one -1 in {@code newShape} so that it holds {@code numel} elements. */
    public static long[] inferReshape(long numel, long[] newShape) {
        long[] sh = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int k = 0; k < sh.length; k++) {
            if (sh[k] == -1 && infer < 0) {
                infer = k;
            } else if (sh[k] < 0) {
                throw new IllegalArgumentException("reshape: bad shape " + toString(newShape));
            } else {
                known = Math.multiplyExact(known, sh[k]);
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("reshape: cannot fit " + numel + " elements into " + toString(newShape));
            }
            sh[infer] = numel / known;
        }
        if (checkShape(sh) != numel) {
            throw new IllegalArgumentException("reshape: expected " + numel + " elements, got shape " + toString(newShape));
        }
        return sh;
    }

    /** Strides that broadcast (shape, strides) to {@code target}, numpy rules. */
    public static long[] broadcastStrides(long[] shape, long[] strides, long[] target) {
        checkShape(target);
        if (target.length < shape.length) {
            throw new IllegalArgumentException("expand: cannot broadcast " + toString(shape) + " to " + toString(target));
        }
        long[] st = new long[target.length];
        int lead = target.length - shape.length;
        for (int k = 0; k < target.length; k++) {
            if (k < lead) {
                st[k] = 0;
            } else if (shape[k - lead] == target[k]) {
                st[k] = strides[k - lead];
            } else if (shape[k - lead] == 1) {
                st[k] = 0;
            } else {
                throw new IllegalArgumentException("expand: cannot broadcast " + toString(shape) + " to " + toString(target));
            }
        }
        return st;
    }

    /** Advances a row-major multi-index by one. */
    public static void increment(long[] index, long[] shape) {
        for (int k = index.length - 1; k >= 0; k--) {
            if (++index[k] < shape[k]) {
                return;
            }
            index[k] = 0;
        }
    }

    /** "[2, 7, 32]". */
    public static String toString(long[] shape) {
        return Arrays.toString(shape);
    }
}
