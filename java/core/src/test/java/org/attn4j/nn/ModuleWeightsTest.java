package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.TestBackends;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.io.SafeTensors;
import org.attn4j.io.SafeTensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving, loading (F32, F16, BF16), PyTorch-style initialisation and state-dict errors. */
class ModuleWeightsTest {
    private static final Backend BACKEND = TestBackends.nativeBackend();

    @TempDir
    Path tmp;

    @Test
    void saveThenLoadGivesTheSameModule() throws IOException {
        Path file = tmp.resolve("bca.safetensors");
        try (Arena arena = Arena.ofConfined();
             var built = BidirectionalCrossAttention.builder().dim(24).contextDim(20).heads(3).dimHead(8)
                     .talkingHeads(true).prenorm(true).build(BACKEND, 11)) {
            built.save(file);
            try (var loaded = Models.load(file, BidirectionalCrossAttention.class, BACKEND)) {
                assertEquals(built.metadata(), loaded.metadata());
                assertEquals(built.stateDict().keySet(), loaded.stateDict().keySet());
                Tensor x = Tensor.randn(arena, 1, 2, 5, 24);
                Tensor c = Tensor.randn(arena, 2, 2, 7, 20);
                assertArrayEquals(built.forward(arena, x, c).out().toFloatArray(), loaded.forward(arena, x, c).out().toFloatArray());
            }
        }
        Path transformer = tmp.resolve("bcat.safetensors");
        try (var built = BidirectionalCrossAttentionTransformer.builder().dim(16).contextDim(12).depth(2).heads(2).dimHead(4)
                .finalNorms(true).build(BACKEND, 3)) {
            built.save(transformer);
            try (var loaded = Models.loadBidirectional(transformer, BACKEND)) {
                assertEquals(BidirectionalCrossAttentionTransformer.class, loaded.getClass());
                assertEquals(12, loaded.contextDim());
            }
        }
    }

    @Test
    void freshWeightsFollowPyTorchDefaults() {
        try (var m = BidirectionalCrossAttention.builder().dim(64).contextDim(48).heads(4).dimHead(16).prenorm(true)
                .talkingHeads(true).build(BACKEND, 5)) {
            Map<String, Tensor> sd = m.stateDict();
            assertEquals(List.of("norm.weight", "context_norm.weight", "to_qk.weight", "context_to_qk.weight", "to_v.weight",
                    "context_to_v.weight", "to_out.weight", "to_out.bias", "context_to_out.weight", "context_to_out.bias",
                    "talking_heads.weight", "context_talking_heads.weight"), List.copyOf(sd.keySet()));
            for (float v : sd.get("norm.weight").toFloatArray()) {
                assertEquals(1f, v);
            }
            assertUniform(sd.get("to_qk.weight"), 1 / Math.sqrt(64));          // fan_in = dim
            assertUniform(sd.get("context_to_v.weight"), 1 / Math.sqrt(48));   // fan_in = contextDim
            assertUniform(sd.get("to_out.bias"), 1 / Math.sqrt(64));           // fan_in = inner
            assertUniform(sd.get("talking_heads.weight"), 1 / Math.sqrt(4));   // 1×1 conv, fan_in = heads
        }
    }

    /** Every value inside ±bound and the spread of U(−bound, bound) (variance bound²/3). */
    private static void assertUniform(Tensor t, double bound) {
        float[] v = t.toFloatArray();
        double sq = 0;
        for (float x : v) {
            assertTrue(Math.abs(x) <= bound, x + " outside ±" + bound);
            sq += x * x;
        }
        double variance = sq / v.length;
        assertEquals(bound * bound / 3, variance, bound * bound / 3 * (v.length > 1000 ? 0.15 : 0.6));
    }

