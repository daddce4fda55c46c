package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.attn4j.Backend;
import org.attn4j.TestBackends;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Token-by-token decoding over a KeyValueCache equals full causal attention over the whole
 * sequence, at every step: SDPA and MultiheadAttention, on both backends, with steps of one token
 * and of several (a prompt first; both of DecodeStep's paths), odd lengths, and the cache's errors.
 */
class DecodeStepTest {
    private static final Backend NATIVE = TestBackends.nativeBackend();
    private static final Backend JAVA = TestBackends.javaReference();
    /**
     * Tokens added per step: a prompt of 17 (past DecodeStep.MATERIALISED_MAX_TOKENS: the fused
     * kernel), then single tokens with a 3 and a 4 in between (the materialised path); 33 in all.
     */
    private static final int[] STEPS = {17, 1, 1, 3, 1, 1, 1, 4, 1, 1, 1, 1};
    /**
     * Token by token from an empty cache, all on the materialised path: cache lengths 1, 2, 3, 5,
     * 7, 11, 13, 19, 20 (one key and value: the unit-dim [.., 1, dv] view of the cache that
     * oneDNN 3.13 miscomputed before matmul_exec.cpp's dense copy; two; odd; prime).
     */
    private static final int[] FROM_EMPTY = {1, 1, 1, 2, 2, 4, 2, 6, 1};

    static Stream<Arguments> cases() {
        return Stream.of(NATIVE, JAVA).flatMap(b -> Stream.of(Arguments.of(b, STEPS), Arguments.of(b, FROM_EMPTY)));
    }

    private static int total(int[] steps) {
        return IntStream.of(steps).sum();
    }

    @Test
    void theStepsCoverBothPathsAndTheShortCaches() {
        assertTrue(STEPS[0] > DecodeStep.MATERIALISED_MAX_TOKENS && STEPS[1] <= DecodeStep.MATERIALISED_MAX_TOKENS);
        assertTrue(IntStream.of(FROM_EMPTY).allMatch(t -> t <= DecodeStep.MATERIALISED_MAX_TOKENS) && FROM_EMPTY[0] == 1);
    }

    @ParameterizedTest(autoCloseArguments = false) // the backends are shared by every case
    @MethodSource("cases")
    void sdpaStepsEqualFullCausalAttention(Backend backend, int[] steps) {
        int b = 2;
        int h = 3;
        int n = total(steps);
        int d = 16;
        int dv = 7;
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Tensor.randn(arena, 1, b, h, n, d);
            Tensor k = Tensor.randn(arena, 2, b, h, n, d);
            Tensor v = FamilyAssert.strided(arena, Tensor.randn(arena, 3, b, h, n, dv)); // a strided source too
            Tensor full = ScaledDotProductAttention.forward(backend, arena, q, k, v,
                    SdpaOptions.builder().causal(true).build()).output(); // [b, h, n, dv]
            KeyValueCache cache = KeyValueCache.allocate(arena, b, h, n + 2, d, dv);
            int past = 0;
            for (int t : steps) {
                Tensor out = DecodeStep.sdpa(backend, arena, q.slice(2, past, past + t), k.slice(2, past, past + t),
                        v.slice(2, past, past + t), cache);
                FamilyAssert.close("sdpa step at " + past + " (+" + t + ") on " + backend.name(), out,
                        full.slice(2, past, past + t), 2e-5, 2e-5);
                past += t;
                assertEquals(past, cache.length());
            }
        }
    }

    @ParameterizedTest(autoCloseArguments = false) // the backends are shared by every case
    @MethodSource("cases")
    void multiheadAttentionStepsEqualFullCausalAttention(Backend backend, int[] steps) {
        int b = 2;
        int n = total(steps);
        try (Arena arena = Arena.ofConfined();
             MultiheadAttention mha = MultiheadAttention.builder().embedDim(24).numHeads(4).batchFirst(true).build(backend, 5)) {
            Tensor x = Tensor.randn(arena, 6, b, n, 24);
            Tensor full = mha.forward(arena, x, MhaOptions.builder().isCausal(true).needWeights(false).build()).output();
            KeyValueCache cache = KeyValueCache.allocate(arena, b, 4, n, 6);
            int past = 0;
            for (int t : steps) {
                Tensor y = DecodeStep.multiheadAttention(mha, arena, x.slice(1, past, past + t), cache);
                FamilyAssert.close("mha step at " + past + " (+" + t + ") on " + backend.name(), y,
                        full.slice(1, past, past + t), 2e-5, 2e-5);
                past += t;
            }
            assertEquals(n, cache.length());
        }
    }

    @Test
    void sequenceFirstAndUnbatchedInputsKeepTheirLayout() {
        int n = 9;
        try (Arena arena = Arena.ofConfined();
             MultiheadAttention mha = MultiheadAttention.builder().embedDim(16).numHeads(2).build(NATIVE, 8)) {
            Tensor x = Tensor.randn(arena, 9, n, 3, 16); // [L, b, E]: batch_first false
            Tensor full = mha.forward(arena, x, MhaOptions.builder().isCausal(true).needWeights(false).build()).output();
            KeyValueCache cache = KeyValueCache.allocate(arena, 3, 2, n, 8);
            for (int p = 0; p < n; p++) {
                Tensor y = DecodeStep.multiheadAttention(mha, arena, x.slice(0, p, p + 1), cache); // [1, 3, 16]
                FamilyAssert.close("sequence-first step " + p, y, full.slice(0, p, p + 1), 2e-5, 2e-5);
            }
            Tensor one = x.select(1, 2); // [L, E], unbatched
            Tensor fullOne = mha.forward(arena, one, MhaOptions.builder().isCausal(true).needWeights(false).build()).output();
            KeyValueCache single = KeyValueCache.allocate(arena, 1, 2, n, 8);
            for (int p = 0; p < n; p += 3) {
                Tensor y = DecodeStep.multiheadAttention(mha, arena, one.slice(0, p, p + 3), single); // [3, 16]
                FamilyAssert.close("unbatched step " + p, y, fullOne.slice(0, p, p + 3), 2e-5, 2e-5);
            }
        }
    }

    @Test
    void aWrappedCacheWritesIntoTheCallersTensors() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor keys = Tensor.zeros(arena, DType.F32, 1, 2, 4, 3);
            Tensor values = Tensor.zeros(arena, DType.F32, 1, 2, 4, 5);
            KeyValueCache cache = KeyValueCache.wrap(keys, values);
            Tensor k = Tensor.randn(arena, 1, 1, 2, 2, 3);
            Tensor v = Tensor.randn(arena, 2, 1, 2, 2, 5);
            cache.append(k, v);
            FamilyAssert.close("keys", keys.slice(2, 0, 2), k, 0, 0);
            FamilyAssert.close("values", values.slice(2, 0, 2), v, 0, 0);
            FamilyAssert.close("view", cache.keys(), k, 0, 0);
            cache.truncate(1);
            assertEquals(1, cache.values().shape(2));
        }
    }

    @Test
    void badInputsAreRejectedBeforeAnythingChanges() {
        try (Arena arena = Arena.ofConfined()) {
            KeyValueCache cache = KeyValueCache.allocate(arena, 1, 2, 3, 4);
            Tensor q = Tensor.randn(arena, 1, 1, 2, 2, 4);
            Tensor k = Tensor.randn(arena, 2, 1, 2, 2, 4);
            DecodeStep.sdpa(NATIVE, arena, q, k, k, cache);
            IllegalStateException full = assertThrows(IllegalStateException.class,
                    () -> DecodeStep.sdpa(NATIVE, arena, q, k, k, cache));
            assertTrue(full.getMessage().contains("full"), full.getMessage());
            assertEquals(2, cache.length());
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> DecodeStep.sdpa(NATIVE, arena, Tensor.randn(arena, 3, 1, 2, 1, 5), k.slice(2, 0, 1),
                            k.slice(2, 0, 1), cache));
            assertTrue(shape.getMessage().startsWith("q: expected shape [1, 2, t, 4]"), shape.getMessage());
            assertThrows(IllegalArgumentException.class, () -> cache.append(Tensor.randn(arena, 4, 1, 3, 1, 4), k.slice(2, 0, 1)));
            assertThrows(IllegalArgumentException.class, () -> KeyValueCache.allocate(arena, 1, 0, 3, 4));
            assertThrows(IllegalArgumentException.class,
                    () -> KeyValueCache.wrap(Tensor.zeros(arena, DType.F32, 1, 2, 3, 4), Tensor.zeros(arena, DType.F32, 1, 2, 5, 4)));
            assertThrows(IllegalArgumentException.class, () -> cache.truncate(3));
            assertEquals(2, cache.length());
        }
    }
}
