package org.attn4j;

import java.lang.foreign.MemorySegment;

/**
 * Small argument checks shared by both backends: presence, dtype, rank, shape, broadcasting,
 * aliasing, alignment and lifetime. Each throws IllegalArgumentException (bad value) or
 * IllegalStateException (closed arena, wrong thread) with a message of the form
 * {@code "x: expected [2, 7, 32], got [2, 7, 31]"}. The happy path builds no strings: messages
 * are made in the cold {@code fail*} methods.
 */
final class Checks {
    private Checks() {
    }

    /** A required input: present, readable by this thread, of the given dtype. */
    static void input(Tensor t, String name, DType dtype) {
        present(t, name);
        alive(t, name);
        dtype(t, name, dtype);
        aligned(t, name);
    }

    /** An optional input: null, or as {@link #input}. */
    static void optional(Tensor t, String name, DType dtype) {
        if (t != null) {
            input(t, name, dtype);
        }
    }

    /** An output: as {@link #input}, and writable. */
    static void output(Tensor t, String name, DType dtype) {
        input(t, name, dtype);
        if (t.segment().isReadOnly()) {
            throw new IllegalArgumentException(name + ": expected a writable segment, got a read-only one");
        }
        if (!distinctElements(t)) {
            throw new IllegalArgumentException(name + ": expected strides whose elements do not overlap (an output), got "
                    + Shapes.toString(t.shape()) + " with strides " + Shapes.toString(t.strides()));
        }
    }

    /**
     * True when no two indices of the view reach the same element (no broadcast stride 0, no
     * self-overlapping strides). Sufficient test, as the native side does it: sort the axes of
     * size > 1 by stride; each stride must be at least the extent of the axes before it.
     */
    static boolean distinctElements(Tensor t) {
        int r = t.rank();
        long[] stride = new long[r];
        long[] size = new long[r];
        int n = 0;
        for (int k = 0; k < r; k++) {
            if (t.shape(k) == 0) {
                return true; // nothing is ever written
            }
            if (t.shape(k) > 1) {
                int q = n++;
                // insertion by (stride, size): at most 8 axes
                while (q > 0 && (stride[q - 1] > t.stride(k) || (stride[q - 1] == t.stride(k) && size[q - 1] > t.shape(k)))) {
                    stride[q] = stride[q - 1];
                    size[q] = size[q - 1];
                    q--;
                }
                stride[q] = t.stride(k);
                size[q] = t.shape(k);
            }
        }
        long minStride = 1;
        for (int q = 0; q < n; q++) {
            if (stride[q] < minStride) {
                return false;
            }
            minStride = stride[q] * size[q]; // no overflow: Tensor proved the view's byte span fits a long
        }
        return true;
    }

    static void present(Tensor t, String name) {
        if (t == null) {
            throw new IllegalArgumentException(name + ": expected a tensor, got null");
        }
    }

    /** The arena of the tensor is open and this thread may access it. */
    static void alive(Tensor t, String name) {
        MemorySegment s = t.segment();
        if (!s.scope().isAlive()) {
            throw new IllegalStateException(name + ": expected a live tensor, got one whose arena is closed");
        }
        if (!s.isAccessibleBy(Thread.currentThread())) {
            throw new IllegalStateException(name + ": expected a segment this thread may access, got one confined to another thread");
        }
    }

    static void dtype(Tensor t, String name, DType dtype) {
        if (t.dtype() != dtype) {
            throw new IllegalArgumentException(name + ": expected dtype " + dtype + ", got " + t.dtype());
        }
    }

    /** F32 data starts on a 4-byte boundary (the native kernels load aligned floats). */
    static void aligned(Tensor t, String name) {
        long align = t.dtype().byteSize();
        if (t.dtype() != DType.BOOL && (t.segment().address() & (align - 1)) != 0) {
            throw new IllegalArgumentException(name + ": expected a " + align + "-byte aligned address for "
                    + t.dtype() + ", got 0x" + Long.toHexString(t.segment().address()));
        }
    }

    static void rank(Tensor t, String name, int expected) {
        if (t.rank() != expected) {
            throw new IllegalArgumentException(name + ": expected rank " + expected + ", got rank " + t.rank()
                    + " " + Shapes.toString(t.shape()));
        }
    }

    static void rankAtLeast(Tensor t, String name, int min) {
        if (t.rank() < min) {
            throw new IllegalArgumentException(name + ": expected rank >= " + min + ", got rank " + t.rank()
                    + " " + Shapes.toString(t.shape()));
        }
    }

