package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.TestBackends;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The attention-consistency measure: hand-computed Jensen-Shannon values in nats, zero without
 * noise, bounded by ln 2, reproducible from the seed, growing with the noise, the maps of every
 * module that has them (context_attn of bidirectional attention read along i), queries that see
 * nothing left out, and the refusals.
 */
class AttentionConsistencyTest {
    private static final Backend NATIVE = TestBackends.nativeBackend();
    private static final double LN2 = Math.log(2);

    @Test
    void jensenShannonInNats() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor p = Tensor.of(arena, new float[] {1, 0, 0.5f, 0.5f, 0.25f, 0.75f, Float.NaN, 1}, 4, 2);
            Tensor q = Tensor.of(arena, new float[] {0, 1, 1, 0, 0.25f, 0.75f, 0, 1}, 4, 2);
            double[] js = AttentionConsistency.jensenShannon(p, q);
            assertEquals(LN2, js[0], 1e-12, "disjoint rows: ln 2");
            // m = (0.75, 0.25): ½ (0.5 ln(0.5/0.75) + 0.5 ln(0.5/0.25)) + ½ ln(1/0.75)
            assertEquals(0.5 * (0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(2)) + 0.5 * Math.log(1 / 0.75), js[1], 1e-7);
            assertEquals(0, js[2]);
            assertTrue(Double.isNaN(js[3]));
            Tensor negative = Tensor.of(arena, new float[] {-0.5f, 1.5f}, 1, 2);
            assertThrows(IllegalArgumentException.class, () -> AttentionConsistency.jensenShannon(negative, negative));
        }
    }

    @Test
    void zeroNoiseBoundsSeedsAndGrowth() {
        try (Arena arena = Arena.ofConfined();
             TopKAttention m = TopKAttention.builder().dim(8).heads(3).dimHead(4).topK(4).build(NATIVE, 1)) {
            Map<String, Tensor> in = Map.of("x", Tensor.randn(arena, 2, 2, 11, 8));
            AttentionProbe probe = AttentionProbe.of(m);
            double[] none = AttentionConsistency.measure(probe, in, 0, 2, 0).get("weights");
            assertArrayEquals(new double[3], none, "no noise, no movement");
            double[] small = AttentionConsistency.measure(probe, in, 1e-3, 4, 7).get("weights");
            double[] again = AttentionConsistency.measure(probe, in, 1e-3, 4, 7).get("weights");
            double[] other = AttentionConsistency.measure(probe, in, 1e-3, 4, 8).get("weights");
            double[] large = AttentionConsistency.measure(probe, in, 0.5, 4, 7).get("weights");
            assertArrayEquals(small, again, "same seed, same values");
            assertFalse(Arrays.equals(small, other), "another seed, other draws");
            for (int h = 0; h < 3; h++) {
                assertTrue(small[h] > 0 && large[h] <= LN2, "head " + h + ": " + small[h] + ", " + large[h]);
                assertTrue(large[h] > 10 * small[h], "head " + h + ": noise 0.5 moves the maps more than 0.001");
            }
        }
    }

    @Test
    void everyModuleWithMapsAndFullyMaskedQueries() {
        try (Arena arena = Arena.ofConfined();
             MultiheadAttention mha = MultiheadAttention.builder().embedDim(6).numHeads(2).batchFirst(true).build(NATIVE, 2);
             BidirectionalCrossAttention bca = BidirectionalCrossAttention.builder().dim(6).heads(2).dimHead(3).contextDim(5)
                     .build(NATIVE, 3);
             LuongAttention luong = LuongAttention.builder().method(LuongAttention.Score.CONCAT).querySize(3).keySize(4)
                     .hiddenSize(5).build(NATIVE, 4)) {
            Tensor x = Tensor.randn(arena, 5, 2, 7, 6);
            Map<String, double[]> m = AttentionConsistency.measure(AttentionProbe.of(mha), Map.of("query", x), 0.05, 2, 0);
            assertEquals(List.of("attn_output_weights"), List.copyOf(m.keySet()));
            assertEquals(2, m.get("attn_output_weights").length);
            Map<String, double[]> unbatched = AttentionConsistency.measure(AttentionProbe.of(mha),
                    Map.of("query", x.select(0, 1)), 0.05, 2, 0);
            assertEquals(2, unbatched.get("attn_output_weights").length, "an unbatched query [l, e] counts as one batch");
            Map<String, double[]> b = AttentionConsistency.measure(AttentionProbe.of(bca),
                    Map.of("x", x, "context", Tensor.randn(arena, 6, 2, 4, 5)), 0.05, 2, 0);
            assertEquals(List.of("attn", "context_attn"), List.copyOf(b.keySet()));
            for (double v : b.get("context_attn")) {
                assertTrue(v > 0 && v <= LN2, "context_attn rows are distributions over i: " + v);
            }
            // batch 1 masks every key: its queries are NaN rows and are left out, the rest counts
            boolean[] keep = {true, false, true, true, false, false, false, false};
            Map<String, Tensor> in = Map.of("queries", Tensor.randn(arena, 7, 2, 3, 3), "keys", Tensor.randn(arena, 8, 2, 4, 4),
                    "values", Tensor.randn(arena, 9, 2, 4, 2), "key_padding_mask", Tensor.ofBooleans(arena, keep, 2, 4));
            double[] l = AttentionConsistency.measure(AttentionProbe.of(luong), in, 0.1, 3, 0).get("weights");
            assertEquals(1, l.length);
            assertTrue(l[0] > 0 && l[0] <= LN2, "finite despite NaN rows: " + l[0]);
        }
    }

    @Test
    void refusals() {
        try (Arena arena = Arena.ofConfined();
             BidirectionalCrossAttention talking = BidirectionalCrossAttention.builder().dim(4).heads(2).dimHead(2)
                     .talkingHeads(true).build(NATIVE, 0);
             LinearAttention linear = LinearAttention.builder().dim(4).heads(2).dimHead(2).build(NATIVE, 0);
             TopKAttention topK = TopKAttention.builder().dim(4).heads(1).dimHead(2).topK(1).build(NATIVE, 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttentionProbe.of(talking));
            assertTrue(e.getMessage().contains("talking heads"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> AttentionProbe.of(linear));
            assertTrue(e.getMessage().contains("no attention maps"), e.getMessage());
            Map<String, Tensor> in = Map.of("x", Tensor.randn(arena, 1, 1, 3, 4));
            AttentionProbe probe = AttentionProbe.of(topK);
            e = assertThrows(IllegalArgumentException.class, () -> AttentionConsistency.measure(probe, in, -1, 2, 0));
            assertTrue(e.getMessage().contains("noise"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> AttentionConsistency.measure(probe, in, 0.1, 0, 0));
            assertTrue(e.getMessage().contains("samples"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> AttentionConsistency.measure(probe,
                    Map.of("x", in.get("x"), "y", in.get("x")), 0.1, 1, 0));
            assertTrue(e.getMessage().contains("unexpected tensor y"), e.getMessage());
        }
    }
}
