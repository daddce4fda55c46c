package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.attn4j.Backend;
import org.attn4j.TestBackends;
import org.attn4j.Tensor;
import org.attn4j.internal.io.Json;
import org.attn4j.io.SafeTensors;
import org.attn4j.io.SafeTensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PyTorch's own outputs (tools/golden/make_family_goldens.py, torch 1.13) for
 * nn.MultiheadAttention, nn.TransformerEncoderLayer and nn.TransformerDecoderLayer, through the
 * public API on both backends and both attention paths: masks of every kind, causal, kdim ≠ vdim,
 * both norm orders, relu and gelu, and NaN exactly where PyTorch gives NaN (fully masked rows).
 */
class FamilyGoldenTest {
    private static final Backend NATIVE = TestBackends.nativeBackend();
    private static final Backend JAVA = TestBackends.javaReference();
    private static final double ATOL = 2e-5;
    private static final double RTOL = 1e-4;

    static Path root() {
        return GoldenFolders.root("/golden-family");
    }

    static List<String> cases() throws IOException {
        return GoldenFolders.cases(root());
    }

    static Stream<Arguments> casesOnBackendsAndPaths() throws IOException {
        return cases().stream().flatMap(c -> Stream.of("native", "java").flatMap(b -> Stream.of(AttentionPath.AUTO,
                AttentionPath.MATERIALISED).map(p -> Arguments.of(c, b, p))));
    }

    @Test
    void everyClassAndConventionIsCovered() throws IOException {
        List<String> names = cases();
        assertTrue(names.size() >= 16, "golden cases: " + names);
        assertTrue(names.stream().anyMatch(n -> n.startsWith("mha_")) && names.stream().anyMatch(n -> n.startsWith("enc_"))
                && names.stream().anyMatch(n -> n.startsWith("dec_")), "golden cases: " + names);
    }

    @ParameterizedTest(name = "{0} on {1}, {2}")
    @MethodSource("casesOnBackendsAndPaths")
    void matchesPyTorch(String name, String backendName, AttentionPath path) throws IOException {
        Backend backend = backendName.equals("native") ? NATIVE : JAVA;
        Path dir = root().resolve(name);
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile inputs = SafeTensors.open(dir.resolve("inputs.safetensors"), arena);
            Map<String, Tensor> in = inputs.tensors();
            Map<String, Tensor> want = SafeTensors.open(dir.resolve("outputs.safetensors"), arena).tensors();
            String cls = Models.className(dir.resolve("model.safetensors"));
            switch (cls) {
                case MultiheadAttention.CLASS_NAME -> multihead(dir, backend, path, arena, inputs, in, want);
                case TransformerEncoderLayer.CLASS_NAME -> {
                    try (TransformerEncoderLayer m = Models.load(dir.resolve("model.safetensors"), TransformerEncoderLayer.class, backend)) {
                        Tensor got = m.forward(arena, in.get("src"), new EncoderLayerOptions(in.get("src_mask"),
                                in.get("src_key_padding_mask"), false, path));
                        FamilyAssert.close(name + " output", got, want.get("output"), ATOL, RTOL);
                    }
                }
                case TransformerDecoderLayer.CLASS_NAME -> {
                    try (TransformerDecoderLayer m = Models.load(dir.resolve("model.safetensors"), TransformerDecoderLayer.class, backend)) {
                        Tensor got = m.forward(arena, in.get("tgt"), in.get("memory"), new DecoderLayerOptions(
                                in.get("tgt_mask"), in.get("memory_mask"), in.get("tgt_key_padding_mask"),
                                in.get("memory_key_padding_mask"), false, false, path));
                        FamilyAssert.close(name + " output", got, want.get("output"), ATOL, RTOL);
                    }
                }
                default -> throw new AssertionError(name + ": unexpected class " + cls);
            }
        }
    }

    private static void multihead(Path dir, Backend backend, AttentionPath path, Arena arena, SafeTensorsFile inputs,
                                  Map<String, Tensor> in, Map<String, Tensor> want) throws IOException {
        String name = dir.getFileName().toString();
        Map<?, ?> kwargs = (Map<?, ?>) Json.parse(inputs.metadata().get("forward_kwargs"));
        boolean needWeights = Boolean.TRUE.equals(kwargs.get("need_weights"));
        boolean average = Boolean.TRUE.equals(kwargs.get("average_attn_weights"));
        try (MultiheadAttention m = Models.load(dir.resolve("model.safetensors"), MultiheadAttention.class, backend)) {
            // Self-attention cases stored query, key and value with equal contents: pass one tensor, as PyTorch was called.
            Tensor query = in.get("query");
            boolean self = name.contains("self");
            Tensor key = self ? query : in.get("key");
            Tensor value = self ? query : in.get("value");
            MhaOptionsBuilder options = MhaOptions.builder().keyPaddingMask(in.get("key_padding_mask"))
                    .attnMask(in.get("attn_mask")).averageAttnWeights(average);
            AttentionOutput got = m.forward(arena, query, key, value, options.needWeights(needWeights).path(path).build());
            FamilyAssert.close(name + " attn_output", got.output(), want.get("attn_output"), ATOL, RTOL);
            if (needWeights) {
                FamilyAssert.close(name + " attn_output_weights", got.weights(), want.get("attn_output_weights"), 2e-6, RTOL);
            } else {
                assertNull(got.weights());
            }
            if (path == AttentionPath.AUTO) {
                // The fused kernel (no weights) gives the same output, NaN rows included.
                AttentionOutput fused = m.forward(arena, query, key, value, options.needWeights(false).path(AttentionPath.FUSED).build());
                FamilyAssert.close(name + " fused attn_output", fused.output(), want.get("attn_output"), ATOL, RTOL);
            }
        }
    }

    @Test
    void fullyMaskedRowsAreNaNAsInPyTorch() throws IOException {
        Path dir = root().resolve("mha_fully_masked");
        try (Arena arena = Arena.ofConfined();
             MultiheadAttention m = Models.load(dir.resolve("model.safetensors"), MultiheadAttention.class, NATIVE)) {
            Map<String, Tensor> in = SafeTensors.open(dir.resolve("inputs.safetensors"), arena).tensors();
            AttentionOutput o = m.forward(arena, in.get("query"), in.get("key"), in.get("value"), MhaOptions.builder()
                    .keyPaddingMask(in.get("key_padding_mask")).attnMask(in.get("attn_mask")).averageAttnWeights(false).build());
            // batch 0: query 2 (8 features); batch 1: all 4 queries → 40 NaN outputs, 50 NaN weights (2 heads × 5 keys)
            assertEquals(40, FamilyAssert.nans(o.output()));
            assertEquals(50, FamilyAssert.nans(o.weights()));
        }
    }
}