    /** The tensor's shape equals {@code expected}. */
    static void shape(Tensor t, String name, long[] expected) {
        if (t.rank() != expected.length) {
            failShape(t, name, expected);
        }
        for (int k = 0; k < expected.length; k++) {
            if (t.shape(k) != expected[k]) {
                failShape(t, name, expected);
            }
        }
    }

    /** Same shape as {@code like}. */
    static void sameShape(Tensor t, String name, Tensor like) {
        if (t.rank() != like.rank()) {
            failShape(t, name, like.shape());
        }
        for (int k = 0; k < like.rank(); k++) {
            if (t.shape(k) != like.shape(k)) {
                failShape(t, name, like.shape());
            }
        }
    }

    private static void failShape(Tensor t, String name, long[] expected) {
        throw new IllegalArgumentException(name + ": expected " + Shapes.toString(expected) + ", got "
                + Shapes.toString(t.shape()));
    }

    /** {@code t} broadcasts to {@code target} by numpy rules (rank ≤ target's; each dim equal or 1). */
    static void broadcastable(Tensor t, String name, long[] target) {
        int lead = target.length - t.rank();
        boolean ok = lead >= 0;
        for (int k = 0; ok && k < t.rank(); k++) {
            ok = t.shape(k) == target[lead + k] || t.shape(k) == 1;
        }
        if (!ok) {
            throw new IllegalArgumentException(name + ": expected a shape that broadcasts to " + Shapes.toString(target)
                    + ", got " + Shapes.toString(t.shape()));
        }
    }

    static void finite(float value, String name) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(name + ": expected a finite value, got " + value);
        }
    }

    static void finiteNonNegative(float value, String name) {
        if (!Float.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(name + ": expected a finite value >= 0, got " + value);
        }
    }

    /**
     * {@code out} shares no byte with {@code in} (null inputs are skipped). When
     * {@code mayBeSame} is true, {@code out} may instead be exactly the same view as {@code in}
     * (same start, shape and strides): the in-place form an op allows. Overlap is judged on the
     * byte ranges the views span, so two interleaved views of one buffer count as overlapping.
     */
    static void noOverlap(Tensor out, String outName, Tensor in, String inName, boolean mayBeSame) {
        if (in == null || !overlaps(out, in)) {
            return;
        }
        if (mayBeSame && sameView(out, in)) {
            return;
        }
        throw new IllegalArgumentException(outName + ": expected memory disjoint from " + inName
                + (mayBeSame ? " (or exactly " + inName + " itself, for in place)" : "") + ", got an overlapping view");
    }

    /** Same start, dtype, shape and strides (strides of size-1 dims do not matter). */
    static boolean sameView(Tensor a, Tensor b) {
        MemorySegment sa = a.segment();
        MemorySegment sb = b.segment();
        if (sa.isNative() != sb.isNative() || sa.address() != sb.address() || a.dtype() != b.dtype() || a.rank() != b.rank()) {
            return false;
        }
        for (int k = 0; k < a.rank(); k++) {
            if (a.shape(k) != b.shape(k) || (a.shape(k) > 1 && a.stride(k) != b.stride(k))) {
                return false;
            }
        }
        // Heap addresses are offsets into an array: equal offsets mean one start only in one array.
        return sa.isNative() || overlaps(a, b);
    }

    static boolean overlaps(Tensor a, Tensor b) {
        long na = spanBytes(a);
        long nb = spanBytes(b);
        if (na == 0 || nb == 0) {
            return false;
        }
        MemorySegment sa = a.segment();
        MemorySegment sb = b.segment();
        if (sa.isNative() != sb.isNative()) {
            return false;
        }
        if (!sa.isNative()) {
            // Heap views: addresses are offsets into their arrays; let the JDK compare the arrays.
            return sa.asSlice(0, na).asOverlappingSlice(sb.asSlice(0, nb)).isPresent();
        }
        long a0 = sa.address();
        long b0 = sb.address();
        return a0 < b0 + nb && b0 < a0 + na;
    }

    /** Bytes from element [0, ..., 0] to the end of the furthest element (0 when empty). */
    static long spanBytes(Tensor t) {
        long last = 0;
        for (int k = 0; k < t.rank(); k++) {
            long d = t.shape(k);
            if (d == 0) {
                return 0;
            }
            last += (d - 1) * t.stride(k); // Tensor proved on construction that this fits its segment
        }
        return (last + 1) * t.dtype().byteSize();
    }
}
