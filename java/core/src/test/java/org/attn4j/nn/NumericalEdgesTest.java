package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.stream.Stream;
import org.attn4j.Backend;
import org.attn4j.TestBackends;
import org.attn4j.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Numerical edges as the PyTorch reference has them: NaN and ±Inf inputs propagate (a NaN in
 * x[b0, i0] makes out[b0, i0] NaN through attn's row and every context_out[b0] NaN through
 * context_attn's columns, other batch elements stay finite), zero-length sequences and batch 0
 * give empty outputs (the non-empty side then gets to_out's bias: its attention sums over
 * nothing), and inputs scaled by 1e4 stay finite. Every native path is compared with the Java
 * reference, whose NaN pattern is checked against the reference's as derived above.
 */
class NumericalEdgesTest {
    private static final Backend NATIVE = TestBackends.nativeBackend();
    private static final Backend JAVA = TestBackends.javaReference();

    static Stream<Arguments> configs() {
        return Stream.of(Arguments.of(false, false), Arguments.of(true, false), Arguments.of(false, true),
                Arguments.of(true, true));
    }

    private static BidirectionalCrossAttentionBuilder builder(boolean talking, boolean prenorm) {
        return BidirectionalCrossAttention.builder().dim(12).contextDim(7).heads(3).dimHead(5).talkingHeads(talking)
                .prenorm(prenorm);
    }

    /** The reference run and the native paths: {java materialised, native materialised, native fused}. */
    private static BidirectionalOutput[] run(Arena arena, boolean talking, boolean prenorm, Tensor x, Tensor context,
                                             BidirectionalOptionsBuilder o) {
        try (BidirectionalCrossAttention onJava = builder(talking, prenorm).build(JAVA, 5);
             BidirectionalCrossAttention onNative = builder(talking, prenorm).build(NATIVE, 5)) {
            return new BidirectionalOutput[] {
                onJava.forward(arena, x, context, o.returnAttn(true).path(AttentionPath.MATERIALISED).build()),
                onNative.forward(arena, x, context, o.returnAttn(true).path(AttentionPath.MATERIALISED).build()),
                onNative.forward(arena, x, context, o.returnAttn(false).path(AttentionPath.FUSED).build())};
        }
    }

    /** FamilyAssert.closeToScale within 1e-5 of the tensor's finite scale (+ 1e-6). */
    private static void same(String what, Tensor got, Tensor want) {
        FamilyAssert.closeToScale(what, got, want, 1e-5, 1e-6);
    }

    private static void allAgree(BidirectionalOutput[] r) {
        same("materialised out", r[1].out(), r[0].out());
        same("materialised context_out", r[1].contextOut(), r[0].contextOut());
        same("attn", r[1].attn(), r[0].attn());
        same("context_attn", r[1].contextAttn(), r[0].contextAttn());
        same("fused out", r[2].out(), r[0].out());
        same("fused context_out", r[2].contextOut(), r[0].contextOut());
    }

    @ParameterizedTest(name = "talking {0}, prenorm {1}")
    @MethodSource("configs")
    void nanAndInfinityPropagateAsInTheReference(boolean talking, boolean prenorm) {
        float[] poison = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (float p : poison) {
            try (Arena arena = Arena.ofConfined()) {
                long b = 2;
                long i = 5;
                long j = 3;
                Tensor x = Tensor.randn(arena, 1, b, i, 12);
                Tensor context = Tensor.randn(arena, 2, b, j, 7);
                x.setFloat(p, 0, 2, 4); // x[0, 2, 4]
                BidirectionalOutput[] r = run(arena, talking, prenorm, x, context, BidirectionalOptions.builder());
                allAgree(r);
                // The reference's pattern: row 2 of out[0] and all of context_out[0] NaN, batch 1 untouched.
                for (long n = 0; n < i; n++) {
                    for (long c = 0; c < 12; c++) {
                        assertEquals(n == 2, Float.isNaN(r[0].out().getFloat(0, n, c)), p + ": out[0, " + n + ", " + c + "]");
                        assertTrue(Float.isFinite(r[2].out().getFloat(1, n, c)), p + ": out[1, " + n + ", " + c + "]");
                    }
                }
                for (long n = 0; n < j; n++) {
                    for (long c = 0; c < 7; c++) {
                        assertTrue(Float.isNaN(r[0].contextOut().getFloat(0, n, c)), p + ": context_out[0, " + n + "]");
                        assertTrue(Float.isFinite(r[2].contextOut().getFloat(1, n, c)), p + ": context_out[1, " + n + "]");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "talking {0}, prenorm {1}")
    @MethodSource("configs")
    void nanInAMaskedPositionStillPropagatesThroughV(boolean talking, boolean prenorm) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.randn(arena, 3, 1, 4, 12);
            Tensor context = Tensor.randn(arena, 4, 1, 6, 7);
            context.setFloat(Float.NaN, 0, 5, 0);
            Tensor contextMask = Tensor.ofBooleans(arena, new boolean[] {true, true, false, true, true, false}, 1, 6);
            BidirectionalOutput[] r = run(arena, talking, prenorm, x, context, BidirectionalOptions.builder().contextMask(contextMask));
            allAgree(r);
            // PyTorch: attn gives the masked column ~0 weight, but 0 · NaN is NaN, so every out row is NaN;
            // context_attn's column 5 is uniform over i (fully masked), so context_out stays finite.
            for (float v : r[0].out().toFloatArray()) {
                assertTrue(Float.isNaN(v), "out: " + v);
            }
            for (float v : r[0].contextOut().toFloatArray()) {
                assertTrue(Float.isFinite(v), "context_out: " + v);
            }
        }
    }

    static Stream<Arguments> emptyShapes() {
        return Stream.of(Arguments.of(2, 0, 3), Arguments.of(2, 4, 0), Arguments.of(2, 0, 0), Arguments.of(0, 4, 3),
                Arguments.of(0, 0, 0), Arguments.of(1, 0, 1));
    }

    @ParameterizedTest(name = "b={0} i={1} j={2}")
    @MethodSource("emptyShapes")
    void emptySequencesAndBatchesGiveEmptyOutputs(int b, int i, int j) {
        for (boolean talking : new boolean[] {false, true}) {
            try (Arena arena = Arena.ofConfined()) {
                Tensor x = Tensor.randn(arena, 1, b, i, 12);
                Tensor context = Tensor.randn(arena, 2, b, j, 7);
                BidirectionalOptionsBuilder o = BidirectionalOptions.builder()
                        .mask(Tensor.ofBooleans(arena, new boolean[b * i], b, i))
                        .contextMask(Tensor.ofBooleans(arena, new boolean[b * j], b, j))
                        .relPosBias(Tensor.randn(arena, 3, 3, i, j));
                BidirectionalOutput[] r = run(arena, talking, false, x, context, o);
                for (BidirectionalOutput out : r) {
                    assertArrayEquals(new long[] {b, i, 12}, out.out().shape());
                    assertArrayEquals(new long[] {b, j, 7}, out.contextOut().shape());
                }
                assertArrayEquals(new long[] {b, 3, i, j}, r[1].attn().shape());
                allAgree(r);
                // Attention over an empty side sums nothing: what is left is to_out's bias, as in PyTorch.
                try (BidirectionalCrossAttention m = builder(talking, false).build(JAVA, 5)) {
                    float[] bias = m.stateDict().get("to_out.bias").toFloatArray();
                    float[] contextBias = m.stateDict().get("context_to_out.bias").toFloatArray();
                    for (BidirectionalOutput out : r) {
                        rowsAre(out.out(), j == 0 ? bias : null);
                        rowsAre(out.contextOut(), i == 0 ? contextBias : null);
                    }
                }
            }
        }
    }

    /** Every row equals {@code row} exactly (when given). */
    private static void rowsAre(Tensor t, float[] row) {
        if (row == null) {
            return;
        }
        float[] all = t.toFloatArray();
        for (int k = 0; k < all.length; k++) {
            assertEquals(row[k % row.length], all[k], "element " + k);
        }
    }

    @ParameterizedTest(name = "talking {0}, prenorm {1}")
    @MethodSource("configs")
    void hugeLogitsStayFinite(boolean talking, boolean prenorm) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.randn(arena, 6, 0f, 1e4f, 2, 9, 12);
            Tensor context = Tensor.randn(arena, 7, 0f, 1e4f, 2, 11, 7);
            Tensor mask = Tensor.ofBooleans(arena, new boolean[] {true, false, true, true, true, true, true, true, false,
                true, true, true, true, true, true, true, true, true}, 2, 9);
            BidirectionalOutput[] r = run(arena, talking, prenorm, x, context, BidirectionalOptions.builder().mask(mask));
            for (BidirectionalOutput o : r) {
                for (float v : o.out().toFloatArray()) {
                    assertTrue(Float.isFinite(v), "out: " + v);
                }
                for (float v : o.contextOut().toFloatArray()) {
                    assertTrue(Float.isFinite(v), "context_out: " + v);
                }
            }
            // Not compared value by value: logits ~1e8 differ by rounding (~10) between summation orders,
            // and softmaxes that near one-hot amplify that. Finite everywhere is the reference's behaviour.
            for (float v : r[1].attn().toFloatArray()) {
                assertFalse(Float.isNaN(v), "attn: " + v);
            }
        }
    }
}
