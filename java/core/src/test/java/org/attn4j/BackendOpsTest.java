package org.attn4j;

import static org.attn4j.Layouts.assertClose;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every operation on both backends against the oracle (the Java reference on contiguous copies
 * of the same inputs), on random values and shapes with 1, odd and prime sizes, for inputs and
 * outputs in every layout of {@link Layouts} (strided, transposed, permuted, offset views), and
 * in place where an operation allows it. For the Java backend this checks its stride handling;
 * {@link HandComputedTest} checks its arithmetic.
 */
class BackendOpsTest {
    // float32 kernels against double accumulation: absolute + relative, per operation family
    private static final double MATMUL_ATOL = 2e-4;
    private static final double MATMUL_RTOL = 1e-4;
    private static final double ELEMENT_ATOL = 2e-6;
    private static final double ELEMENT_RTOL = 2e-5;

    private static Stream<Arguments> cross(List<Object[]> shapes) {
        List<Arguments> out = new ArrayList<>();
        for (String backend : TestBackends.NAMES) {
            for (Object[] shape : shapes) {
                for (Layouts layout : Layouts.values()) {
                    Object[] args = new Object[shape.length + 2];
                    args[0] = backend;
                    args[1] = layout;
                    System.arraycopy(shape, 0, args, 2, shape.length);
                    out.add(Arguments.of(args));
                }
            }
        }
        return out.stream();
    }

    private static Object[] c(Object... values) {
        return values;
    }

    // ------------------------------------------------------------------ linear and its fused variants

    /**
     * y = x·Wᵀ + b, then nothing, the GELU, or + the residual that y holds before the call; with
     * the weight's packed copy (Backend.packLinearWeight) or without (null).
     */
    enum LinearOp {
        LINEAR(1f, 0.3f), GELU(2f, 0.5f), RESIDUAL(1f, 0.3f);

        final float xScale; // GELU's inputs spread wider, so that its curve matters
        final float wScale;

        LinearOp(float xScale, float wScale) {
            this.xScale = xScale;
            this.wScale = wScale;
        }

        void run(Backend backend, Tensor x, Tensor w, Tensor packed, Tensor b, Tensor y) {
            switch (this) {
                case LINEAR -> backend.linear(x, w, packed, b, y);
                case GELU -> backend.linearGelu(x, w, packed, b, y);
                case RESIDUAL -> backend.linearResidual(x, w, packed, b, y);
            }
        }
    }

    static Stream<Arguments> linearCases() {
        List<Object[]> shapes = new ArrayList<>(List.of(
                c(LinearOp.LINEAR, new long[] {1, 1}, 1L, true), c(LinearOp.LINEAR, new long[] {3, 7}, 5L, false),
                c(LinearOp.LINEAR, new long[] {97}, 3L, true), c(LinearOp.LINEAR, new long[] {2, 13, 31}, 17L, true),
                c(LinearOp.LINEAR, new long[] {4, 64}, 64L, false), c(LinearOp.LINEAR, new long[] {2, 3, 5, 11}, 7L, true)));
        for (LinearOp fused : List.of(LinearOp.GELU, LinearOp.RESIDUAL)) {
            shapes.addAll(List.of(c(fused, new long[] {3, 7}, 5L, false), c(fused, new long[] {2, 13, 31}, 17L, true),
                    c(fused, new long[] {4, 64}, 64L, true)));
        }
        return cross(shapes);
    }

