package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The attention-family operations of {@link Backend} at the contract level, on both backends:
 * hand-computed values (relu with NaN, a one-key softmax, rope's quarter turn, additive scores,
 * linear attention over one key), the NaN rule for queries that see nothing, aliasing that is
 * allowed, and every argument error raised in Java before any native call.
 */
class FamilyOpsTest {
    @ParameterizedTest
    @FieldSource("org.attn4j.TestBackends#NAMES")
    void handComputedValues(String name) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, new float[] {-2f, 0f, 3f, Float.NaN}, 2, 2);
            backend.relu(x, x); // in place
            assertEquals(0f, x.getFloat(0, 0));
            assertEquals(3f, x.getFloat(1, 0));
            assertTrue(Float.isNaN(x.getFloat(1, 1)));

            // rope: position 1, rotaryDim 2, theta irrelevant for p = 0 (frequency 1): a turn by 1 radian
            Tensor r = Tensor.of(arena, new float[] {1f, 0f, 5f, 1f, 0f, 5f}, 1, 1, 2, 3);
            Tensor y = Tensor.zeros(arena, DType.F32, 1, 1, 2, 3);
            backend.rope(r, 2, 0, 10000, false, y);
            assertEquals(1f, y.getFloat(0, 0, 0, 0), 1e-6);             // position 0: unchanged
            assertEquals((float) Math.cos(1), y.getFloat(0, 0, 1, 0), 1e-6);
            assertEquals((float) Math.sin(1), y.getFloat(0, 0, 1, 1), 1e-6);
            assertEquals(5f, y.getFloat(0, 0, 1, 2));                     // past rotaryDim: copied

            // additive scores: w·tanh(q + k)
            Tensor q = Tensor.of(arena, new float[] {0.5f, -1f}, 1, 1, 2);
            Tensor k = Tensor.of(arena, new float[] {0.25f, 2f}, 1, 1, 2);
            Tensor w = Tensor.of(arena, new float[] {2f, -3f}, 2);
            Tensor s = Tensor.zeros(arena, DType.F32, 1, 1, 1);
            backend.additiveScores(q, k, w, s);
            assertEquals(2 * Math.tanh(0.75) - 3 * Math.tanh(1), s.getFloat(0, 0, 0), 1e-6);

            // linear attention over one key: the value itself (weight φ(q)·φ(k) / (φ(q)·φ(k) + 0))
            Tensor one = Tensor.of(arena, new float[] {0.3f, -0.7f}, 1, 1, 1, 2);
            Tensor v = Tensor.of(arena, new float[] {4f, -2f, 8f}, 1, 1, 1, 3);
            Tensor out = Tensor.zeros(arena, DType.F32, 1, 1, 1, 3);
            backend.linearAttention(one, one, v, null, true, 0f, out);
            assertEquals(-2f, out.getFloat(0, 0, 0, 1), 1e-6);

            // sdpa: key 1 masked, so query 0 takes value 0; query 1 sees no key (padding) → NaN
            Tensor qq = Tensor.randn(arena, 1, 1, 1, 2, 4);
            Tensor kk = Tensor.randn(arena, 2, 1, 1, 2, 4);
            Tensor vv = Tensor.of(arena, new float[] {7f, 1f}, 1, 1, 2, 1);
            Tensor mask = Tensor.ofBooleans(arena, new boolean[] {true, false, false, false}, 2, 2);
            Tensor o = Tensor.zeros(arena, DType.F32, 1, 1, 2, 1);
            backend.sdpaFused(qq, kk, vv, null, mask, null, null, -1, -1, 0.5f, o);
            assertEquals(7f, o.getFloat(0, 0, 0, 0), 1e-6);
            assertTrue(Float.isNaN(o.getFloat(0, 0, 1, 0)));
            Tensor scores = Tensor.of(arena, new float[] {1f, 2f, 3f, Float.NEGATIVE_INFINITY}, 1, 1, 2, 2);
            backend.sdpaSoftmax(scores, null, null, null, null, -1, 0, scores); // causal, in place
            assertEquals(1f, scores.getFloat(0, 0, 0, 0));
            assertEquals(0f, scores.getFloat(0, 0, 0, 1));
            assertEquals(1f, scores.getFloat(0, 0, 1, 0)); // e^3 / e^3: the −∞ key weighs 0
        }
    }

    @ParameterizedTest
    @FieldSource("org.attn4j.TestBackends#NAMES")
    void badArgumentsThrowBeforeComputing(String name) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Tensor.randn(arena, 1, 1, 2, 3, 4);
            Tensor k = Tensor.randn(arena, 2, 1, 2, 5, 4);
            Tensor v = Tensor.randn(arena, 3, 1, 2, 5, 6);
            Tensor out = Tensor.zeros(arena, DType.F32, 1, 2, 3, 6);
            assertThrows(IllegalArgumentException.class, () -> backend.sdpaFused(q, k, v, null, null, null, null, -1, -1, 1f,
                    Tensor.zeros(arena, DType.F32, 1, 2, 3, 5)));
            assertThrows(IllegalArgumentException.class, () -> backend.sdpaFused(q, Tensor.randn(arena, 4, 1, 2, 5, 3), v, null,
                    null, null, null, -1, -1, 1f, out));
            assertThrows(IllegalArgumentException.class, () -> backend.sdpaFused(q, k, v, Tensor.randn(arena, 5, 4, 5), null,
                    null, null, -1, -1, 1f, out));
            assertThrows(IllegalArgumentException.class, () -> backend.sdpaFused(q, k, v, null, null,
                    Tensor.zeros(arena, DType.BOOL, 1, 4), null, -1, -1, 1f, out));
            assertThrows(IllegalArgumentException.class, () -> backend.sdpaFused(q, k, v, null, null, null,
                    Tensor.zeros(arena, DType.BOOL, 1, 3), -1, -1, 1f, out)); // global tokens need i == j
            assertThrows(IllegalArgumentException.class, () -> backend.sdpaFused(q, k, v, null, null, null, null, -1, -1,
                    Float.NaN, out));
            assertThrows(IllegalArgumentException.class, () -> backend.sdpaFused(q, k, v, null, null, null, null, -1, -1, 1f, q));
            assertThrows(IllegalArgumentException.class, () -> backend.rope(q, 3, 0, 10000, false, q));
            assertThrows(IllegalArgumentException.class, () -> backend.rope(q, 4, -1, 10000, false, q));
            assertThrows(IllegalArgumentException.class, () -> backend.rope(q, 4, 0, 1, false, q));
            assertThrows(IllegalArgumentException.class, () -> backend.relu(q, Tensor.zeros(arena, DType.F32, 1, 2, 4, 3)));
            assertThrows(IllegalArgumentException.class, () -> backend.linearAttention(q, k, v, null, true, 1e-6f, out));
            assertThrows(IllegalArgumentException.class, () -> backend.linearAttention(q, k, v, null, false, -1f, out));
            assertThrows(IllegalArgumentException.class, () -> backend.additiveScores(Tensor.randn(arena, 6, 1, 2, 3),
                    Tensor.randn(arena, 7, 1, 4, 3), Tensor.randn(arena, 8, 2), Tensor.zeros(arena, DType.F32, 1, 2, 4)));
            Arena closed = Arena.ofConfined();
            Tensor dead = Tensor.randn(closed, 9, 1, 2, 3, 4);
            closed.close();
            assertThrows(IllegalStateException.class, () -> backend.sdpaFused(dead, k, v, null, null, null, null, -1, -1, 1f, out));
        }
    }

    @Test
    void closedBackendsRefuse() {
        try (Arena arena = Arena.ofConfined()) {
            Backend b = Backends.nativeBackend(1);
            b.close();
            Tensor x = Tensor.randn(arena, 1, 2, 2);
            assertThrows(IllegalStateException.class, () -> b.relu(x, x));
        }
    }
}
