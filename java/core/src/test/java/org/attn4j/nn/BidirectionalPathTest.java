package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Where AttentionPath.AUTO changes from the materialised path to the fused kernel. */
class BidirectionalPathTest {
    private static final BidirectionalOptions AUTO = BidirectionalOptions.DEFAULT;

    @Test
    void smallSlicesAreMaterialised() {
        assertEquals(AttentionPath.MATERIALISED, AUTO.pathFor(1, 8, 16, 16));
        assertEquals(AttentionPath.MATERIALISED, AUTO.pathFor(1, 8, 1, 8192));
        assertEquals(AttentionPath.MATERIALISED, AUTO.pathFor(32, 8, 64, 96));
        assertEquals(AttentionPath.MATERIALISED, AUTO.pathFor(1, 8, 256, 256)); // exactly the slice limit
    }

    @Test
    void largeSlicesOrLargeBatchesAreFused() {
        assertEquals(AttentionPath.FUSED, AUTO.pathFor(1, 8, 256, 257));
        assertEquals(AttentionPath.FUSED, AUTO.pathFor(1, 8, 256, 512));
        assertEquals(AttentionPath.FUSED, AUTO.pathFor(1, 8, 1, 1 << 17));
        // slices of 64 Ki scores, 257 of them: one past 16 Mi scores in all
        assertEquals(AttentionPath.MATERIALISED, AUTO.pathFor(256, 1, 256, 256));
        assertEquals(AttentionPath.FUSED, AUTO.pathFor(257, 1, 256, 256));
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
}