    @Test
    void halfPrecisionWeightsLoadAndComputeInFloat32() throws IOException {
        Path dir = Golden.dir("bca_basic");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile golden = SafeTensors.open(dir.resolve("model.safetensors"), arena);
            SafeTensorsFile inputs = SafeTensors.open(dir.resolve("inputs.safetensors"), arena);
            for (DType half : new DType[] {DType.F16, DType.BF16}) {
                Map<String, Tensor> converted = new LinkedHashMap<>();
                golden.tensors().forEach((k, t) -> converted.put(k, t.to(half, arena)));
                Path file = tmp.resolve(half + ".safetensors");
                SafeTensors.write(file, converted, golden.metadata());
                try (var f32 = Models.load(dir.resolve("model.safetensors"), BidirectionalCrossAttention.class, BACKEND);
                     var h = Models.load(file, BidirectionalCrossAttention.class, BACKEND)) {
                    Tensor want = f32.forward(arena, inputs.tensor("x"), inputs.tensor("context")).out();
                    Tensor got = h.forward(arena, inputs.tensor("x"), inputs.tensor("context")).out();
                    double tolerance = half == DType.F16 ? 0.02 : 0.1; // weights rounded to 11 or 8 bits
                    assertTrue(Golden.maxAbsDiff(got, want) < tolerance, half + ": " + Golden.maxAbsDiff(got, want));
                }
            }
        }
    }

    @Test
    void stateDictErrorsNameTheTensor() throws IOException {
        Path dir = Golden.dir("bca_basic");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile golden = SafeTensors.open(dir.resolve("model.safetensors"), arena);
            var builder = BidirectionalCrossAttention.builder().dim(32).heads(4).dimHead(16).contextDim(24);

            Map<String, Tensor> missing = new LinkedHashMap<>(golden.tensors());
            missing.remove("to_v.weight");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.build(BACKEND, missing));
            assertEquals("missing tensor to_v.weight (expected shape [64, 32])", e.getMessage());

            Map<String, Tensor> extra = new LinkedHashMap<>(golden.tensors());
            extra.put("bogus.weight", golden.tensor("to_v.weight"));
            e = assertThrows(IllegalArgumentException.class, () -> builder.build(BACKEND, extra));
            assertEquals("unexpected tensors in the state dict: bogus.weight", e.getMessage());

            Map<String, Tensor> misShaped = new LinkedHashMap<>(golden.tensors());
            misShaped.put("to_out.bias", Tensor.zeros(arena, DType.F32, 31));
            e = assertThrows(IllegalArgumentException.class, () -> builder.build(BACKEND, misShaped));
            assertEquals("to_out.bias: expected shape [32], got [31]", e.getMessage());

            e = assertThrows(IllegalArgumentException.class,
                    () -> Models.load(dir.resolve("model.safetensors"), BidirectionalCrossAttentionTransformer.class, BACKEND));
            assertTrue(e.getMessage().contains("expected class BidirectionalCrossAttentionTransformer, got BidirectionalCrossAttention"),
                    e.getMessage());
        }
    }

    @Test
    void closedModulesRefuseWork() {
        try (Arena arena = Arena.ofConfined()) {
            var m = BidirectionalCrossAttention.builder().dim(8).heads(2).dimHead(4).build(BACKEND, 1);
            m.close();
            Tensor x = Tensor.randn(arena, 1, 1, 3, 8);
            assertThrows(IllegalStateException.class, () -> m.forward(arena, x, x));
            assertThrows(IllegalStateException.class, m::close);
        }
    }

    @Test
    void forwardValidatesItsInputs() {
        try (Arena arena = Arena.ofConfined();
             var m = BidirectionalCrossAttention.builder().dim(8).contextDim(6).heads(2).dimHead(4).build(BACKEND, 1)) {
            Tensor x = Tensor.randn(arena, 1, 2, 3, 8);
            Tensor c = Tensor.randn(arena, 2, 2, 5, 6);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(arena, c, x));
            assertEquals("x: expected shape [b, n, 8], got [2, 5, 6]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> m.forward(arena, x, Tensor.randn(arena, 3, 3, 5, 6)));
            assertTrue(e.getMessage().startsWith("context: expected batch 2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.forward(arena, x, c,
                    BidirectionalOptions.builder().mask(Tensor.randn(arena, 4, 2, 3)).build()));
            assertEquals("mask: expected dtype BOOL, got F32", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.forward(arena, x, c,
                    BidirectionalOptions.builder().contextMask(Tensor.ofBooleans(arena, new boolean[4], 2, 2)).build()));
            assertEquals("contextMask: expected shape [2, 5], got [2, 2]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.forward(arena, x, c,
                    BidirectionalOptions.builder().relPosBias(Tensor.randn(arena, 5, 3, 3, 5)).build()));
            assertEquals("relPosBias: expected a shape broadcastable to [2, 2, 3, 5], got [3, 3, 5]", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> BidirectionalOptions.builder().returnAttn(true)
                    .path(AttentionPath.FUSED).build());
        }
    }
}
