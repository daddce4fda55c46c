package org.attn4j;

import static org.attn4j.Layouts.assertClose;

import java.lang.foreign.Arena;

/** Every operation on both backends against values worked out by hand. */
class HandComputedTest {
    private static final double TOL = 1e-6;
    private static final float LN2 = (float) Math.log(2);
    private static final float LN3 = (float) Math.log(3);

    @OnBothBackends
    void linear(String name) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, new float[] {1, 2}, 1, 2);
            Tensor w = Tensor.of(arena, new float[] {1, 0, 0, 1, 1, 1}, 3, 2); // [out 3, in 2]
            Tensor b = Tensor.of(arena, new float[] {0.5f, -1, 0}, 3);
            Tensor y = Tensor.zeros(arena, DType.F32, 1, 3);
            TestBackends.named(name).linear(x, w, b, y);
            assertClose(new float[] {1.5f, 1, 3}, y, TOL, "y");
            TestBackends.named(name).linear(x, w, null, y);
            assertClose(new float[] {1, 2, 3}, y, TOL, "y without bias");
        }
    }

    @OnBothBackends
    void matmul(String name) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.of(arena, new float[] {1, 2, 3, 4}, 2, 2);
            Tensor b = Tensor.of(arena, new float[] {5, 6, 7, 8}, 2, 2);
            Tensor c = Tensor.zeros(arena, DType.F32, 2, 2);
            Backend backend = TestBackends.named(name);
            backend.matmul(a, false, b, false, 1f, c);
            assertClose(new float[] {19, 22, 43, 50}, c, TOL, "a·b");
            backend.matmul(a, false, b, true, 1f, c);
            assertClose(new float[] {17, 23, 39, 53}, c, TOL, "a·bᵀ");
            backend.matmul(a, true, b, false, 0.5f, c);
            assertClose(new float[] {13, 15, 19, 22}, c, TOL, "0.5·aᵀ·b");
            // batch broadcast: a [2, 1, 2] rows (1, 0) and (0, 1) against one b [2, 2]
            Tensor a2 = Tensor.of(arena, new float[] {1, 0, 0, 1}, 2, 1, 2);
            Tensor c2 = Tensor.zeros(arena, DType.F32, 2, 1, 2);
            backend.matmul(a2, false, b, false, 1f, c2);
            assertClose(new float[] {5, 6, 7, 8}, c2, TOL, "batched rows of b");
        }
    }

    @OnBothBackends
    void softmax(String name) {
        try (Arena arena = Arena.ofConfined()) {
            // e^0 : e^ln2 : e^ln3 = 1 : 2 : 3
            Tensor x = Tensor.of(arena, new float[] {0, LN2, LN3}, 1, 3);
            Tensor y = Tensor.zeros(arena, DType.F32, 1, 3);
            TestBackends.named(name).softmax(x, -1, y);
            assertClose(new float[] {1 / 6f, 2 / 6f, 3 / 6f}, y, TOL, "softmax over the last axis");
            Tensor column = Tensor.of(arena, new float[] {0, LN2, LN3}, 3, 1);
            TestBackends.named(name).softmax(column, -2, column); // in place
            assertClose(new float[] {1 / 6f, 2 / 6f, 3 / 6f}, column, TOL, "softmax over axis -2");
        }
    }

    @OnBothBackends
    void norms(String name) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, new float[] {3, 4}, 1, 2);
            Tensor y = Tensor.zeros(arena, DType.F32, 1, 2);
            // rms = sqrt((9 + 16) / 2) = sqrt(12.5)
            float rms = (float) Math.sqrt(12.5);
            TestBackends.named(name).rmsNorm(x, Tensor.of(arena, new float[] {1, 2}, 2), 0f, y);
            assertClose(new float[] {3 / rms, 8 / rms}, y, TOL, "rmsNorm");
            // mean 2, biased variance 1: (x − 2) / 1 · (2, 3) + (1, 1)
            Tensor z = Tensor.of(arena, new float[] {1, 3}, 1, 2);
            TestBackends.named(name).layerNorm(z, Tensor.of(arena, new float[] {2, 3}, 2), Tensor.of(arena, new float[] {1, 1}, 2), 0f, y);
            assertClose(new float[] {-1, 4}, y, TOL, "layerNorm");
            TestBackends.named(name).layerNorm(z, null, null, 0f, z);
            assertClose(new float[] {-1, 1}, z, TOL, "plain layerNorm in place");
        }
    }

    @OnBothBackends
    void gelu(String name) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, new float[] {0, 1, -1, 2, -6}, 5);
            Tensor y = Tensor.zeros(arena, DType.F32, 5);
            TestBackends.named(name).gelu(x, y);
            // x · Φ(x): Φ(1) = 0.8413447460685429, Φ(2) = 0.9772498680518208, Φ(−6) = 9.865876450377e-10
            assertClose(new float[] {0, 0.8413447460685429f, -0.15865525393145707f, 1.9544997361036416f,
                    (float) (-6 * 9.865876450377e-10)}, y, TOL, "gelu");
        }
    }

    @OnBothBackends
    void add(String name) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.of(arena, new float[] {1, 2, 3, 4}, 2, 2);
            TestBackends.named(name).add(a, Tensor.of(arena, new float[] {10, 20}, 2), a);
            assertClose(new float[] {11, 22, 13, 24}, a, TOL, "a + b[row] in place");
            Tensor y = Tensor.zeros(arena, DType.F32, 2, 2);
            TestBackends.named(name).add(a, Tensor.of(arena, new float[] {1, 2}, 2, 1), y);
            assertClose(new float[] {12, 23, 15, 26}, y, TOL, "a + b[column]");
        }
    }

    @OnBothBackends
    void bcaSoftmax(String name) {
        try (Arena arena = Arena.ofConfined()) {
            // sim [1, 1, 2, 2] = [[0, ln3], [0, 0]]
            Tensor sim = Tensor.of(arena, new float[] {0, LN3, 0, 0}, 1, 1, 2, 2);
            Tensor attn = Tensor.zeros(arena, DType.F32, 1, 1, 2, 2);
            Tensor contextAttn = Tensor.zeros(arena, DType.F32, 1, 1, 2, 2);
            Backend backend = TestBackends.named(name);
            backend.bcaSoftmax(sim, null, null, null, attn, contextAttn);
            assertClose(new float[] {0.25f, 0.75f, 0.5f, 0.5f}, attn, TOL, "rows");
            assertClose(new float[] {0.5f, 0.75f, 0.5f, 0.25f}, contextAttn, TOL, "columns");
            // mask row 1 off: row 1 is uniform over j; every column puts all weight on row 0
            Tensor mask = Tensor.ofBooleans(arena, new boolean[] {true, false}, 1, 2);
            backend.bcaSoftmax(sim, null, mask, null, attn, contextAttn);
            assertClose(new float[] {0.25f, 0.75f, 0.5f, 0.5f}, attn, TOL, "rows, row 1 masked");
            assertClose(new float[] {1, 1, 0, 0}, contextAttn, TOL, "columns, row 1 masked");
            // context column 0 off, bias +ln3 on [0, 1] only: row 0 = ln3 + ln3 vs fill -> [0, 1]
            Tensor contextMask = Tensor.ofBooleans(arena, new boolean[] {false, true}, 1, 2);
            Tensor bias = Tensor.of(arena, new float[] {0, LN3, 0, 0}, 2, 2);
            backend.bcaSoftmax(sim, bias, null, contextMask, attn, contextAttn);
            assertClose(new float[] {0, 1, 0, 1}, attn, TOL, "rows, column 0 masked");
            // column 0 fully masked: uniform; column 1: 2·ln3 vs 0 -> 9 : 1
            assertClose(new float[] {0.5f, 0.9f, 0.5f, 0.1f}, contextAttn, TOL, "columns, column 0 masked");
        }
    }

    @OnBothBackends
    void headMix(String name) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, new float[] {1, 10, 2, 20}, 1, 2, 2); // heads (1, 10) and (2, 20)
            Tensor w = Tensor.of(arena, new float[] {1, 1, 2, -1}, 2, 2);
            Tensor y = Tensor.zeros(arena, DType.F32, 1, 2, 2);
            TestBackends.named(name).headMix(x, w, y);
            assertClose(new float[] {3, 30, 0, 0}, y, TOL, "y");
        }
    }

    @OnBothBackends
    void bcaFused(String name) {
        try (Arena arena = Arena.ofConfined()) {
            // b = h = 1, i = j = 2, d = 1: sim = qk·contextQkᵀ = [[ln3, 0], [0, 0]]
            Tensor qk = Tensor.of(arena, new float[] {1, 0}, 1, 1, 2, 1);
            Tensor contextQk = Tensor.of(arena, new float[] {LN3, 0}, 1, 1, 2, 1);
            Tensor v = Tensor.of(arena, new float[] {4, 8}, 1, 1, 2, 1);
            Tensor contextV = Tensor.of(arena, new float[] {1, 2}, 1, 1, 2, 1);
            Tensor out = Tensor.zeros(arena, DType.F32, 1, 1, 2, 1);
            Tensor contextOut = Tensor.zeros(arena, DType.F32, 1, 1, 2, 1);
            Backend backend = TestBackends.named(name);
            backend.bcaFused(qk, contextQk, v, contextV, null, null, null, null, null, 1f, out, contextOut);
            // attn rows [3/4, 1/4], [1/2, 1/2] · (1, 2); columns [3/4, 1/4], [1/2, 1/2] · (4, 8)
            assertClose(new float[] {1.25f, 1.5f}, out, TOL, "out");
            assertClose(new float[] {5, 6}, contextOut, TOL, "contextOut");
            Tensor twice = Tensor.of(arena, new float[] {2}, 1, 1);
            Tensor thrice = Tensor.of(arena, new float[] {3}, 1, 1);
            backend.bcaFused(qk, contextQk, v, contextV, null, null, null, twice, thrice, 1f, out, contextOut);
            assertClose(new float[] {2.5f, 3}, out, TOL, "out, talking heads ×2");
            assertClose(new float[] {15, 18}, contextOut, TOL, "contextOut, talking heads ×3");
            // context position 1 masked: every row of attn goes to j = 0
            Tensor contextMask = Tensor.ofBooleans(arena, new boolean[] {true, false}, 1, 2);
            backend.bcaFused(qk, contextQk, v, contextV, null, null, contextMask, null, null, 1f, out, contextOut);
            assertClose(new float[] {1, 1}, out, TOL, "out, j = 1 masked");
            assertClose(new float[] {5, 6}, contextOut, TOL, "contextOut, column 1 masked is uniform");
        }
    }
}
