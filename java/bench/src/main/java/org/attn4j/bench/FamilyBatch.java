package org.attn4j.bench;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.nn.AdditiveAttention;
import org.attn4j.nn.CosineSimilarityAttention;
import org.attn4j.nn.CrossModalCrossAttention;
import org.attn4j.nn.CrossModalFusionBlock;
import org.attn4j.nn.FusedQkvAttention;
import org.attn4j.nn.LinearAttention;
import org.attn4j.nn.LowRankAttention;
import org.attn4j.nn.MhaOptions;
import org.attn4j.nn.Module;
import org.attn4j.nn.MultiheadAttention;
import org.attn4j.nn.SdpaOptions;
import org.attn4j.nn.SlidingWindowAttention;
import org.attn4j.nn.TransformerDecoderLayer;
import org.attn4j.nn.TransformerEncoderLayer;

/**
 * The attention family's modules at a batch (default 32 sequences of 64 tokens, 96 for the
 * context or memory of the cross modules), dim 512, 8 heads of 64: one forward each, timed on the
 * native backend, medians. Part of {@code ./attn4j bench family --batch 32}; the peers of
 * MultiheadAttention and the SDPA core at a batch come from {@code ./attn4j bench peers --batch 32 --n 64}.
 */
final class FamilyBatch {
    static final int DIM = 512;
    static final int HEADS = 8;
    static final int DIM_HEAD = 64;

    private FamilyBatch() {
    }

    /** One module and how to run it on x [b, n, 512] and context [b, m, 512]. */
    private record Entry(String name, Module module, Function<Arena, Object> forward) {
    }

    static void run(Backend backend, int batch, int n, int m, int repeat, PrintStream out) {
        out.printf(Locale.ROOT, "== the family at batch %d: x [%d, %d, %d], context/memory [%d, %d, %d], %d heads of %d,"
                + " %d thread(s); load average %s%n", batch, batch, n, DIM, batch, m, DIM, HEADS, DIM_HEAD, backend.threads(),
                LoadAverage.read());
        out.println("| module | median ms | min–max ms | µs per sequence |");
        out.println("|---|---|---|---|");
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.randn(arena, 1, batch, n, DIM);       // [b, n, dim]
            Tensor context = Tensor.randn(arena, 2, batch, m, DIM); // [b, m, dim]
            List<Entry> entries = new ArrayList<>();
            try {
                MultiheadAttention mha = MultiheadAttention.builder().embedDim(DIM).numHeads(HEADS).batchFirst(true).build(backend, 1);
                entries.add(new Entry("MultiheadAttention (self)", mha,
                        a -> mha.forward(a, x, MhaOptions.builder().needWeights(false).build())));
                TransformerEncoderLayer enc = TransformerEncoderLayer.builder().dModel(DIM).nhead(HEADS).dimFeedforward(4 * DIM)
                        .batchFirst(true).build(backend, 2);
                entries.add(new Entry("TransformerEncoderLayer (ff 2048)", enc, a -> enc.forward(a, x)));
                TransformerDecoderLayer dec = TransformerDecoderLayer.builder().dModel(DIM).nhead(HEADS).dimFeedforward(4 * DIM)
                        .batchFirst(true).build(backend, 3);
                entries.add(new Entry("TransformerDecoderLayer (ff 2048)", dec, a -> dec.forward(a, x, context)));
                FusedQkvAttention qkv = FusedQkvAttention.builder().dim(DIM).heads(HEADS).dimHead(DIM_HEAD).build(backend, 4);
                entries.add(new Entry("FusedQkvAttention", qkv, a -> qkv.forward(a, x)));
                SlidingWindowAttention window = SlidingWindowAttention.builder().dim(DIM).heads(HEADS).dimHead(DIM_HEAD).windowLeft(16).windowRight(16)
                        .build(backend, 5);
                entries.add(new Entry("SlidingWindowAttention (16 each side)", window, a -> window.forward(a, x)));
                CosineSimilarityAttention cos = CosineSimilarityAttention.builder().dim(DIM).heads(HEADS).dimHead(DIM_HEAD)
                        .build(backend, 6);
                entries.add(new Entry("CosineSimilarityAttention", cos, a -> cos.forward(a, x)));
                LowRankAttention lowRank = LowRankAttention.builder().dim(DIM).contextDim(DIM).heads(HEADS).rank(16)
                        .dimHead(DIM_HEAD).build(backend, 7);
                entries.add(new Entry("LowRankAttention (rank 16, cross)", lowRank,
                        a -> lowRank.forward(a, x, context, SdpaOptions.DEFAULT)));
                LinearAttention linear = LinearAttention.builder().dim(DIM).heads(HEADS).dimHead(DIM_HEAD).build(backend, 8);
                entries.add(new Entry("LinearAttention", linear, a -> linear.forward(a, x)));
                AdditiveAttention additive = AdditiveAttention.builder().querySize(DIM).keySize(DIM).numHiddens(256)
                        .build(backend, 9);
                entries.add(new Entry("AdditiveAttention (256 hidden)", additive, a -> additive.forward(a, x, context, context, null)));
                CrossModalCrossAttention crossModal = CrossModalCrossAttention.builder().textDim(DIM).visionDim(DIM).heads(HEADS)
                        .build(backend, 10);
                entries.add(new Entry("CrossModalCrossAttention", crossModal, a -> crossModal.forward(a, x, context)));
                CrossModalFusionBlock fusion = CrossModalFusionBlock.builder().textDim(DIM).visionDim(DIM).heads(HEADS).ffMult(2)
                        .build(backend, 11);
                entries.add(new Entry("CrossModalFusionBlock (ff ×2)", fusion, a -> fusion.forward(a, x, context)));
                for (Entry e : entries) {
                    double[] ms = new double[repeat];
                    for (int r = -1; r < repeat; r++) { // r = -1 warms up
                        try (Arena run = Arena.ofConfined()) {
                            long t0 = System.nanoTime();
                            e.forward().apply(run);
                            if (r >= 0) {
                                ms[r] = (System.nanoTime() - t0) / 1e6;
                            }
                        }
                    }
                    Stats s = Stats.of(ms);
                    out.printf(Locale.ROOT, "| %s | %.2f | %.2f–%.2f | %.1f |%n", e.name(), s.median(), s.min(), s.max(),
                            s.median() * 1e3 / batch);
                }
            } finally {
                entries.forEach(e -> e.module().close());
            }
        }
    }
}
