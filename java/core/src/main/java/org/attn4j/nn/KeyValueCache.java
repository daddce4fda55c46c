package org.attn4j.nn;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.tensor.Shapes;

/**
 * The keys and values of the tokens decoded so far, for token-by-token causal self attention
 * (GPT-style decoding): keys [b, h, capacity, d] and values [b, h, capacity, dv], F32, in memory
 * the caller owns (its arena, or tensors it wraps). Each step appends the new tokens' k and v
 * ({@link #append}) and attends its queries to everything held ({@link DecodeStep}), so a step
 * costs one pass over the cache instead of a forward over the whole sequence.
 *
 * <pre>{@code
 * try (Arena arena = Arena.ofConfined()) {
 *     KeyValueCache cache = KeyValueCache.allocate(arena, 1, 8, 4096, 64); // [1, 8, 4096, 64] twice
 *     for (Tensor x : tokens) {                                             // x [1, 1, 512]
 *         Tensor y = DecodeStep.multiheadAttention(mha, arena, x, cache);   // y [1, 1, 512]
 *     }
 * }
 * }</pre>
 *
 * <p>Mutable and not thread-safe: one decoding sequence (batch) per cache, one thread at a time.
 * It holds no native resource of its own, so it needs no close: the caller's arena frees it.
 */
public final class KeyValueCache {
    private final Tensor keys;   // [b, h, capacity, d], rows contiguous
    private final Tensor values; // [b, h, capacity, dv], rows contiguous
    private long length;         // positions 0 .. length-1 hold tokens

    private KeyValueCache(Tensor keys, Tensor values) {
        this.keys = keys;
        this.values = values;
    }

    /** An empty cache of {@code capacity} positions with keys and values of {@code dimHead}, from {@code allocator}. */
    public static KeyValueCache allocate(SegmentAllocator allocator, long batch, long heads, long capacity, long dimHead) {
        return allocate(allocator, batch, heads, capacity, dimHead, dimHead);
    }

    /** An empty cache: keys [batch, heads, capacity, dimHead], values [batch, heads, capacity, dimValue]. */
    public static KeyValueCache allocate(SegmentAllocator allocator, long batch, long heads, long capacity, long dimHead,
                                         long dimValue) {
        if (allocator == null) {
            throw new IllegalArgumentException("allocator must not be null");
        }
        for (long n : new long[] {batch, heads, capacity, dimHead, dimValue}) {
            if (n < 1) {
                throw new IllegalArgumentException("batch, heads, capacity, dimHead, dimValue: expected positive values, got "
                        + batch + ", " + heads + ", " + capacity + ", " + dimHead + ", " + dimValue);
            }
        }
        return new KeyValueCache(Tensor.zeros(allocator, DType.F32, batch, heads, capacity, dimHead),
                Tensor.zeros(allocator, DType.F32, batch, heads, capacity, dimValue));
    }

    /**
     * An empty cache over the caller's tensors keys [b, h, capacity, d] and values
     * [b, h, capacity, dv] (F32, each row of d or dv contiguous; their contents are overwritten
     * as tokens are appended). The caller keeps their arena alive while the cache is used.
     */
    public static KeyValueCache wrap(Tensor keys, Tensor values) {
        if (keys == null || values == null) {
            throw new IllegalArgumentException("keys and values must not be null");
        }
        check("keys", keys);
        check("values", values);
        if (keys.shape(0) != values.shape(0) || keys.shape(1) != values.shape(1) || keys.shape(2) != values.shape(2)) {
            throw new IllegalArgumentException("values: expected shape [" + keys.shape(0) + ", " + keys.shape(1) + ", "
                    + keys.shape(2) + ", dv] (as keys " + Shapes.toString(keys.shape()) + "), got "
                    + Shapes.toString(values.shape()));
        }
        return new KeyValueCache(keys, values);
    }

