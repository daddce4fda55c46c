package org.attn4j.internal.check;

import java.lang.foreign.MemorySegment;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.tensor.Shapes;

/**
 * Small argument checks shared by both backends: presence, dtype, rank, shape, broadcasting,
 * aliasing, alignment and lifetime. Each throws IllegalArgumentException (bad value) or
 * IllegalStateException (closed arena, wrong thread) with a message of the form
 * {@code "x: expected [2, 7, 32], got [2, 7, 31]"}. The happy path builds no strings: messages
 * are made in the cold {@code fail*} methods.
 */
public final class Checks {
    private Checks() {
    }

    /** A configuration value that must be at least 1 (a dimension, a head count). */
    public static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": expected a positive value, got " + value);
        }
    }

    /**
     * Configuration values that must each be at least 1, named in order by {@code names}
     * ({@code "dim, context_dim, heads"}): one line for a record's sizes.
     */
    public static void positive(String names, long... values) {
        String[] split = names.split(", ");
        if (split.length != values.length) {
            throw new IllegalStateException(split.length + " names for " + values.length + " values: " + names);
        }
        for (int k = 0; k < values.length; k++) {
            positive(split[k], values[k]);
        }
    }

    /** A size that splits evenly: {@code value} (named {@code name}) a multiple of {@code of} (named {@code ofName}). */
    public static void multipleOf(String name, long value, String ofName, long of) {
        if (value % of != 0) {
            throw new IllegalArgumentException(name + ": expected a multiple of " + ofName + " (" + of + "), got " + value);
        }
    }

    /** A probability such as a dropout rate: {@code value} in [0, 1] (NaN fails). */
    public static void probability(String name, float value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + ": expected in [0, 1], got " + value);
        }
    }

    /** A required argument that is not a tensor (an allocator, options): null fails with {@code message}. */
    public static void required(Object value, String message) {
        if (value == null) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Two required arguments (an allocator and options): either null fails with {@code message}. */
    public static void required(Object a, Object b, String message) {
        if (a == null || b == null) {
            throw new IllegalArgumentException(message);
        }
    }

    /** A required input: present, readable by this thread, of the given dtype. */
    public static void input(Tensor t, String name, DType dtype) {
        present(t, name);
        alive(t, name);
        dtype(t, name, dtype);
        aligned(t, name);
    }

    /** A required input of the given dtype and rank. */
    public static void input(Tensor t, String name, DType dtype, int rank) {
        input(t, name, dtype);
        rank(t, name, rank);
    }

    /** An optional input: null, or as {@link #input}. */
    public static void optional(Tensor t, String name, DType dtype) {
        if (t != null) {
            input(t, name, dtype);
        }
    }

    /** An output: as {@link #input}, and writable. */
    public static void output(Tensor t, String name, DType dtype) {
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
     * self-overlapping strides). The native side's test: order the axes of size > 1 by (stride,
     * size, index); each stride must be at least stride · size of the axis before it (the first
     * at least 1). Done here without sorting an array, so that the check allocates nothing: each
     * axis finds its predecessor in that order directly (at most 8 × 8 comparisons).
     */
    public static boolean distinctElements(Tensor t) {
        int r = t.rank();
        for (int k = 0; k < r; k++) {
            if (t.shape(k) == 0) {
                return true; // nothing is ever written
            }
        }
        for (int k = 0; k < r; k++) {
            if (t.shape(k) <= 1) {
                continue;
            }
            int previous = -1;
            for (int q = 0; q < r; q++) {
                if (q != k && t.shape(q) > 1 && before(t, q, k) && (previous < 0 || before(t, previous, q))) {
                    previous = q;
                }
            }
            // no overflow: Tensor proved the view's byte span fits a long
            long min = previous < 0 ? 1 : t.stride(previous) * t.shape(previous);
            if (t.stride(k) < min) {
                return false;
            }
        }
        return true;
    }

    // Axis q comes before axis k in the order (stride, size, index).
    private static boolean before(Tensor t, int q, int k) {
        if (t.stride(q) != t.stride(k)) {
            return t.stride(q) < t.stride(k);
        }
        if (t.shape(q) != t.shape(k)) {
            return t.shape(q) < t.shape(k);
        }
        return q < k;
    }

    public static void present(Tensor t, String name) {
        if (t == null) {
            throw new IllegalArgumentException(name + ": expected a tensor, got null");
        }
    }

    /** The arena of the tensor is open and this thread may access it. */
    public static void alive(Tensor t, String name) {
        MemorySegment s = t.segment();
        if (!s.scope().isAlive()) {
            throw new IllegalStateException(name + ": expected a live tensor, got one whose arena is closed");
        }
        if (!s.isAccessibleBy(Thread.currentThread())) {
            throw new IllegalStateException(name + ": expected a segment this thread may access, got one confined to another thread");
        }
    }

    public static void dtype(Tensor t, String name, DType dtype) {
        if (t.dtype() != dtype) {
            throw new IllegalArgumentException(name + ": expected dtype " + dtype + ", got " + t.dtype());
        }
    }

    /** F32 data starts on a 4-byte boundary (the native kernels load aligned floats). */
    public static void aligned(Tensor t, String name) {
        long align = t.dtype().byteSize();
        if (t.dtype() != DType.BOOL && (t.segment().address() & (align - 1)) != 0) {
            throw new IllegalArgumentException(name + ": expected a " + align + "-byte aligned address for "
                    + t.dtype() + ", got 0x" + Long.toHexString(t.segment().address()));
        }
    }

    public static void rank(Tensor t, String name, int expected) {
        if (t.rank() != expected) {
            throw new IllegalArgumentException(name + ": expected rank " + expected + ", got rank " + t.rank()
                    + " " + Shapes.toString(t.shape()));
        }
    }

    public static void rankAtLeast(Tensor t, String name, int min) {
        if (t.rank() < min) {
            throw new IllegalArgumentException(name + ": expected rank >= " + min + ", got rank " + t.rank()
                    + " " + Shapes.toString(t.shape()));
        }
    }

    /** The tensor's shape equals {@code expected} (cold callers: the array is theirs). */
    public static void shape(Tensor t, String name, long[] expected) {
        if (t.rank() != expected.length) {
            failShape(t, name, expected);
        }
        for (int k = 0; k < expected.length; k++) {
            if (t.shape(k) != expected[k]) {
                failShape(t, name, expected);
            }
        }
    }

    /** Shape [d0]. The fixed-arity forms allocate nothing unless they fail. */
    public static void shape(Tensor t, String name, long d0) {
        if (t.rank() != 1 || t.shape(0) != d0) {
            failShape(t, name, new long[] {d0});
        }
    }

    /** Shape [d0, d1]. */
    public static void shape(Tensor t, String name, long d0, long d1) {
        if (t.rank() != 2 || t.shape(0) != d0 || t.shape(1) != d1) {
            failShape(t, name, new long[] {d0, d1});
        }
    }

    /** Shape [d0, d1, d2, d3]. */
    public static void shape(Tensor t, String name, long d0, long d1, long d2, long d3) {
        if (t.rank() != 4 || t.shape(0) != d0 || t.shape(1) != d1 || t.shape(2) != d2 || t.shape(3) != d3) {
            failShape(t, name, new long[] {d0, d1, d2, d3});
        }
    }

    /** Same shape as {@code like}. */
    public static void sameShape(Tensor t, String name, Tensor like) {
        boolean ok = t.rank() == like.rank();
        for (int k = 0; ok && k < like.rank(); k++) {
            ok = t.shape(k) == like.shape(k);
        }
        if (!ok) {
            failShape(t, name, like.shape());
        }
    }

    /** The shape of {@code like} with the last dim replaced by {@code last}. */
    public static void sameShapeButLast(Tensor t, String name, Tensor like, long last) {
        int r = like.rank();
        boolean ok = t.rank() == r && t.shape(r - 1) == last;
        for (int k = 0; ok && k < r - 1; k++) {
            ok = t.shape(k) == like.shape(k);
        }
        if (!ok) {
            long[] expected = like.shape();
            expected[r - 1] = last;
            failShape(t, name, expected);
        }
    }

    private static void failShape(Tensor t, String name, long[] expected) {
        throw new IllegalArgumentException(name + ": expected " + Shapes.toString(expected) + ", got "
                + Shapes.toString(t.shape()));
    }

    /** {@code t} broadcasts to the shape of {@code target} by numpy rules (rank ≤ target's; each dim equal or 1). */
    public static void broadcastable(Tensor t, String name, Tensor target) {
        int lead = target.rank() - t.rank();
        boolean ok = lead >= 0;
        for (int k = 0; ok && k < t.rank(); k++) {
            ok = t.shape(k) == target.shape(lead + k) || t.shape(k) == 1;
        }
        if (!ok) {
            failBroadcast(t, name, target.shape());
        }
    }

    /** {@code t} broadcasts to [d0, d1, d2, d3]. */
    public static void broadcastable(Tensor t, String name, long d0, long d1, long d2, long d3) {
        int lead = 4 - t.rank();
        boolean ok = lead >= 0;
        for (int k = 0; ok && k < t.rank(); k++) {
            long target = switch (lead + k) {
                case 0 -> d0;
                case 1 -> d1;
                case 2 -> d2;
                default -> d3;
            };
            ok = t.shape(k) == target || t.shape(k) == 1;
        }
        if (!ok) {
            failBroadcast(t, name, new long[] {d0, d1, d2, d3});
        }
    }

    private static void failBroadcast(Tensor t, String name, long[] target) {
        throw new IllegalArgumentException(name + ": expected a shape that broadcasts to " + Shapes.toString(target)
                + ", got " + Shapes.toString(t.shape()));
    }

    public static void finite(float value, String name) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(name + ": expected a finite value, got " + value);
        }
    }

    public static void finiteNonNegative(float value, String name) {
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
    public static void noOverlap(Tensor out, String outName, Tensor in, String inName, boolean mayBeSame) {
        if (in == null || !overlaps(out, in)) {
            return;
        }
        if (mayBeSame && sameView(out, in)) {
            return;
        }
        throw new IllegalArgumentException(outName + ": expected memory disjoint from " + inName
                + (mayBeSame ? " (or exactly " + inName + " itself, for in place)" : "") + ", got an overlapping view");
    }

    /**
     * {@link #noOverlap} of {@code out} against each of {@code inputs} (null ones skipped),
     * {@code names[k]} naming {@code inputs[k]}: an output apart from everything its op reads.
     */
    public static void apart(Tensor out, String outName, Tensor[] inputs, String... names) {
        for (int k = 0; k < inputs.length; k++) {
            noOverlap(out, outName, inputs[k], names[k], false);
        }
    }

    /**
     * The output of an elementwise op over {@code in}: {@code out} has in's shape and shares no
     * byte with it, unless it is exactly in itself (the op then runs in place).
     */
    public static void sameShapeOrInPlace(Tensor out, String outName, Tensor in, String inName) {
        sameShape(out, outName, in);
        noOverlap(out, outName, in, inName, true);
    }

    /** Same start, dtype, shape and strides (strides of size-1 dims do not matter). */
    public static boolean sameView(Tensor a, Tensor b) {
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

    public static boolean overlaps(Tensor a, Tensor b) {
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
    public static long spanBytes(Tensor t) {
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
