package org.attn4j;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.attn4j.internal.tensor.Elements;
import org.attn4j.internal.tensor.Shapes;

/**
 * A strided view of a {@link MemorySegment}: dtype, shape and strides (in elements, never
 * negative, 0 for broadcast axes). The segment starts at element [0, ..., 0] and is proven on
 * construction to hold every element the view can reach.
 *
 * <p>Views (reshape, permute, transpose, slice, select, unsqueeze, expand) share memory and
 * allocate nothing. Everything that allocates takes a {@link SegmentAllocator} (usually an
 * {@link java.lang.foreign.Arena}): the caller owns the lifetime; a tensor is valid as long as
 * the arena of its segment is alive. Tensors are immutable descriptors; the memory they view
 * is not. Sizes are longs: nothing here stops at 2 GB.
 */
public final class Tensor {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Most dimensions a tensor may have (ATTN4J_MAX_DIMS in attn4j.h). */
    public static final int MAX_RANK = 8;

    private final MemorySegment segment;
    private final DType dtype;
    private final long[] shape;
    private final long[] strides;

    private Tensor(MemorySegment segment, DType dtype, long[] shape, long[] strides) {
        this.segment = segment;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
    }

    // ------------------------------------------------------------------ factories

    /** Wraps a segment holding a row-major tensor of this shape (no copy). */
    public static Tensor wrap(MemorySegment segment, DType dtype, long... shape) {
        return wrap(segment, dtype, shape, Shapes.contiguousStrides(shape));
    }

    /**
     * Wraps a segment with explicit strides (in elements). Throws IllegalArgumentException if a
     * dim or stride is negative, the rank exceeds {@link #MAX_RANK}, or the view would reach
     * past the end of the segment.
     */
    public static Tensor wrap(MemorySegment segment, DType dtype, long[] shape, long[] strides) {
        if (segment == null || dtype == null || shape == null || strides == null) {
            throw new IllegalArgumentException("segment, dtype, shape and strides must not be null");
        }
        long[] sh = shape.clone();
        long[] st = strides.clone();
        Shapes.checkShape(sh);
        if (st.length != sh.length) {
            throw new IllegalArgumentException("strides: expected " + sh.length + " entries, got " + st.length);
        }
        long span = Shapes.spanElements(sh, st); // furthest element + 1, 0 when empty
        long needed = Math.multiplyExact(span, (long) dtype.byteSize());
        if (needed > segment.byteSize()) {
            throw new IllegalArgumentException("segment too small for " + dtype + Shapes.toString(sh)
                    + ": expected at least " + needed + " bytes, got " + segment.byteSize());
        }
        return new Tensor(segment, dtype, sh, st);
    }

    /** A zero-filled contiguous tensor. */
    public static Tensor zeros(SegmentAllocator allocator, DType dtype, long... shape) {
        long[] sh = shape.clone();
        long bytes = Math.multiplyExact(Shapes.checkShape(sh), (long) dtype.byteSize());
        MemorySegment seg = allocator.allocate(bytes, 64);
        seg.fill((byte) 0); // SegmentAllocators other than arenas need not zero
        return new Tensor(seg, dtype, sh, Shapes.contiguousStrides(sh));
    }

    /** A float32 tensor holding a copy of {@code data}, whose length must match the shape. */
    public static Tensor of(SegmentAllocator allocator, float[] data, long... shape) {
        long n = Shapes.checkShape(shape.clone());
        if (n != data.length) {
            throw new IllegalArgumentException("data: expected " + n + " floats for shape "
                    + Shapes.toString(shape) + ", got " + data.length);
        }
        MemorySegment seg = allocator.allocate(Math.max(4L * n, 1), 64);
        MemorySegment.copy(data, 0, seg, F32, 0, data.length);
        return new Tensor(seg, DType.F32, shape.clone(), Shapes.contiguousStrides(shape));
    }