    private static void check(String name, Tensor t) {
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException(name + ": expected dtype F32, got " + t.dtype());
        }
        if (t.rank() != 4) {
            throw new IllegalArgumentException(name + ": expected shape [b, h, capacity, d], got " + Shapes.toString(t.shape()));
        }
        if (t.stride(3) != 1 && t.shape(3) > 1) {
            throw new IllegalArgumentException(name + ": expected rows of d contiguous (stride 1 on the last axis), got strides "
                    + Shapes.toString(t.strides()));
        }
        if (!t.isAlive()) {
            throw new IllegalStateException(name + ": its arena is closed");
        }
    }

    /** Tokens held. */
    public long length() {
        return length;
    }

    /** Tokens it can hold. */
    public long capacity() {
        return keys.shape(2);
    }

    public long batch() {
        return keys.shape(0);
    }

    public long heads() {
        return keys.shape(1);
    }

    /** d of the keys (and of the queries that attend them). */
    public long dimHead() {
        return keys.shape(3);
    }

    /** dv of the values (and of the attention's output). */
    public long dimValue() {
        return values.shape(3);
    }

    /** The keys held: a [b, h, length, d] view (no copy; valid until the next append or clear). */
    public Tensor keys() {
        return keys.slice(2, 0, length);
    }

    /** The values held: a [b, h, length, dv] view. */
    public Tensor values() {
        return values.slice(2, 0, length);
    }

    /**
     * Appends t new tokens: k [b, h, t, d] and v [b, h, t, dv] (any float dtype, any strides) go
     * to positions length .. length+t-1. Throws IllegalStateException when they do not fit.
     */
    public void append(Tensor k, Tensor v) {
        if (k == null || v == null) {
            throw new IllegalArgumentException("k and v must not be null");
        }
        long t = k.rank() == 4 ? k.shape(2) : -1;
        checkNew("k", k, t, dimHead());
        checkNew("v", v, t, dimValue());
        if (length + t > capacity()) {
            throw new IllegalStateException("the cache is full: it holds " + length + " of " + capacity()
                    + " tokens, and " + t + " more were appended");
        }
        copyRows(k, keys, length);
        copyRows(v, values, length);
        length += t;
    }

    private void checkNew(String name, Tensor x, long t, long d) {
        if (x.rank() != 4 || x.shape(0) != batch() || x.shape(1) != heads() || x.shape(2) != t || x.shape(3) != d || t < 1) {
            throw new IllegalArgumentException(name + ": expected shape [" + batch() + ", " + heads() + ", t, " + d
                    + "] with t >= 1 (as k's t), got " + Shapes.toString(x.shape()));
        }
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(name + ": expected a float dtype, got " + x.dtype());
        }
        if (!x.isAlive()) {
            throw new IllegalStateException(name + ": its arena is closed");
        }
    }

    /** src [b, h, t, d] → dst[:, :, at : at+t, :], one bulk copy per row when src's rows are F32 and contiguous. */
    private static void copyRows(Tensor src, Tensor dst, long at) {
        long t = src.shape(2);
        long d = src.shape(3);
        Tensor target = dst.slice(2, at, at + t);
        if (src.dtype() != DType.F32 || (src.stride(3) != 1 && d > 1)) {
            target.copyFrom(src);
            return;
        }
        MemorySegment from = src.segment();
        MemorySegment to = target.segment();
        long rowBytes = d * Float.BYTES;
        for (long b = 0; b < src.shape(0); b++) {
            for (long h = 0; h < src.shape(1); h++) {
                for (long r = 0; r < t; r++) {
                    long s = (b * src.stride(0) + h * src.stride(1) + r * src.stride(2)) * Float.BYTES;
                    long o = (b * target.stride(0) + h * target.stride(1) + r * target.stride(2)) * Float.BYTES;
                    MemorySegment.copy(from, s, to, o, rowBytes);
                }
            }
        }
    }

    /** Forgets the tokens after the first {@code newLength} (0 empties the cache; e.g. to restart or roll back). */
    public void truncate(long newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("newLength: expected 0 .. " + length + ", got " + newLength);
        }
        length = newLength;
    }

    @Override
    public String toString() {
        return "KeyValueCache(" + length + " of " + capacity() + " tokens, keys " + Shapes.toString(keys.shape())
                + ", values " + Shapes.toString(values.shape()) + ")";
    }
}
