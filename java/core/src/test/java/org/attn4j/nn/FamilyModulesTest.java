package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.attn4j.Backend;
import org.attn4j.PerSeed;
import org.attn4j.Tensor;
import org.attn4j.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every module of the attention family on the native backend against the same module on the
 * Java reference, on random shapes (lengths 1, odd and prime, random masks), plus the properties
 * that pin down what each one means: windows equal their banded masks, causal outputs ignore the
 * future, rotary scores depend on relative positions only, layouts (batch_first, unbatched) agree,
 * and every module survives save → load unchanged.
 */
class FamilyModulesTest {
    private static final Backend NATIVE = TestBackends.nativeBackend();
    private static final Backend JAVA = TestBackends.javaReference();
    private static final int[] LENGTHS = {1, 2, 3, 5, 7, 13, 17, 31, 50};

    @TempDir
    Path tmp;

    static Stream<Integer> seeds() {
        return IntStream.range(0, 12).boxed();
    }

    /** PyTorch-convention masks: BOOL true = masked, with at least the first key left for every query. */
    private static Tensor torchMask(Arena arena, SplittableRandom r, long l, long s) {
        boolean[] m = new boolean[Math.toIntExact(l * s)];
        for (int k = 0; k < m.length; k++) {
            m[k] = k % s != 0 && r.nextDouble() < 0.3;
        }
        return Tensor.ofBooleans(arena, m, l, s);
    }

    @PerSeed
    void multiheadAttentionNativeMatchesReference(int seed) {
        SplittableRandom r = new SplittableRandom(seed * 31L + 1);
        int heads = 1 + r.nextInt(4);
        int embed = heads * (1 + r.nextInt(9));
        int kdim = r.nextBoolean() ? embed : 1 + r.nextInt(20);
        int vdim = r.nextBoolean() ? kdim : 1 + r.nextInt(20);
        int b = 1 + r.nextInt(3);
        int l = LENGTHS[r.nextInt(LENGTHS.length)];
        int s = LENGTHS[r.nextInt(LENGTHS.length)];
        boolean bias = r.nextBoolean();
        var builder = MultiheadAttention.builder().embedDim(embed).numHeads(heads).kdim(kdim).vdim(vdim).bias(bias).batchFirst(true);
        try (Arena arena = Arena.ofConfined();
             MultiheadAttention onNative = builder.build(NATIVE, seed);
             MultiheadAttention onJava = builder.build(JAVA, seed)) {
            Tensor q = Tensor.randn(arena, seed + 1, b, l, embed);
            Tensor k = Tensor.randn(arena, seed + 2, b, s, kdim);
            Tensor v = Tensor.randn(arena, seed + 3, b, s, vdim);
            MhaOptionsBuilder o = MhaOptions.builder().averageAttnWeights(r.nextBoolean());
            if (r.nextBoolean()) {
                o.attnMask(r.nextBoolean() ? torchMask(arena, r, l, s) : Tensor.randn(arena, seed + 4, (long) b * heads, l, s));
            }
            if (r.nextBoolean()) {
                o.keyPaddingMask(FamilyAssert.bools(arena, r, 0.2, b, s));
            }
            String config = "embed=" + embed + " heads=" + heads + " kdim=" + kdim + " vdim=" + vdim + " b=" + b + " L=" + l
                    + " S=" + s + " bias=" + bias;
            AttentionOutput want = onJava.forward(arena, q, k, v, o.build());
            AttentionOutput got = onNative.forward(arena, q, k, v, o.build());
            FamilyAssert.near(config + " output", got.output(), want.output());
            FamilyAssert.close(config + " weights", got.weights(), want.weights(), 2e-6, 2e-4);
            AttentionOutput fused = onNative.forward(arena, q, k, v, o.needWeights(false).build());
            FamilyAssert.near(config + " fused output", fused.output(), want.output());
        }
    }