    /** A BOOL tensor (one byte per element) holding {@code data}. */
    public static Tensor ofBooleans(SegmentAllocator allocator, boolean[] data, long... shape) {
        long n = Shapes.checkShape(shape.clone());
        if (n != data.length) {
            throw new IllegalArgumentException("data: expected " + n + " booleans for shape "
                    + Shapes.toString(shape) + ", got " + data.length);
        }
        MemorySegment seg = allocator.allocate(Math.max(n, 1), 64);
        for (int k = 0; k < data.length; k++) {
            seg.set(ValueLayout.JAVA_BYTE, k, (byte) (data[k] ? 1 : 0));
        }
        return new Tensor(seg, DType.BOOL, shape.clone(), Shapes.contiguousStrides(shape));
    }

    /** A float32 tensor of independent N(mean, std²) samples from a seeded generator. */
    public static Tensor randn(SegmentAllocator allocator, long seed, float mean, float std, long... shape) {
        Tensor t = zeros(allocator, DType.F32, shape);
        SplittableRandom random = new SplittableRandom(seed);
        long n = t.numel();
        for (long k = 0; k < n; k++) {
            t.segment.set(F32, 4 * k, (float) (mean + std * gaussian(random)));
        }
        return t;
    }

    /** A float32 tensor of independent N(0, 1) samples. */
    public static Tensor randn(SegmentAllocator allocator, long seed, long... shape) {
        return randn(allocator, seed, 0f, 1f, shape);
    }

