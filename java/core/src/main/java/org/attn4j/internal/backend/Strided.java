package org.attn4j.internal.backend;

import org.attn4j.Tensor;

/**
 * Index arithmetic for the reference loops: the element offsets of every position of a strided
 * view over a chosen set of axes, in row-major order of those axes.
 */
public final class Strided {
    private Strided() {
    }

    /** Axes from..to−1. */
    public static int[] range(int from, int to) {
        int[] axes = new int[Math.max(0, to - from)];
        for (int k = 0; k < axes.length; k++) {
            axes[k] = from + k;
        }
        return axes;
    }

    /** Every axis of a rank-{@code rank} tensor but {@code axis}. */
    public static int[] allBut(int rank, int axis) {
        int[] axes = new int[rank - 1];
        for (int k = 0, o = 0; k < rank; k++) {
            if (k != axis) {
                axes[o++] = k;
            }
        }
        return axes;
    }

    /**
     * Offsets (in elements, from element [0, ..., 0]) of every index over {@code axes}, the other
     * axes held at 0; row-major over {@code axes}. No axes gives the single offset 0; an empty
     * axis gives none.
     */
    public static long[] offsets(Tensor t, int[] axes) {
        long count = 1;
        for (int a : axes) {
            count *= t.shape(a);
        }
        long[] out = new long[Math.toIntExact(count)];
        long[] index = new long[axes.length];
        for (int e = 0; e < out.length; e++) {
            long off = 0;
            for (int k = 0; k < axes.length; k++) {
                off += index[k] * t.stride(axes[k]);
            }
            out[e] = off;
            for (int k = axes.length - 1; k >= 0; k--) { // next index, last axis fastest
                if (++index[k] < t.shape(axes[k])) {
                    break;
                }
                index[k] = 0;
            }
        }
        return out;
    }

    /** {@code c}'s batch dims (all but the last two) followed by {@code t}'s last two dims. */
    public static long[] withBatch(Tensor c, Tensor t) {
        long[] shape = c.shape();
        shape[shape.length - 2] = t.shape(-2);
        shape[shape.length - 1] = t.shape(-1);
        return shape;
    }
}
