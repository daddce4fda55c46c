package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.attn4j.Backend;
import org.attn4j.DType;
import org.attn4j.PerSeed;
import org.attn4j.Tensor;
import org.attn4j.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LuongAttention and TopKAttention on the native backend against the Java reference on random
 * shapes, save → load, what relates the scores to one another (general with W = I is dot), and
 * the bad inputs that must be refused before any native call.
 */
class ScoringModulesTest {
    private static final Backend NATIVE = TestBackends.nativeBackend();
    private static final Backend JAVA = TestBackends.javaReference();
    private static final int[] LENGTHS = {1, 2, 3, 7, 13, 31};

    @TempDir
    Path tmp;

    static Stream<Integer> seeds() {
        return IntStream.range(0, 6).boxed();
    }

    private static LuongAttentionBuilder luong(SplittableRandom r) {
        LuongAttention.Score score = LuongAttention.Score.values()[r.nextInt(3)];
        int querySize = 1 + r.nextInt(9);
        return LuongAttention.builder().method(score).querySize(querySize)
                .keySize(score == LuongAttention.Score.DOT ? querySize : 1 + r.nextInt(9)).hiddenSize(1 + r.nextInt(9))
                .bias(r.nextBoolean());
    }

    @PerSeed
    void luongNativeMatchesReferenceAndSurvivesSaveLoad(int seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed * 17L + 3);
        LuongAttentionBuilder builder = luong(r);
        int b = 1 + r.nextInt(2);
        int i = LENGTHS[r.nextInt(LENGTHS.length)];
        int j = LENGTHS[r.nextInt(LENGTHS.length)];
        try (Arena arena = Arena.ofConfined();
             LuongAttention onNative = builder.build(NATIVE, seed);
             LuongAttention onJava = builder.build(JAVA, seed)) {
            Tensor q = Tensor.randn(arena, seed + 1, b, i, sizes(onNative)[0]);
            Tensor k = Tensor.randn(arena, seed + 2, b, j, sizes(onNative)[1]);
            Tensor v = Tensor.randn(arena, seed + 3, b, j, 1 + r.nextInt(5));
            Tensor kpm = r.nextBoolean() ? null : FamilyAssert.bools(arena, r, 0.7, b, j);
            AttentionOutput n = onNative.forward(arena, q, k, v, kpm);
            AttentionOutput w = onJava.forward(arena, q, FamilyAssert.strided(arena, k), v, kpm);
            FamilyAssert.near(onNative + " output", n.output(), w.output());
            FamilyAssert.near(onNative + " weights", n.weights(), w.weights());
            Path file = tmp.resolve("luong" + seed + ".safetensors");
            onNative.save(file);
            try (LuongAttention loaded = Models.load(file, LuongAttention.class, NATIVE)) {
                assertEquals(onNative.toString(), loaded.toString());
                assertArrayEquals(n.output().toFloatArray(), loaded.forward(arena, q, k, v, kpm).output().toFloatArray());
            }
        }
    }

    /** [querySize, keySize] from the module's metadata. */
    private static int[] sizes(LuongAttention m) {
        Map<String, String> meta = m.metadata();
        return new int[] {Integer.parseInt(meta.get("query_size")), Integer.parseInt(meta.get("key_size"))};
    }

    @PerSeed
    void topKNativeMatchesReferenceAndSurvivesSaveLoad(int seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed * 29L + 5);
        int heads = 1 + r.nextInt(3);
        int dimHead = 1 + r.nextInt(6);
        int dim = 1 + r.nextInt(10);
        boolean cross = r.nextBoolean();
        int contextDim = cross ? 1 + r.nextInt(10) : dim;
        int b = 1 + r.nextInt(2);
        int i = LENGTHS[r.nextInt(LENGTHS.length)];
        int j = cross ? LENGTHS[r.nextInt(LENGTHS.length)] : i;
        int topK = 1 + r.nextInt(j + 1);
        boolean causal = r.nextBoolean();
        var builder = TopKAttention.builder().dim(dim).contextDim(contextDim).heads(heads).dimHead(dimHead).topK(topK);
        try (Arena arena = Arena.ofConfined();
             TopKAttention onNative = builder.build(NATIVE, seed);
             TopKAttention onJava = builder.build(JAVA, seed)) {
            Tensor x = Tensor.randn(arena, seed + 1, b, i, dim);
            Tensor context = cross ? Tensor.randn(arena, seed + 2, b, j, contextDim) : null;
            Tensor kpm = r.nextBoolean() ? null : FamilyAssert.bools(arena, r, 0.7, b, j);
            AttentionOutput n = onNative.forward(arena, x, context, kpm, causal);
            AttentionOutput w = onJava.forward(arena, x, context, kpm, causal);
            FamilyAssert.near(onNative + " output", n.output(), w.output());
            FamilyAssert.near(onNative + " weights", n.weights(), w.weights());
            assertArrayEquals(new long[] {b, heads, i, j}, n.weights().shape());
            Path file = tmp.resolve("topk" + seed + ".safetensors");
            onNative.save(file);
            try (TopKAttention loaded = Models.load(file, TopKAttention.class, NATIVE)) {
                assertArrayEquals(n.output().toFloatArray(), loaded.forward(arena, x, context, kpm, causal).output().toFloatArray());
            }
        }
    }

    @Test
    void generalWithIdentityIsDotAndConcatMatchesItsDefinition() {
        try (Arena arena = Arena.ofConfined()) {
            float[] eye = new float[25];
            for (int c = 0; c < 5; c++) {
                eye[c * 5 + c] = 1;
            }
            Tensor q = Tensor.randn(arena, 1, 2, 4, 5);
            Tensor k = Tensor.randn(arena, 2, 2, 6, 5);
            Tensor v = Tensor.randn(arena, 3, 2, 6, 3);
            try (LuongAttention dot = LuongAttention.builder().method(LuongAttention.Score.DOT).querySize(5).keySize(5)
                         .build(NATIVE, 0);
                 LuongAttention general = LuongAttention.builder().method(LuongAttention.Score.GENERAL).querySize(5).keySize(5)
                         .build(NATIVE, Map.of("attn.weight", Tensor.of(arena, eye, 5, 5)))) {
                FamilyAssert.near("general with W = I", general.forward(arena, q, k, v, null).weights(), dot.forward(arena, q, k, v, null).weights());
            }
            // concat, one query and one key, by hand: v · tanh(W [q; k] + b)
            Tensor w = Tensor.of(arena, new float[] {0.5f, -1f, 2f, 0.25f, 1f, -0.5f}, 2, 3); // [hidden 2, 1 + 2]
            Tensor bias = Tensor.of(arena, new float[] {0.1f, -0.2f}, 2);
            Tensor vv = Tensor.of(arena, new float[] {1.5f, -2f}, 2);
            try (LuongAttention concat = LuongAttention.builder().method(LuongAttention.Score.CONCAT).querySize(1).keySize(2)
                    .hiddenSize(2).bias(true).build(JAVA, Map.of("attn.weight", w, "attn.bias", bias, "v", vv))) {
                Tensor q1 = Tensor.of(arena, new float[] {0.3f}, 1, 1, 1);
                Tensor k2 = Tensor.of(arena, new float[] {1f, -1f, 0f, 2f}, 1, 2, 2);
                Tensor v2 = Tensor.of(arena, new float[] {1f, 0f}, 1, 2, 1);
                double s0 = 1.5 * Math.tanh(0.5 * 0.3 - 1 * 1 + 2 * -1 + 0.1) - 2 * Math.tanh(0.25 * 0.3 + 1 * 1 - 0.5 * -1 - 0.2);
                double s1 = 1.5 * Math.tanh(0.5 * 0.3 + 2 * 2 + 0.1) - 2 * Math.tanh(0.25 * 0.3 - 0.5 * 2 - 0.2);
                double p0 = 1 / (1 + Math.exp(s1 - s0));
                assertEquals(p0, concat.forward(arena, q1, k2, v2, null).output().getFloat(0, 0, 0), 1e-6);
            }
        }
    }

    @Test
    void badConfigurationsAndInputsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LuongAttention.builder()
                .method(LuongAttention.Score.DOT).querySize(4).keySize(5).build(JAVA, 0));
        assertTrue(e.getMessage().contains("key_size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LuongAttention.builder().querySize(4).keySize(4).build(JAVA, 0));
        assertTrue(e.getMessage().contains("method"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TopKAttention.builder().dim(4).build(JAVA, 0));
        assertTrue(e.getMessage().contains("top_k"), e.getMessage());
        try (Arena arena = Arena.ofConfined();
             TopKAttention m = TopKAttention.builder().dim(4).heads(2).dimHead(3).topK(2).build(NATIVE, 0);
             LuongAttention l = LuongAttention.builder().method(LuongAttention.Score.GENERAL).querySize(3).keySize(4)
                     .build(NATIVE, 0)) {
            Tensor x = Tensor.randn(arena, 1, 2, 5, 4);
            e = assertThrows(IllegalArgumentException.class,
                    () -> m.forward(arena, x, null, Tensor.ofBooleans(arena, new boolean[6], 2, 3), false));
            assertTrue(e.getMessage().contains("keyPaddingMask") && e.getMessage().contains("[2, 5]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.forward(arena, Tensor.randn(arena, 1, 2, 5, 3), null, null,
                    false));
            assertTrue(e.getMessage().contains("x"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> l.forward(arena, Tensor.randn(arena, 2, 1, 2, 3),
                    Tensor.randn(arena, 3, 1, 4, 4), Tensor.randn(arena, 4, 1, 3, 2), null));
            assertTrue(e.getMessage().contains("values"), e.getMessage());
            Tensor half = Tensor.randn(arena, 5, 2, 5, 4).to(DType.F16, arena);
            FamilyAssert.near("F16 input", m.forward(arena, half, null, null, false).output(),
                    m.forward(arena, half.to(DType.F32, arena), null, null, false).output());
        }
    }
}