    /** A float32 tensor of independent U(low, high) samples. */
    public static Tensor uniform(SegmentAllocator allocator, long seed, float low, float high, long... shape) {
        Tensor t = zeros(allocator, DType.F32, shape);
        SplittableRandom random = new SplittableRandom(seed);
        long n = t.numel();
        for (long k = 0; k < n; k++) {
            t.segment.set(F32, 4 * k, (float) (low + (high - low) * random.nextDouble()));
        }
        return t;
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian with a stable sequence across JDKs.
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    // ------------------------------------------------------------------ accessors

    /** The segment; element [0, ..., 0] is at its byte 0. */
    public MemorySegment segment() {
        return segment;
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code dim}; negative values count from the end. */
    public long shape(int dim) {
        return shape[axis(dim)];
    }

    /** A copy of the strides, in elements. */
    public long[] strides() {
        return strides.clone();
    }

    /** Stride of dimension {@code dim} in elements; negative values count from the end. */
    public long stride(int dim) {
        return strides[axis(dim)];
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements (product of the dims). */
    public long numel() {
        return Shapes.product(shape);
    }

    /** Bytes the elements take when contiguous. */
    public long byteSize() {
        return numel() * dtype.byteSize();
    }

    /** True when the strides are row-major for the shape (size-1 dims ignored). */
    public boolean isContiguous() {
        return Shapes.isContiguous(shape, strides);
    }

    /** True when the arena of the segment is still alive. */
    public boolean isAlive() {
        return segment.scope().isAlive();
    }

    // ------------------------------------------------------------------ views

    /** A view with a new shape (one dim may be -1); the tensor must be contiguous. */
    public Tensor reshape(long... newShape) {
        long[] sh = Shapes.inferReshape(numel(), newShape);
        if (!isContiguous()) {
            throw new IllegalStateException("reshape needs a contiguous tensor, got shape " + Shapes.toString(shape)
                    + " strides " + Shapes.toString(strides) + ": call contiguous(allocator) first");
        }
        return new Tensor(segment, dtype, sh, Shapes.contiguousStrides(sh));
    }

    /** A view with the axes reordered: result dim k is this tensor's dim {@code dims[k]}. */
    public Tensor permute(int... dims) {
        if (dims.length != rank()) {
            throw new IllegalArgumentException("permute: expected " + rank() + " axes, got " + dims.length);
        }
        long[] sh = new long[dims.length];
        long[] st = new long[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int k = 0; k < dims.length; k++) {
            int d = axis(dims[k]);
            if (seen[d]) {
                throw new IllegalArgumentException("permute: axis " + dims[k] + " repeated in " + Arrays.toString(dims));
            }
            seen[d] = true;
            sh[k] = shape[d];
            st[k] = strides[d];
        }
        return new Tensor(segment, dtype, sh, st);
    }

    /** A view with axes {@code a} and {@code b} swapped. */
    public Tensor transpose(int a, int b) {
        int[] dims = new int[rank()];
        for (int k = 0; k < dims.length; k++) {
            dims[k] = k;
        }
        int x = axis(a);
        int y = axis(b);
        dims[x] = y;
        dims[y] = x;
        return permute(dims);
    }

    /** A view of indices [start, end) along {@code dim}. */
    public Tensor slice(int dim, long start, long end) {
        int d = axis(dim);
        if (start < 0 || end < start || end > shape[d]) {
            throw new IndexOutOfBoundsException("slice of dim " + dim + ": expected 0 <= start <= end <= "
                    + shape[d] + ", got [" + start + ", " + end + ")");
        }
        long[] sh = shape.clone();
        sh[d] = end - start;
        // Why the empty case: a view with no elements (this slice, or any other dim of size 0) may
        // have an offset past the end of its (empty) segment, e.g. [0, 3, 5].slice(2, 1, 5).
        boolean empty = end == start;
        for (long n : sh) {
            empty |= n == 0;
        }
        MemorySegment seg = empty ? segment.asSlice(0, 0) : segment.asSlice(start * strides[d] * dtype.byteSize());
        return new Tensor(seg, dtype, sh, strides.clone());
    }

    /** A view of index {@code index} along {@code dim}, which disappears. */
    public Tensor select(int dim, long index) {
        int d = axis(dim);
        if (index < 0 || index >= shape[d]) {
            throw new IndexOutOfBoundsException("select of dim " + dim + ": expected 0 <= index < " + shape[d] + ", got " + index);
        }
        long[] sh = new long[rank() - 1];
        long[] st = new long[rank() - 1];
        for (int k = 0, o = 0; k < rank(); k++) {
            if (k != d) {
                sh[o] = shape[k];
                st[o++] = strides[k];
            }
        }
        return new Tensor(segment.asSlice(index * strides[d] * dtype.byteSize()), dtype, sh, st);
    }

    /** A view with a new axis of size 1 inserted at {@code dim} (0..rank). */
    public Tensor unsqueeze(int dim) {
        int d = dim < 0 ? dim + rank() + 1 : dim;
        if (d < 0 || d > rank() || rank() == MAX_RANK) {
            throw new IllegalArgumentException("unsqueeze: expected dim in [" + (-rank() - 1) + ", " + rank()
                    + "] and rank < " + MAX_RANK + ", got dim " + dim + " on rank " + rank());
        }
        long[] sh = new long[rank() + 1];
        long[] st = new long[rank() + 1];
        for (int k = 0, o = 0; k <= rank(); k++) {
            if (k == d) {
                sh[k] = 1;
                st[k] = 0;
            } else {
                sh[k] = shape[o];
                st[k] = strides[o++];
            }
        }
        return new Tensor(segment, dtype, sh, st);
    }

    /**
     * A broadcast view with the given shape (numpy rules: leading dims are added, size-1 dims
     * repeat with stride 0).
     */
    public Tensor expand(long... newShape) {
        long[] st = Shapes.broadcastStrides(shape, strides, newShape);
        return new Tensor(segment, dtype, newShape.clone(), st);
    }

    // ------------------------------------------------------------------ copies

    /** This tensor if it is contiguous, else a contiguous copy. */
    public Tensor contiguous(SegmentAllocator allocator) {
        return isContiguous() ? this : copy(allocator);
    }

    /** A contiguous copy with the same dtype. */
    public Tensor copy(SegmentAllocator allocator) {
        return to(dtype, allocator);
    }

    /** A contiguous copy converted to {@code target} (F32 ↔ F16/BF16/F64; BOOL ↔ 0/1). */
    public Tensor to(DType target, SegmentAllocator allocator) {
        Tensor out = zeros(allocator, target, shape);
        if (dtype == target && isContiguous()) {
            MemorySegment.copy(segment, 0, out.segment, 0, byteSize());
            return out;
        }
        long n = numel();
        long[] index = new long[rank()];
        for (long k = 0; k < n; k++) {
            out.setAtOffset(k, getAt(offsetOf(index))); // out is contiguous
            Shapes.increment(index, shape);
        }
        return out;
    }

    /** Copies every element of {@code src} (same shape, any dtypes and strides) into this view. */
    public void copyFrom(Tensor src) {
        if (!Arrays.equals(shape, src.shape)) {
            throw new IllegalArgumentException("copyFrom: expected shape " + Shapes.toString(shape)
                    + ", got " + Shapes.toString(src.shape));
        }
        long n = numel();
        long[] index = new long[rank()];
        for (long k = 0; k < n; k++) {
            setAtOffset(offsetOf(index), src.getAt(src.offsetOf(index)));
            Shapes.increment(index, shape);
        }
    }

    /** All elements in row-major order, as floats (BOOL gives 0 or 1). */
    public float[] toFloatArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("toFloatArray: " + n + " elements do not fit a Java array");
        }
        float[] out = new float[(int) n];
        if (dtype == DType.F32 && isContiguous()) {
            MemorySegment.copy(segment, F32, 0, out, 0, out.length);
            return out;
        }
        long[] index = new long[rank()];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) getAt(offsetOf(index));
            Shapes.increment(index, shape);
        }
        return out;
    }

    /** All elements in row-major order, as booleans (non-zero = true). */
    public boolean[] toBooleanArray() {
        float[] values = toFloatArray();
        boolean[] out = new boolean[values.length];
        for (int k = 0; k < out.length; k++) {
            out[k] = values[k] != 0f;
        }
        return out;
    }

    /** The element at {@code index} (one entry per dim), as a float. */
    public float getFloat(long... index) {
        return (float) getAt(offsetOf(checkedIndex(index)));
    }

    /** Sets the element at {@code index}, converting to this tensor's dtype. */
    public void setFloat(float value, long... index) {
        setAtOffset(offsetOf(checkedIndex(index)), value);
    }

    // ------------------------------------------------------------------ internals

    /** Element offset (in elements from element [0..0]) of a full index. */
    private long offsetOf(long[] index) {
        long off = 0;
        for (int k = 0; k < index.length; k++) {
            off += index[k] * strides[k];
        }
        return off;
    }

    private long[] checkedIndex(long[] index) {
        if (index.length != rank()) {
            throw new IllegalArgumentException("index: expected " + rank() + " entries, got " + index.length);
        }
        for (int k = 0; k < index.length; k++) {
            if (index[k] < 0 || index[k] >= shape[k]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of shape " + Shapes.toString(shape));
            }
        }
        return index;
    }

    /** The element at element offset {@code off}, widened to double. */
    private double getAt(long off) {
        return Elements.get(this, off);
    }

    private void setAtOffset(long off, double value) {
        Elements.set(this, off, value);
    }

    private int axis(int dim) {
        int d = dim < 0 ? dim + rank() : dim;
        if (d < 0 || d >= rank()) {
            throw new IllegalArgumentException("dim: expected in [" + (-rank()) + ", " + (rank() - 1) + "], got " + dim);
        }
        return d;
    }

    @Override
    public String toString() {
        return "Tensor(" + dtype + Shapes.toString(shape) + (isContiguous() ? "" : ", strides " + Shapes.toString(strides)) + ")";
    }
}
