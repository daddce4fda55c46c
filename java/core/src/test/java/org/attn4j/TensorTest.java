package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.attn4j.internal.tensor.Elements;
import org.junit.jupiter.api.Test;

/** Views, copies, conversions and the checks of {@link Tensor}. */
class TensorTest {

    private static float[] iota(int n) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = k;
        }
        return v;
    }

    @Test
    void viewsShareMemoryAndIndexCorrectly() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.of(arena, iota(2 * 3 * 5), 2, 3, 5);            // t[a,b,c] = 15a + 5b + c
            Tensor p = t.permute(2, 0, 1);                                     // [5, 2, 3]
            assertArrayEquals(new long[] {5, 2, 3}, p.shape());
            assertEquals(15 + 10 + 4, p.getFloat(4, 1, 2));
            assertFalse(p.isContiguous());
            Tensor s = t.slice(2, 1, 4);                                       // [2, 3, 3]
            assertEquals(15 + 5 + 3, s.getFloat(1, 1, 2));
            Tensor sel = t.select(1, 2);                                       // [2, 5]
            assertEquals(15 + 10 + 3, sel.getFloat(1, 3));
            Tensor tr = t.transpose(0, 2);                                     // [5, 3, 2]
            assertEquals(t.getFloat(1, 2, 4), tr.getFloat(4, 2, 1));
            t.setFloat(-1f, 1, 2, 4);
            assertEquals(-1f, tr.getFloat(4, 2, 1), "views share memory");
            Tensor r = t.reshape(6, -1);
            assertArrayEquals(new long[] {6, 5}, r.shape());
            assertEquals(t.getFloat(1, 0, 3), r.getFloat(3, 3));
            Tensor u = sel.unsqueeze(0);
            assertArrayEquals(new long[] {1, 2, 5}, u.shape());
        }
    }

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.randn(arena, 3, 4, 7, 1);
            assertSame(t, t.contiguous(arena));
            Tensor p = t.permute(1, 0, 2).contiguous(arena);
            assertTrue(p.isContiguous());
            for (int a = 0; a < 4; a++) {
                for (int b = 0; b < 7; b++) {
                    assertEquals(t.getFloat(a, b, 0), p.getFloat(b, a, 0));
                }
            }
        }
    }

    @Test
    void expandBroadcastsWithZeroStrides() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.of(arena, iota(3), 3, 1);
            Tensor e = t.expand(2, 3, 4);
            assertArrayEquals(new long[] {0, 1, 0}, e.strides());
            assertEquals(2f, e.getFloat(1, 2, 3));
            assertThrows(IllegalArgumentException.class, () -> t.expand(2, 4));
        }
    }

    @Test
    void halfPrecisionRoundTrips() {
        try (Arena arena = Arena.ofConfined()) {
            float[] values = {0f, 1f, -2.5f, 65504f, 1e-3f, 3.140625f};
            Tensor t = Tensor.of(arena, values, 2, 3);
            for (DType half : new DType[] {DType.F16, DType.BF16}) {
                Tensor h = t.to(half, arena);
                assertEquals(2L * 6, h.segment().byteSize());
                float[] back = h.to(DType.F32, arena).toFloatArray();
                for (int k = 0; k < values.length; k++) {
                    double tol = half == DType.F16 ? 1e-3 : 8e-3;
                    assertEquals(values[k], back[k], tol * Math.max(1, Math.abs(values[k])), half + " at " + k);
                }
            }
            assertEquals((short) 0x3f80, Elements.toBFloat16(1f));
            assertEquals((short) 0x3f80, Elements.toBFloat16(1.00390625f));   // halfway: rounds to the even 0x3f80
            assertEquals((short) 0x3f82, Elements.toBFloat16(1.01171875f));   // halfway: rounds to the even 0x3f82
            assertTrue(Float.isNaN(Float.intBitsToFloat(Elements.toBFloat16(Float.NaN) << 16)));
        }
    }

    @Test
    void randnIsSeededAndNormal() {
        try (Arena arena = Arena.ofConfined()) {
            float[] a = Tensor.randn(arena, 42, 10_000).toFloatArray();
            float[] b = Tensor.randn(arena, 42, 10_000).toFloatArray();
            float[] c = Tensor.randn(arena, 43, 10_000).toFloatArray();
            assertArrayEquals(a, b);
            assertNotEquals(a[0], c[0]);
            double mean = 0;
            double sq = 0;
            for (float v : a) {
                mean += v;
                sq += v * v;
            }
            mean /= a.length;
            assertEquals(0, mean, 0.05);
            assertEquals(1, sq / a.length - mean * mean, 0.05);
        }
    }

    @Test
    void wrapChecksTheSegmentSize() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4 * 10);
            Tensor ok = Tensor.wrap(seg, DType.F32, 2, 5);
            assertEquals(10, ok.numel());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(seg, DType.F32, 3, 5));
            assertTrue(e.getMessage().contains("expected at least 60 bytes, got 40"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> Tensor.wrap(seg, DType.F32, new long[] {2, 5}, new long[] {5, -1}));
            assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(seg, DType.F32, -1, 5));
            assertThrows(IllegalArgumentException.class,
                    () -> Tensor.zeros(arena, DType.F32, Long.MAX_VALUE / 2, 4));
        }
    }

    @Test
    void viewsRejectBadArguments() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.zeros(arena, DType.F32, 2, 3);
            assertThrows(IllegalArgumentException.class, () -> t.permute(0, 0));
            assertThrows(IllegalArgumentException.class, () -> t.permute(0));
            assertThrows(IndexOutOfBoundsException.class, () -> t.slice(1, 2, 4));
            assertThrows(IndexOutOfBoundsException.class, () -> t.select(0, 2));
            assertThrows(IllegalArgumentException.class, () -> t.reshape(4, -1));
            assertThrows(IllegalStateException.class, () -> t.transpose(0, 1).reshape(6));
            assertThrows(IllegalArgumentException.class, () -> t.shape(2));
        }
    }

    @Test
    void emptyAndScalarTensors() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor empty = Tensor.zeros(arena, DType.F32, 0, 7);
            assertEquals(0, empty.numel());
            assertEquals(0, empty.toFloatArray().length);
            Tensor scalar = Tensor.of(arena, new float[] {2.5f});
            assertEquals(0, scalar.rank());
            assertEquals(2.5f, scalar.getFloat());
        }
    }

    @Test
    void beyondTwoGigabytesIsAddressable() {
        // A 2^31 + 16 byte view over a mapped-size segment without touching its pages.
        try (Arena arena = Arena.ofConfined()) {
            long n = (1L << 29) + 4; // floats: 2 GiB + 16 bytes
            MemorySegment big = arena.allocate(4 * n, 64);
            Tensor t = Tensor.wrap(big, DType.F32, n);
            t.setFloat(7f, n - 1);
            assertEquals(7f, t.slice(0, n - 2, n).getFloat(1));
        }
    }
}
