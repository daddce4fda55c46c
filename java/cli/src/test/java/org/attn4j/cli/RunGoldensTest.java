package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.attn4j.Tensor;
import org.attn4j.io.Npy;
import org.attn4j.io.SafeTensors;
import org.attn4j.nn.ModuleClass;
import org.attn4j.nn.ModuleClasses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code attn4j run} on the PyTorch goldens of every module class but the bidirectional ones
 * (RunCommandTest has those): java/core/src/test/resources/golden-family (torch.nn's
 * MultiheadAttention and transformer layers), golden-family-ref and golden-family-scoring (the
 * attention family's reference implementations; the consistency cases measure something else).
 * Dispatch on __metadata__.class, forward_kwargs, every output against PyTorch's (NaN rows
 * included), npy inputs and outputs, and usage errors.
 */
class RunGoldensTest {
    private static final Path RESOURCES = Path.of("..", "core", "src", "test", "resources");
    private static final Path GOLDEN = RESOURCES.resolve("golden-family");

    @TempDir
    Path tmp;

    /** Case folders as "folder/case". */
    static Stream<String> cases() throws IOException {
        List<String> cases = new java.util.ArrayList<>();
        for (String folder : List.of("golden-family", "golden-family-ref", "golden-family-scoring")) {
            try (Stream<Path> dirs = Files.list(RESOURCES.resolve(folder))) {
                dirs.filter(Files::isDirectory).map(p -> folder + "/" + p.getFileName())
                        .filter(c -> !c.contains("/consistency_")).sorted().forEach(cases::add);
            }
        }
        return cases.stream();
    }

    private static int run(List<String> args, ByteArrayOutputStream out) throws IOException {
        return RunCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void runMatchesPyTorch(String name) throws IOException {
        Path dir = RESOURCES.resolve(name);
        Path output = tmp.resolve(name.replace('/', '_') + ".safetensors");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, run(List.of("--model", dir.resolve("model.safetensors").toString(), "--inputs",
                dir.resolve("inputs.safetensors").toString(), "--output", output.toString(), "--threads", "2"), out));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("->"), out.toString(StandardCharsets.UTF_8));
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> got = SafeTensors.open(output, arena).tensors();
            Map<String, Tensor> want = SafeTensors.open(dir.resolve("outputs.safetensors"), arena).tensors();
            assertEquals(want.keySet(), got.keySet(), name + ": output names");
            for (String k : want.keySet()) {
                close(name + " " + k, got.get(k), want.get(k));
            }
        }
    }

    private static void close(String what, Tensor got, Tensor want) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        float[] g = got.toFloatArray();
        float[] w = want.toFloatArray();
        for (int k = 0; k < g.length; k++) {
            boolean ok = Float.isNaN(w[k]) ? Float.isNaN(g[k]) : Math.abs(g[k] - w[k]) <= 3e-5 + 2e-4 * Math.abs(w[k]);
            int at = k;
            assertTrue(ok, () -> what + ": element " + at + " got " + g[at] + ", want " + w[at]);
        }
    }

    @Test
    void npyInputsAndOutputsWithOverrides() throws IOException {
        Path dir = GOLDEN.resolve("mha_kdim_vdim_kpm");
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> in = SafeTensors.open(dir.resolve("inputs.safetensors"), arena).tensors();
            for (String k : in.keySet()) {
                Npy.write(tmp.resolve(k + ".npy"), in.get(k));
            }
            Path outDir = tmp.resolve("npy-out");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, run(List.of("--model", dir.resolve("model.safetensors").toString(),
                    "--input", "query=" + tmp.resolve("query.npy"), "--input", "key=" + tmp.resolve("key.npy"),
                    "--input", "value=" + tmp.resolve("value.npy"),
                    "--input", "key_padding_mask=" + tmp.resolve("key_padding_mask.npy"),
                    "--average-attn-weights", "false", "--output", outDir.toString(), "--output-format", "npy",
                    "--backend", "java"), out));
            Map<String, Tensor> want = SafeTensors.open(dir.resolve("outputs.safetensors"), arena).tensors();
            close("npy attn_output", Npy.read(outDir.resolve("attn_output.npy"), arena), want.get("attn_output"));
            close("npy attn_output_weights", Npy.read(outDir.resolve("attn_output_weights.npy"), arena),
                    want.get("attn_output_weights"));
            // need_weights=false: no weights file, the same output from the fused kernel
            Path noWeights = tmp.resolve("no-weights.safetensors");
            assertEquals(0, run(List.of("--model", dir.resolve("model.safetensors").toString(), "--inputs",
                    dir.resolve("inputs.safetensors").toString(), "--need-weights", "false", "--output", noWeights.toString()), out));
            Map<String, Tensor> got = SafeTensors.open(noWeights, arena).tensors();
            assertFalse(got.containsKey("attn_output_weights"));
            close("fused attn_output", got.get("attn_output"), want.get("attn_output"));
        }
    }

    @Test
    void usageErrorsNameTheProblem() throws IOException {
        Path dir = GOLDEN.resolve("enc_post_relu");
        Path model = dir.resolve("model.safetensors");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        UsageException e = assertThrows(UsageException.class, () -> run(List.of("--model", model.toString(), "--inputs",
                GOLDEN.resolve("mha_self").resolve("inputs.safetensors").toString(), "--output", tmp.resolve("x").toString()), out));
        assertTrue(e.getMessage().contains("unexpected tensor query"), e.getMessage());
        e = assertThrows(UsageException.class, () -> run(List.of("--model", model.toString(), "--output",
                tmp.resolve("y").toString()), out));
        assertTrue(e.getMessage().contains("missing src"), e.getMessage());
        ModuleClass encoder = ModuleClasses.of("TransformerEncoderLayer");
        e = assertThrows(UsageException.class, () -> RunCommand.forwardKwargs("{\"need_weights\": true}", encoder));
        assertTrue(e.getMessage().contains("unknown argument need_weights"), e.getMessage());
        e = assertThrows(UsageException.class, () -> RunCommand.forwardKwargs("{\"is_causal\": 1}", encoder));
        assertTrue(e.getMessage().contains("expected true or false"), e.getMessage());
        e = assertThrows(UsageException.class, () -> run(List.of("--model", model.toString(), "--inputs",
                dir.resolve("inputs.safetensors").toString(), "--need-weights", "false", "--output", tmp.resolve("z").toString()),
                out));
        assertTrue(e.getMessage().contains("has no need_weights option"), e.getMessage());
        Path cosine = RESOURCES.resolve("golden-family-ref").resolve("cosine_sim");
        e = assertThrows(UsageException.class, () -> run(List.of("--model", cosine.resolve("model.safetensors").toString(),
                "--inputs", cosine.resolve("inputs.safetensors").toString(), "--x", tmp.resolve("x.npy").toString(),
                "--output", tmp.resolve("w").toString()), out));
        assertTrue(e.getMessage().contains("not both"), e.getMessage());
    }
}