    @Test
    void multiheadLayoutsAgree() {
        // batch_first false and unbatched inputs give the batch-first results in their own layouts.
        try (Arena arena = Arena.ofConfined();
             MultiheadAttention first = MultiheadAttention.builder().embedDim(12).numHeads(3).batchFirst(true).build(NATIVE, 5);
             MultiheadAttention second = MultiheadAttention.builder().embedDim(12).numHeads(3).batchFirst(false)
                     .build(NATIVE, first.stateDict())) {
            Tensor x = Tensor.randn(arena, 1, 2, 7, 12);                               // [b, L, E]
            MhaOptions o = MhaOptions.builder().isCausal(true).build();
            AttentionOutput want = first.forward(arena, x, o);
            AttentionOutput seqFirst = second.forward(arena, x.transpose(0, 1).contiguous(arena), o);
            FamilyAssert.near("batch_first=false", seqFirst.output().transpose(0, 1), want.output());
            FamilyAssert.near("batch_first=false weights", seqFirst.weights(), want.weights());
            AttentionOutput single = first.forward(arena, x.select(0, 1), o);          // [L, E]
            FamilyAssert.near("unbatched", single.output(), want.output().select(0, 1));
            FamilyAssert.near("unbatched weights", single.weights(), want.weights().select(0, 1));
        }
    }

    @PerSeed
    void transformerLayersNativeMatchReference(int seed) {
        SplittableRandom r = new SplittableRandom(seed * 131L + 7);
        int nhead = 1 + r.nextInt(3);
        int d = nhead * (1 + r.nextInt(6));
        int b = 1 + r.nextInt(3);
        int t = LENGTHS[r.nextInt(LENGTHS.length)];
        int s = LENGTHS[r.nextInt(LENGTHS.length)];
        Activation act = r.nextBoolean() ? Activation.RELU : Activation.GELU;
        boolean normFirst = r.nextBoolean();
        String config = "d=" + d + " nhead=" + nhead + " b=" + b + " T=" + t + " S=" + s + " " + act + " normFirst=" + normFirst;
        var enc = TransformerEncoderLayer.builder().dModel(d).nhead(nhead).dimFeedforward(1 + r.nextInt(30)).activation(act)
                .normFirst(normFirst).batchFirst(true);
        var dec = TransformerDecoderLayer.builder().dModel(d).nhead(nhead).dimFeedforward(1 + r.nextInt(30)).activation(act)
                .normFirst(normFirst).batchFirst(true).layerNormEps(1e-6f);
        try (Arena arena = Arena.ofConfined();
             TransformerEncoderLayer encNative = enc.build(NATIVE, seed);
             TransformerEncoderLayer encJava = enc.build(JAVA, seed);
             TransformerDecoderLayer decNative = dec.build(NATIVE, seed);
             TransformerDecoderLayer decJava = dec.build(JAVA, seed)) {
            Tensor src = Tensor.randn(arena, seed + 1, b, t, d);
            Tensor memory = Tensor.randn(arena, seed + 2, b, s, d);
            Tensor srcMask = r.nextBoolean() ? torchMask(arena, r, t, t) : null;
            EncoderLayerOptions eo = new EncoderLayerOptions(srcMask, null, r.nextBoolean(), AttentionPath.AUTO);
            FamilyAssert.near(config + " encoder", encNative.forward(arena, src, eo), encJava.forward(arena, src, eo));
            DecoderLayerOptions dopt = new DecoderLayerOptions(null, r.nextBoolean() ? torchMask(arena, r, t, s) : null, null,
                    r.nextBoolean() ? FamilyAssert.bools(arena, r, 0.0, b, s) : null, true, false, AttentionPath.AUTO);
            FamilyAssert.near(config + " decoder", decNative.forward(arena, src, memory, dopt), decJava.forward(arena, src, memory, dopt));
        }
    }

    @Test
    void causalEncoderOutputIgnoresTheFuture() {
        try (Arena arena = Arena.ofConfined();
             TransformerEncoderLayer layer = TransformerEncoderLayer.builder().dModel(8).nhead(2).dimFeedforward(16)
                     .batchFirst(true).build(NATIVE, 3)) {
            Tensor x = Tensor.randn(arena, 1, 1, 9, 8);
            Tensor changed = x.copy(arena);
            for (long c = 0; c < 8; c++) {
                changed.setFloat(100f, 0, 8, c); // only the last position differs
            }
            EncoderLayerOptions causal = new EncoderLayerOptions(null, null, true, AttentionPath.AUTO);
            FamilyAssert.near("causal prefix", layer.forward(arena, changed, causal).slice(1, 0, 8), layer.forward(arena, x, causal).slice(1, 0, 8));
        }
    }

