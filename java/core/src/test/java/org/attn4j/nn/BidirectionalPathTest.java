package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.util.List;
import org.attn4j.Backend;
import org.attn4j.DType;
import org.attn4j.TestBackends;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;

/** Where AttentionPath.AUTO changes from the materialised path to the fused kernel. */
class BidirectionalPathTest {
    private static final BidirectionalOptions AUTO = BidirectionalOptions.DEFAULT;

    @Test
    void thinSlicesAreMaterialised() {
        assertEquals(AttentionPath.MATERIALISED, AUTO.pathFor(1, 8, 1, 8192));
        assertEquals(AttentionPath.MATERIALISED, AUTO.pathFor(1, 8, 8192, 1));
        assertEquals(AttentionPath.MATERIALISED, AUTO.pathFor(1, 8, 16, 2048)); // the longer side exactly at its limit
        assertEquals(AttentionPath.MATERIALISED, AUTO.pathFor(1, 4, 32, 2048)); // exactly every limit
    }

    @Test
    void smallSquaresLargeSlicesOrLargeBatchesAreFused() {
        assertEquals(AttentionPath.FUSED, AUTO.pathFor(1, 8, 16, 16));
        assertEquals(AttentionPath.FUSED, AUTO.pathFor(1, 8, 64, 96));
        assertEquals(AttentionPath.FUSED, AUTO.pathFor(1, 8, 16, 2047)); // the longer side one short
        assertEquals(AttentionPath.FUSED, AUTO.pathFor(1, 8, 256, 512));
        assertEquals(AttentionPath.FUSED, AUTO.pathFor(1, 8, 1, 1 << 17)); // a slice past 64 Ki scores
        assertEquals(AttentionPath.FUSED, AUTO.pathFor(1, 8, 32, 2048)); // 512 Ki scores in all
        assertEquals(AttentionPath.FUSED, AUTO.pathFor(32, 8, 64, 96)); // 1.5 Mi scores in all
        // slices of 64 Ki scores: 4 of them are 256 Ki in all, 5 one slice past it
        assertEquals(AttentionPath.MATERIALISED, AUTO.pathFor(4, 1, 32, 2048));
        assertEquals(AttentionPath.FUSED, AUTO.pathFor(5, 1, 32, 2048));
    }

    @Test
    void askedPathsAndAttentionWeightsDecide() {
        BidirectionalOptions fused = BidirectionalOptions.builder().path(AttentionPath.FUSED).build();
        BidirectionalOptions materialised = BidirectionalOptions.builder().path(AttentionPath.MATERIALISED).build();
        BidirectionalOptions weights = BidirectionalOptions.builder().returnAttn(true).build();
        assertEquals(AttentionPath.FUSED, fused.pathFor(1, 8, 16, 16));
        assertEquals(AttentionPath.MATERIALISED, materialised.pathFor(1, 8, 4096, 8192));
        assertEquals(AttentionPath.MATERIALISED, weights.pathFor(1, 8, 4096, 8192));
    }

    @Test
    void aModuleReportsThePathOfItsShapesWithItsHeads() {
        Backend java = TestBackends.javaReference();
        try (Arena arena = Arena.ofConfined();
             BidirectionalCrossAttention bca = BidirectionalCrossAttention.builder().dim(16).contextDim(12).heads(8).dimHead(4)
                     .build(java, 0);
             BidirectionalCrossAttentionTransformer bcat = BidirectionalCrossAttentionTransformer.builder().dim(16)
                     .contextDim(12).depth(1).heads(1).dimHead(4).build(java, 0)) {
            Tensor x = Tensor.zeros(arena, DType.F32, 1, 16, 16);
            Tensor context = Tensor.zeros(arena, DType.F32, 1, 4096, 12);
            // 16 × 4096: fused with 8 heads (512 Ki scores), materialised with 1 (64 Ki)
            assertEquals(AttentionPath.FUSED, bca.pathFor(x, context, AUTO));
            assertEquals(AttentionPath.MATERIALISED, bcat.pathFor(x, context, AUTO));
            for (BidirectionalModule m : List.<BidirectionalModule>of(bca, bcat)) {
                assertEquals(AttentionPath.MATERIALISED,
                        m.pathFor(x, context, BidirectionalOptions.builder().path(AttentionPath.MATERIALISED).build()));
                assertThrows(IllegalArgumentException.class, () -> m.pathFor(x.select(0, 0), context, AUTO));
                assertThrows(IllegalArgumentException.class, () -> m.pathFor(x, context, null));
            }
        }
    }
}