    @ParameterizedTest(name = "{0} {1} {2} x{3} out {4} bias {5}")
    @MethodSource("linearCases")
    void linear(String name, Layouts layout, LinearOp op, long[] xs, long out, boolean withBias) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            long in = xs[xs.length - 1];
            Tensor x = layout.random(arena, 1, op.xScale, xs);
            Tensor w = layout.random(arena, 2, op.wScale, out, in);
            Tensor b = withBias ? layout.random(arena, 3, 1f, out) : null;
            long[] ys = xs.clone();
            ys[ys.length - 1] = out;
            Tensor residual = op == LinearOp.RESIDUAL ? Layouts.CONTIGUOUS.random(arena, 4, 1f, ys) : null;
            Tensor expected = Tensor.zeros(arena, DType.F32, ys);
            TestBackends.ORACLE.linear(x.contiguous(arena), w.contiguous(arena), b == null ? null : b.contiguous(arena), expected);
            switch (op) {
                case GELU -> TestBackends.ORACLE.gelu(expected, expected);
                case RESIDUAL -> TestBackends.ORACLE.add(expected, residual, expected);
                case LINEAR -> { }
            }
            for (Tensor packed : new Tensor[] {null, packed(backend, w, arena)}) {
                Tensor y = layout.empty(arena, ys);
                if (residual != null) {
                    TestBackends.ORACLE.add(residual, Tensor.zeros(arena, DType.F32, ys), y); // y = residual, in y's layout
                }
                op.run(backend, x, w, packed, b, y);
                assertClose(expected, y, MATMUL_ATOL, MATMUL_RTOL, op + (packed == null ? "" : ", packed weight"));
            }
        }
    }

    // w's packed copy for backend; the native backend's must be one (its few-row products read it)
    private static Tensor packed(Backend backend, Tensor w, Arena arena) {
        Tensor packed = backend.packLinearWeight(w, arena);
        if (backend.name().equals("native") && packed == null) {
            throw new AssertionError("the native backend packed no copy of " + w);
        }
        return packed;
    }

    // ------------------------------------------------------------------ matmul

    static Stream<Arguments> matmulCases() {
        // batch of a, batch of b, m, k, n, transA, transB
        return cross(List.of(
                c(new long[] {}, new long[] {}, 1L, 1L, 1L, false, false),
                c(new long[] {}, new long[] {}, 3L, 5L, 7L, false, true),
                c(new long[] {2}, new long[] {2}, 13L, 31L, 17L, true, false),
                c(new long[] {1}, new long[] {3}, 4L, 6L, 5L, true, true),
                c(new long[] {2, 3}, new long[] {3}, 7L, 2L, 11L, false, false),
                c(new long[] {2, 1}, new long[] {1, 5}, 1L, 64L, 3L, false, true)));
    }

    @ParameterizedTest(name = "{0} {1} a{2} b{3} m{4} k{5} n{6} tA {7} tB {8}")
    @MethodSource("matmulCases")
    void matmul(String name, Layouts layout, long[] batchA, long[] batchB, long m, long k, long n, boolean transA,
                boolean transB) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = layout.random(arena, 4, 1f, concat(batchA, transA ? k : m, transA ? m : k));
            Tensor b = layout.random(arena, 5, 1f, concat(batchB, transB ? n : k, transB ? k : n));
            int r = Math.max(a.rank(), b.rank());
            long[] cs = new long[r];
            for (int d = 0; d < r - 2; d++) {
                int da = d - (r - a.rank());
                int db = d - (r - b.rank());
                long ad = da < 0 ? 1 : a.shape(da);
                long bd = db < 0 ? 1 : b.shape(db);
                cs[d] = Math.max(ad, bd);
            }
            cs[r - 2] = m;
            cs[r - 1] = n;
            Tensor c = layout.empty(arena, cs);
            backend.matmul(a, transA, b, transB, 0.75f, c);
            Tensor expected = Tensor.zeros(arena, DType.F32, cs);
            TestBackends.ORACLE.matmul(a.contiguous(arena), transA, b.contiguous(arena), transB, 0.75f, expected);
            assertClose(expected, c, MATMUL_ATOL, MATMUL_RTOL, "matmul");
        }
    }

    // ------------------------------------------------------------------ softmax

    static Stream<Arguments> softmaxCases() {
        return cross(List.of(c(new long[] {1}, -1, false), c(new long[] {7}, -1, true), c(new long[] {3, 13}, -2, false),
                c(new long[] {2, 5, 31}, -1, true), c(new long[] {2, 5, 31}, -2, true), c(new long[] {1, 1, 1, 1}, -2, false),
                c(new long[] {3, 97}, -1, false)));
    }

    @ParameterizedTest(name = "{0} {1} x{2} axis {3} inPlace {4}")
    @MethodSource("softmaxCases")
    void softmax(String name, Layouts layout, long[] xs, int axis, boolean inPlace) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = layout.random(arena, 6, 4f, xs);
            Tensor expected = Tensor.zeros(arena, DType.F32, xs);
            TestBackends.ORACLE.softmax(x.contiguous(arena).copy(arena), axis, expected);
            Tensor y = inPlace ? x : layout.empty(arena, xs);
            backend.softmax(x, axis, y);
            assertClose(expected, y, ELEMENT_ATOL, ELEMENT_RTOL, "softmax");
        }
    }

    // ------------------------------------------------------------------ norms, gelu, add

    static Stream<Arguments> normCases() {
        return cross(List.of(c(new long[] {1}, false), c(new long[] {5, 31}, true), c(new long[] {2, 3, 64}, false),
                c(new long[] {7, 1}, true), c(new long[] {3, 386}, true)));
    }

    @ParameterizedTest(name = "{0} {1} x{2} inPlace {3}")
    @MethodSource("normCases")
    void rmsNorm(String name, Layouts layout, long[] xs, boolean inPlace) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = layout.random(arena, 7, 2f, xs);
            Tensor w = layout.random(arena, 8, 1f, xs[xs.length - 1]);
            float eps = 1.1920929e-7f;
            Tensor expected = Tensor.zeros(arena, DType.F32, xs);
            TestBackends.ORACLE.rmsNorm(x.contiguous(arena).copy(arena), w.contiguous(arena), eps, expected);
            Tensor y = inPlace ? x : layout.empty(arena, xs);
            backend.rmsNorm(x, w, eps, y);
            assertClose(expected, y, 1e-5, 1e-5, "rmsNorm");
        }
    }

    @ParameterizedTest(name = "{0} {1} x{2} affine {3}")
    @MethodSource("normCases")
    void layerNorm(String name, Layouts layout, long[] xs, boolean affine) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            long n = xs[xs.length - 1];
            Tensor x = layout.random(arena, 9, 2f, xs);
            Tensor w = affine ? layout.random(arena, 10, 1f, n) : null;
            Tensor b = affine ? layout.random(arena, 11, 1f, n) : null;
            float eps = 1e-5f;
            Tensor expected = Tensor.zeros(arena, DType.F32, xs);
            TestBackends.ORACLE.layerNorm(x.contiguous(arena).copy(arena), w == null ? null : w.contiguous(arena),
                    b == null ? null : b.contiguous(arena), eps, expected);
            Tensor y = affine ? layout.empty(arena, xs) : x; // in place when plain
            backend.layerNorm(x, w, b, eps, y);
            assertClose(expected, y, 2e-5, 2e-5, "layerNorm");
        }
    }

    static Stream<Arguments> geluCases() {
        return cross(List.of(c(new long[] {1}, false), c(new long[] {129}, true), c(new long[] {3, 7, 11}, false),
                c(new long[] {2, 1, 5, 1, 3}, true)));
    }

    @ParameterizedTest(name = "{0} {1} x{2} inPlace {3}")
    @MethodSource("geluCases")
    void gelu(String name, Layouts layout, long[] xs, boolean inPlace) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = layout.random(arena, 12, 3f, xs); // reaches the tails (|x| up to ~10)
            Tensor expected = Tensor.zeros(arena, DType.F32, xs);
            TestBackends.ORACLE.gelu(x.contiguous(arena).copy(arena), expected);
            Tensor y = inPlace ? x : layout.empty(arena, xs);
            backend.gelu(x, y);
            assertClose(expected, y, ELEMENT_ATOL, ELEMENT_RTOL, "gelu");
        }
    }

    static Stream<Arguments> addCases() {
        return cross(List.of(c(new long[] {3, 7}, new long[] {7}, false), c(new long[] {3, 7}, new long[] {3, 1}, true),
                c(new long[] {2, 3, 5}, new long[] {3, 1}, false), c(new long[] {1}, new long[] {1}, true),
                c(new long[] {2, 13, 31}, new long[] {2, 13, 31}, true), c(new long[] {5, 4}, new long[] {}, false)));
    }

    @ParameterizedTest(name = "{0} {1} a{2} b{3} inPlace {4}")
    @MethodSource("addCases")
    void add(String name, Layouts layout, long[] as, long[] bs, boolean inPlace) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = layout.random(arena, 13, 1f, as);
            Tensor b = layout.random(arena, 14, 1f, bs);
            Tensor expected = Tensor.zeros(arena, DType.F32, as);
            TestBackends.ORACLE.add(a.contiguous(arena).copy(arena), b.contiguous(arena), expected);
            Tensor y = inPlace ? a : layout.empty(arena, as);
            backend.add(a, b, y);
            assertClose(expected, y, ELEMENT_ATOL, ELEMENT_RTOL, "add");
        }
    }

    // ------------------------------------------------------------------ attention building blocks

    static Stream<Arguments> bcaSoftmaxCases() {
        // b, h, i, j, bias shape (null = none), masks, attn in place of sim
        return cross(List.of(c(1L, 1L, 1L, 1L, null, false, false), c(2L, 3L, 7L, 13L, new long[] {3, 7, 13}, true, true),
                c(1L, 2L, 31L, 5L, new long[] {1, 1, 31, 5}, true, false), c(2L, 1L, 4L, 3L, new long[] {2, 1, 4, 3}, false, true),
                c(1L, 4L, 17L, 29L, new long[] {29}, true, false)));
    }

    @ParameterizedTest(name = "{0} {1} b{2} h{3} i{4} j{5} bias {6} masks {7} inPlace {8}")
    @MethodSource("bcaSoftmaxCases")
    void bcaSoftmax(String name, Layouts layout, long b, long h, long i, long j, long[] biasShape, boolean masks,
                    boolean inPlace) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor sim = layout.random(arena, 15, 3f, b, h, i, j);
            Tensor bias = biasShape == null ? null : layout.random(arena, 16, 1f, biasShape);
            Tensor mask = masks ? withOneRowOff(Layouts.mask(arena, 17, 0.7, b, i)) : null;
            Tensor contextMask = masks ? withOneRowOff(Layouts.mask(arena, 18, 0.7, b, j)) : null;
            Tensor attnExpected = Tensor.zeros(arena, DType.F32, b, h, i, j);
            Tensor contextExpected = Tensor.zeros(arena, DType.F32, b, h, i, j);
            TestBackends.ORACLE.bcaSoftmax(sim.contiguous(arena).copy(arena), bias == null ? null : bias.contiguous(arena),
                    mask, contextMask, attnExpected, contextExpected);
            Tensor attn = inPlace ? sim : layout.empty(arena, b, h, i, j);
            Tensor contextAttn = layout.empty(arena, b, h, i, j);
            backend.bcaSoftmax(sim, bias, mask, contextMask, attn, contextAttn);
            assertClose(attnExpected, attn, ELEMENT_ATOL, ELEMENT_RTOL, "attn");
            assertClose(contextExpected, contextAttn, ELEMENT_ATOL, ELEMENT_RTOL, "contextAttn");
        }
    }

    /** Sets mask[0, last] false so that a fully masked row or column is always exercised. */
    private static Tensor withOneRowOff(Tensor mask) {
        mask.setFloat(0f, 0, mask.shape(1) - 1);
        return mask;
    }

    static Stream<Arguments> headMixCases() {
        return cross(List.of(c((Object) new long[] {1, 1, 1}), c((Object) new long[] {2, 3, 7}),
                c((Object) new long[] {2, 5, 3, 4}), c((Object) new long[] {1, 8, 5, 2, 3})));
    }

    @ParameterizedTest(name = "{0} {1} x{2}")
    @MethodSource("headMixCases")
    void headMix(String name, Layouts layout, long[] xs) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = layout.random(arena, 19, 1f, xs);
            Tensor w = layout.random(arena, 20, 1f, xs[1], xs[1]);
            Tensor expected = Tensor.zeros(arena, DType.F32, xs);
            TestBackends.ORACLE.headMix(x.contiguous(arena), w.contiguous(arena), expected);
            Tensor y = layout.empty(arena, xs);
            backend.headMix(x, w, y);
            assertClose(expected, y, MATMUL_ATOL, MATMUL_RTOL, "headMix");
        }
    }

    static Stream<Arguments> bcaFusedCases() {
        // b, h, i, j, d, bias, masks, talking heads
        return cross(List.of(c(1L, 1L, 1L, 1L, 1L, false, false, false), c(2L, 3L, 7L, 13L, 8L, true, true, true),
                c(1L, 2L, 31L, 17L, 16L, false, true, false), c(1L, 4L, 5L, 37L, 64L, true, false, true),
                c(2L, 2L, 67L, 3L, 5L, true, true, false)));
    }

    @ParameterizedTest(name = "{0} {1} b{2} h{3} i{4} j{5} d{6} bias {7} masks {8} talking {9}")
    @MethodSource("bcaFusedCases")
    void bcaFused(String name, Layouts layout, long b, long h, long i, long j, long d, boolean withBias, boolean masks,
                  boolean talking) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor qk = layout.random(arena, 21, 1f, b, h, i, d);
            Tensor contextQk = layout.random(arena, 22, 1f, b, h, j, d);
            Tensor v = layout.random(arena, 23, 1f, b, h, i, d);
            Tensor contextV = layout.random(arena, 24, 1f, b, h, j, d);
            Tensor bias = withBias ? layout.random(arena, 25, 1f, h, i, j) : null;
            Tensor mask = masks ? withOneRowOff(Layouts.mask(arena, 26, 0.7, b, i)) : null;
            Tensor contextMask = masks ? withOneRowOff(Layouts.mask(arena, 27, 0.7, b, j)) : null;
            Tensor th = talking ? layout.random(arena, 28, 0.5f, h, h) : null;
            Tensor cth = talking ? layout.random(arena, 29, 0.5f, h, h) : null;
            float scale = (float) (1 / Math.sqrt(d));
            Tensor outExpected = Tensor.zeros(arena, DType.F32, b, h, i, d);
            Tensor contextOutExpected = Tensor.zeros(arena, DType.F32, b, h, j, d);
            TestBackends.ORACLE.bcaFused(qk.contiguous(arena), contextQk.contiguous(arena), v.contiguous(arena),
                    contextV.contiguous(arena), bias == null ? null : bias.contiguous(arena), mask, contextMask,
                    th == null ? null : th.contiguous(arena), cth == null ? null : cth.contiguous(arena), scale,
                    outExpected, contextOutExpected);
            Tensor out = layout.empty(arena, b, h, i, d);
            Tensor contextOut = layout.empty(arena, b, h, j, d);
            backend.bcaFused(qk, contextQk, v, contextV, bias, mask, contextMask, th, cth, scale, out, contextOut);
            assertClose(outExpected, out, 1e-4, 1e-4, "out");
            assertClose(contextOutExpected, contextOut, 1e-4, 1e-4, "contextOut");
        }
    }

    private static long[] concat(long[] head, long... tail) {
        long[] out = new long[head.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }
}