    @PerSeed
    void packedProjectionModulesMatchReferenceAndTheirMasks(int seed) {
        SplittableRandom r = new SplittableRandom(seed * 17L + 3);
        int heads = 1 + r.nextInt(3);
        int dimHead = 2 * (1 + r.nextInt(8));
        int dim = 1 + r.nextInt(24);
        int b = 1 + r.nextInt(2);
        int n = LENGTHS[r.nextInt(LENGTHS.length)] + r.nextInt(80);
        RotaryEmbedding rotary = r.nextBoolean() ? new RotaryEmbedding(2 * (1 + r.nextInt(dimHead / 2)), 10000, r.nextBoolean()) : null;
        int left = r.nextInt(6);
        int right = r.nextBoolean() ? 0 : r.nextInt(6);
        String config = "dim=" + dim + " heads=" + heads + " dimHead=" + dimHead + " n=" + n + " rotary=" + rotary
                + " window=" + left + "/" + right;
        try (Arena arena = Arena.ofConfined();
             FusedQkvAttention fusedNative = FusedQkvAttention.builder().dim(dim).heads(heads).dimHead(dimHead).rotary(rotary).build(NATIVE, seed);
             FusedQkvAttention fusedJava = FusedQkvAttention.builder().dim(dim).heads(heads).dimHead(dimHead).rotary(rotary).build(JAVA, fusedNative.stateDict());
             SlidingWindowAttention window = SlidingWindowAttention.builder().dim(dim).heads(heads).dimHead(dimHead).rotary(rotary)
                     .windowLeft(left).windowRight(right).build(NATIVE, fusedNative.stateDict());
             CosineSimilarityAttention cosNative = CosineSimilarityAttention.builder().dim(dim).heads(heads).dimHead(dimHead)
                     .scale(5f).build(NATIVE, seed);
             CosineSimilarityAttention cosJava = CosineSimilarityAttention.builder().dim(dim).heads(heads).dimHead(dimHead)
                     .scale(5f).build(JAVA, cosNative.stateDict())) {
            Tensor x = Tensor.randn(arena, seed + 1, b, n, dim);
            Tensor padding = FamilyAssert.bools(arena, r, 0.9, b, n);
            Tensor global = right == 0 ? null : FamilyAssert.bools(arena, r, 0.05, b, n);
            SdpaOptions causal = SdpaOptions.builder().causal(true).keyPaddingMask(padding).needWeights(true).build();
            AttentionOutput want = fusedJava.forward(arena, x, causal);
            AttentionOutput got = fusedNative.forward(arena, x, causal);
            FamilyAssert.near(config + " fused-qkv", got.output(), want.output());
            FamilyAssert.near(config + " fused-qkv weights", got.weights(), want.weights());
            // The sliding window (fused kernel, tiles skipped) equals the same weights under the banded boolean mask.
            boolean[] band = new boolean[b * n * n];
            for (int bb = 0; bb < b; bb++) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        boolean g = global != null && (global.getFloat(bb, i) != 0 || global.getFloat(bb, j) != 0);
                        band[(bb * n + i) * n + j] = (i - j <= left && j - i <= right) || g;
                    }
                }
            }
            SdpaOptions banded = SdpaOptions.builder().attnMask(Tensor.ofBooleans(arena, band, b, n, n)).keyPaddingMask(padding)
                    .path(AttentionPath.MATERIALISED).build();
            FamilyAssert.near(config + " sliding window", window.forward(arena, x, padding, global), fusedJava.forward(arena, x, banded).output());
            SdpaOptions plain = SdpaOptions.builder().needWeights(true).build();
            AttentionOutput cosWant = cosJava.forward(arena, x, plain);
            FamilyAssert.near(config + " cosine", cosNative.forward(arena, x, plain).output(), cosWant.output());
            // Cosines lie in [−1, 1]: with scale 5 no weight can exceed e^10 / (e^10 + (n − 1)·1)... and none is below e^-10 of the max.
            float[] w = cosWant.weights().toFloatArray();
            for (int row = 0; row < w.length / n; row++) {
                double max = 0;
                double min = 1;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, w[row * n + j]);
                    min = Math.min(min, w[row * n + j]);
                }
                assertTrue(min >= max * Math.exp(-10) * (1 - 1e-4), config + " cosine weights ratio within e^10");
            }
        }
    }

    @Test
    void rotaryScoresDependOnRelativePositionOnly() {
        try (Arena arena = Arena.ofConfined()) {
            for (boolean interleaved : new boolean[] {false, true}) {
                RotaryEmbedding rope = new RotaryEmbedding(8, 10000, interleaved);
                Tensor q = Tensor.randn(arena, 1, 1, 1, 1, 12);
                Tensor k = Tensor.randn(arena, 2, 1, 1, 1, 12);
                double near = dot(rope.rotate(NATIVE, arena, q, 7), rope.rotate(NATIVE, arena, k, 3));
                double far = dot(rope.rotate(NATIVE, arena, q, 1007), rope.rotate(NATIVE, arena, k, 1003));
                assertEquals(near, far, 2e-3 * (1 + Math.abs(near)), "interleaved=" + interleaved);
                FamilyAssert.near("rope native vs java", rope.rotate(NATIVE, arena, q, 51), rope.rotate(JAVA, arena, q, 51));
                // Channels past rotaryDim are untouched; rotation keeps the norm.
                Tensor rq = rope.rotate(NATIVE, arena, q, 5);
                assertEquals(q.getFloat(0, 0, 0, 10), rq.getFloat(0, 0, 0, 10));
                assertEquals(dot(q, q), dot(rq, rq), 1e-4 * dot(q, q));
            }
        }
    }

    private static double dot(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double s = 0;
        for (int k = 0; k < x.length; k++) {
            s += (double) x[k] * y[k];
        }
        return s;
    }

    @PerSeed
    void lowRankLinearAdditiveAndCrossModalMatchReference(int seed) {
        SplittableRandom r = new SplittableRandom(seed * 7L + 11);
        int b = 1 + r.nextInt(2);
        int i = LENGTHS[r.nextInt(LENGTHS.length)];
        int j = LENGTHS[r.nextInt(LENGTHS.length)];
        int heads = 1 + r.nextInt(3);
        int dim = heads * (1 + r.nextInt(6));
        int ctx = heads * (1 + r.nextInt(6));
        String config = "b=" + b + " i=" + i + " j=" + j + " heads=" + heads + " dim=" + dim + " ctx=" + ctx;
        var lowRank = LowRankAttention.builder().dim(dim).contextDim(ctx).heads(heads).rank(1 + r.nextInt(4)).dimHead(1 + r.nextInt(9));
        boolean causal = r.nextBoolean();
        var linear = LinearAttention.builder().dim(dim).heads(heads).dimHead(1 + r.nextInt(9)).causal(causal);
        var additive = AdditiveAttention.builder().querySize(dim).keySize(ctx).numHiddens(1 + r.nextInt(12));
        var crossModal = CrossModalCrossAttention.builder().textDim(dim).visionDim(ctx).heads(heads);
        var fusion = CrossModalFusionBlock.builder().textDim(dim).visionDim(ctx).heads(heads).ffMult(1.5);
        try (Arena arena = Arena.ofConfined();
             LowRankAttention lrN = lowRank.build(NATIVE, seed);
             LowRankAttention lrJ = lowRank.build(JAVA, lrN.stateDict());
             LinearAttention laN = linear.build(NATIVE, seed);
             LinearAttention laJ = linear.build(JAVA, laN.stateDict());
             AdditiveAttention adN = additive.build(NATIVE, seed);
             AdditiveAttention adJ = additive.build(JAVA, adN.stateDict());
             CrossModalCrossAttention cmN = crossModal.build(NATIVE, seed);
             CrossModalCrossAttention cmJ = crossModal.build(JAVA, cmN.stateDict());
             CrossModalFusionBlock fbN = fusion.build(NATIVE, seed);
             CrossModalFusionBlock fbJ = fusion.build(JAVA, fbN.stateDict())) {
            Tensor x = Tensor.randn(arena, seed + 1, b, i, dim);
            Tensor context = Tensor.randn(arena, seed + 2, b, j, ctx);
            Tensor values = Tensor.randn(arena, seed + 3, b, j, 5);
            Tensor xMask = FamilyAssert.bools(arena, r, 0.85, b, i);
            Tensor cMask = FamilyAssert.bools(arena, r, 0.85, b, j);
            SdpaOptions o = SdpaOptions.builder().keyPaddingMask(cMask).needWeights(true).build();
            AttentionOutput lrWant = lrJ.forward(arena, x, context, o);
            AttentionOutput lrGot = lrN.forward(arena, x, context, o);
            FamilyAssert.near(config + " low-rank", lrGot.output(), lrWant.output());
            FamilyAssert.near(config + " low-rank weights", lrGot.weights(), lrWant.weights());
            FamilyAssert.near(config + " linear", laN.forward(arena, x, xMask), laJ.forward(arena, x, xMask));
            AttentionOutput adWant = adJ.forward(arena, x, context, values, cMask);
            AttentionOutput adGot = adN.forward(arena, x, context, values, cMask);
            FamilyAssert.near(config + " additive", adGot.output(), adWant.output());
            FamilyAssert.near(config + " additive weights", adGot.weights(), adWant.weights());
            CrossModalOutput cmWant = cmJ.forward(arena, x, context, xMask, cMask);
            CrossModalOutput cmGot = cmN.forward(arena, x, context, xMask, cMask);
            FamilyAssert.near(config + " cross-modal text", cmGot.text(), cmWant.text());
            FamilyAssert.near(config + " cross-modal vision", cmGot.vision(), cmWant.vision());
            CrossModalOutput fbWant = fbJ.forward(arena, x, context, xMask, cMask);
            CrossModalOutput fbGot = fbN.forward(arena, x, context, xMask, cMask);
            FamilyAssert.near(config + " fusion text", fbGot.text(), fbWant.text());
            FamilyAssert.near(config + " fusion vision", fbGot.vision(), fbWant.vision());
        }
    }

    @Test
    void causalLinearAttentionIgnoresTheFuture() {
        try (Arena arena = Arena.ofConfined();
             LinearAttention la = LinearAttention.builder().dim(6).heads(2).dimHead(4).causal(true).build(NATIVE, 9)) {
            Tensor x = Tensor.randn(arena, 1, 1, 11, 6);
            Tensor changed = x.copy(arena);
            changed.setFloat(50f, 0, 10, 2);
            FamilyAssert.near("causal linear prefix", la.forward(arena, changed).slice(1, 0, 10), la.forward(arena, x).slice(1, 0, 10));
        }
    }

    @Test
    void everyModuleRoundTripsThroughSafetensors() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.randn(arena, 1, 2, 5, 12);
            Tensor c = Tensor.randn(arena, 2, 2, 3, 8);
            roundTrip(MultiheadAttention.builder().embedDim(12).numHeads(3).kdim(8).vdim(8).batchFirst(true).build(NATIVE, 1),
                    p -> Models.load(p, MultiheadAttention.class, NATIVE), m -> ((MultiheadAttention) m).forward(arena, x, c, c, MhaOptions.DEFAULT).output());
            roundTrip(TransformerEncoderLayer.builder().dModel(12).nhead(2).dimFeedforward(7).activation(Activation.GELU)
                    .normFirst(true).batchFirst(true).build(NATIVE, 2), p -> Models.load(p, TransformerEncoderLayer.class, NATIVE),
                    m -> ((TransformerEncoderLayer) m).forward(arena, x));
            roundTrip(TransformerDecoderLayer.builder().dModel(12).nhead(4).batchFirst(true).build(NATIVE, 3),
                    p -> Models.load(p, TransformerDecoderLayer.class, NATIVE), m -> ((TransformerDecoderLayer) m).forward(arena, x, x));
            roundTrip(FusedQkvAttention.builder().dim(12).heads(2).dimHead(6).rotary(RotaryEmbedding.of(4)).build(NATIVE, 4),
                    p -> Models.load(p, FusedQkvAttention.class, NATIVE), m -> ((FusedQkvAttention) m).forward(arena, x).output());
            roundTrip(SlidingWindowAttention.builder().dim(12).heads(2).dimHead(4).windowLeft(2).windowRight(0).build(NATIVE, 5),
                    p -> Models.load(p, SlidingWindowAttention.class, NATIVE), m -> ((SlidingWindowAttention) m).forward(arena, x));
            roundTrip(CosineSimilarityAttention.builder().dim(12).heads(2).dimHead(4).scale(7).build(NATIVE, 6),
                    p -> Models.load(p, CosineSimilarityAttention.class, NATIVE), m -> ((CosineSimilarityAttention) m).forward(arena, x).output());
            roundTrip(LowRankAttention.builder().dim(12).contextDim(8).heads(2).rank(3).dimHead(5).build(NATIVE, 7),
                    p -> Models.load(p, LowRankAttention.class, NATIVE),
                    m -> ((LowRankAttention) m).forward(arena, x, c, SdpaOptions.DEFAULT).output());
            roundTrip(LinearAttention.builder().dim(12).heads(3).dimHead(4).causal(true).build(NATIVE, 8),
                    p -> Models.load(p, LinearAttention.class, NATIVE), m -> ((LinearAttention) m).forward(arena, x));
            roundTrip(AdditiveAttention.builder().querySize(12).keySize(8).numHiddens(6).build(NATIVE, 9),
                    p -> Models.load(p, AdditiveAttention.class, NATIVE), m -> ((AdditiveAttention) m).forward(arena, x, c, c, null).output());
            roundTrip(CrossModalCrossAttention.builder().textDim(12).visionDim(8).heads(4).build(NATIVE, 10),
                    p -> Models.load(p, CrossModalCrossAttention.class, NATIVE), m -> ((CrossModalCrossAttention) m).forward(arena, x, c).vision());
            roundTrip(CrossModalFusionBlock.builder().textDim(12).visionDim(8).heads(2).build(NATIVE, 11),
                    p -> Models.load(p, CrossModalFusionBlock.class, NATIVE), m -> ((CrossModalFusionBlock) m).forward(arena, x, c).text());
        }
    }

    private interface Loader {
        Module load(Path p) throws IOException;
    }

    private void roundTrip(Module original, Loader loader, java.util.function.Function<Module, Tensor> run) throws IOException {
        Path file = tmp.resolve(original.getClass().getSimpleName() + ".safetensors");
        try (original) {
            original.save(file);
            try (Module loaded = loader.load(file)) {
                assertEquals(original.metadata(), loaded.metadata(), original + " metadata");
                FamilyAssert.close(original + " after save/load", run.apply(loaded), run.apply(original), 0, 0);
            }
        }
    }

    @Test
    void manyThreadsShareOneModule() throws Exception {
        // Modules are immutable: concurrent forwards on one instance give the single-threaded result.
        try (Arena arena = Arena.ofShared();
             TransformerDecoderLayer layer = TransformerDecoderLayer.builder().dModel(16).nhead(4).dimFeedforward(24)
                     .batchFirst(true).build(NATIVE, 12)) {
            Tensor tgt = Tensor.randn(arena, 1, 2, 33, 16);
            Tensor memory = Tensor.randn(arena, 2, 2, 47, 16);
            DecoderLayerOptions causal = new DecoderLayerOptions(null, null, null, null, true, false, AttentionPath.AUTO);
            float[] want = layer.forward(arena, tgt, memory, causal).toFloatArray();
            var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                var futures = new java.util.ArrayList<java.util.concurrent.Future<float[]>>();
                for (int t = 0; t < 8; t++) {
                    futures.add(pool.submit(() -> {
                        try (Arena own = Arena.ofConfined()) {
                            return layer.forward(own, tgt, memory, causal).toFloatArray();
                        }
                    }));
                }
                for (var f : futures) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(want, f.get());
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void badConfigurationsAndInputsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> MultiheadAttention.builder().embedDim(10).numHeads(3).build(NATIVE, 1));
        assertThrows(IllegalArgumentException.class, () -> TransformerEncoderLayer.builder().dModel(8).nhead(3).build(NATIVE, 1));
        assertThrows(IllegalArgumentException.class, () -> Activation.of("swish"));
        assertThrows(IllegalArgumentException.class, () -> new RotaryEmbedding(3, 10000, false));
        assertThrows(IllegalArgumentException.class, () -> FusedQkvAttention.builder().dim(8).heads(2).dimHead(4)
                .rotary(RotaryEmbedding.of(6)).build(NATIVE, 1));
        assertThrows(IllegalArgumentException.class, () -> SlidingWindowAttention.builder().dim(8).build(NATIVE, 1));
        MultiheadAttention mha = MultiheadAttention.builder().embedDim(8).numHeads(2).batchFirst(true).build(NATIVE, 1);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.randn(arena, 1, 2, 5, 8);
            assertThrows(IllegalArgumentException.class, () -> mha.forward(arena, x, MhaOptions.builder()
                    .attnMask(Tensor.randn(arena, 2, 5, 4)).build()));
            assertThrows(IllegalArgumentException.class, () -> mha.forward(arena, x, MhaOptions.builder()
                    .keyPaddingMask(Tensor.randn(arena, 2, 2, 4)).build()));
            assertThrows(IllegalArgumentException.class, () -> mha.forward(arena, Tensor.randn(arena, 3, 2, 5, 7), MhaOptions.DEFAULT));
            mha.close();
            assertThrows(IllegalStateException.class, () -> mha.forward(arena, x, MhaOptions.DEFAULT));
            assertThrows(IllegalStateException.class, mha::close);
        }
    }
}
