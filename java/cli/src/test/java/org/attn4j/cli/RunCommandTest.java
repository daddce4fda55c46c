package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.attn4j.Tensor;
import org.attn4j.io.Npy;
import org.attn4j.io.SafeTensors;
import org.attn4j.io.SafeTensorsFile;
import org.attn4j.nn.BidirectionalOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code attn4j run} on every golden case, over safetensors and .npy, and its bad-input contract. */
class RunCommandTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    static Result main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The PyTorch golden case {name}, in java/core's test resources (this module's folder is java/cli). */
    static Path golden(String name) {
        Path p = Path.of("..", "core", "src", "test", "resources", "golden", name);
        assertTrue(Files.isDirectory(p), "golden case not found: " + p.toAbsolutePath());
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"bca_basic", "bca_masks", "bca_talking_prenorm", "bcat_depth2"})
    void runMatchesTheGoldens(String name) throws IOException {
        Path dir = golden(name);
        Path output = tmp.resolve(name + ".safetensors");
        Result r = main("run", "--model", dir.resolve("model.safetensors").toString(), "--inputs",
                dir.resolve("inputs.safetensors").toString(), "--output", output.toString(), "--threads", "2");
        assertEquals(0, r.code(), r.err());
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> got = SafeTensors.open(output, arena).tensors();
            SafeTensorsFile want = SafeTensors.open(dir.resolve("outputs.safetensors"), arena);
            // forward_kwargs of the inputs asks for return_attn exactly where the goldens hold attn
            assertEquals(want.tensors().keySet(), got.keySet());
            for (String key : want.tensors().keySet()) {
                assertClose(name + " " + key, got.get(key), want.tensor(key), 1e-5, 1e-4);
            }
        }
    }

    @Test
    void runTakesNpyInputsAndWritesNpy() throws IOException {
        Path dir = golden("bca_masks");
        Path outDir = tmp.resolve("npy-out");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile inputs = SafeTensors.open(dir.resolve("inputs.safetensors"), arena);
            List<String> args = new ArrayList<>(List.of("run", "--model", dir.resolve("model.safetensors").toString(),
                    "--output", outDir.toString(), "--output-format", "npy", "--return-attn"));
            for (String[] pair : new String[][] {{"x", "--x"}, {"context", "--context"}, {"mask", "--mask"},
                {"context_mask", "--context-mask"}}) {
                Path p = tmp.resolve(pair[0] + ".npy");
                Npy.write(p, inputs.tensor(pair[0]));
                args.add(pair[1]);
                args.add(p.toString());
            }
            Result r = main(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            SafeTensorsFile want = SafeTensors.open(dir.resolve("outputs.safetensors"), arena);
            for (String key : List.of("out", "context_out", "attn", "context_attn")) {
                assertClose(key, Npy.read(outDir.resolve(key + ".npy"), arena), want.tensor(key), 1e-5, 1e-4);
            }
        }
    }

    @Test
    void badInputsExitWithTwoAndOneLine() throws IOException {
        Path dir = golden("bca_basic");
        Path garbage = tmp.resolve("garbage.safetensors");
        Files.write(garbage, new byte[] {1, 2, 3});
        Path truncated = tmp.resolve("truncated.safetensors");
        byte[] model = Files.readAllBytes(dir.resolve("model.safetensors"));
        Files.write(truncated, java.util.Arrays.copyOf(model, model.length - 100));
        String m = dir.resolve("model.safetensors").toString();
        String in = dir.resolve("inputs.safetensors").toString();
        String out = tmp.resolve("o.safetensors").toString();
        String[][] cases = {
            {"run", "--model", garbage.toString(), "--inputs", in, "--output", out},
            {"run", "--model", truncated.toString(), "--inputs", in, "--output", out},
            {"run", "--model", m, "--inputs", garbage.toString(), "--output", out},
            {"run", "--model", m, "--inputs", m, "--output", out},                 // a model is not an inputs file
            {"run", "--model", in, "--inputs", in, "--output", out},               // inputs carry no class
            {"run", "--model", m, "--inputs", in},                                 // no --output
            {"run", "--model", tmp.resolve("missing").toString(), "--inputs", in, "--output", out},
            {"run", "--model", m, "--inputs", in, "--output", out, "--threads", "0"},
            {"run", "--model", m, "--inputs", in, "--output", out, "--bogus"},
            {"run", "--model", m, "--inputs", in, "--output", out, "--path", "sideways"},
            {"frobnicate"},
        };
        for (String[] c : cases) {
            Result r = main(c);
            String line = String.join(" ", c);
            assertEquals(2, r.code(), line + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), line + " -> " + r.err());
            assertTrue(r.err().startsWith("attn4j: "), r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
        }
        Result verbose = main("run", "--model", garbage.toString(), "--inputs", in, "--output", out, "--verbose");
        assertEquals(2, verbose.code());
        assertTrue(verbose.err().contains("\tat "), "a stack trace with --verbose");
    }

    @Test
    void flagsOverrideForwardKwargs() throws IOException {
        Path dir = golden("bca_basic");                 // its forward_kwargs say return_attn: true
        Path output = tmp.resolve("o.safetensors");
        Result r = main("run", "--model", dir.resolve("model.safetensors").toString(), "--inputs",
                dir.resolve("inputs.safetensors").toString(), "--output", output.toString(), "--no-return-attn");
        assertEquals(0, r.code(), r.err());
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile o = SafeTensors.open(output, arena);
            assertTrue(o.contains("out"));
            assertFalse(o.contains("attn"));
        }
        Result both = main("run", "--model", dir.resolve("model.safetensors").toString(), "--inputs",
                dir.resolve("inputs.safetensors").toString(), "--output", output.toString(), "--return-attn",
                "--no-return-attn");
        assertEquals(2, both.code());
    }

    /** run prints the path the bidirectional modules' forward took: AUTO's choice by the shape, or the one asked for. */
    @ParameterizedTest
    @ValueSource(strings = {"bca_masks", "bcat_depth2"})
    void runPrintsThePathTaken(String name) throws IOException {
        Path dir = golden(name);
        Path output = tmp.resolve("o.safetensors");
        String expected;
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile in = SafeTensors.open(dir.resolve("inputs.safetensors"), arena);
            SafeTensorsFile model = SafeTensors.open(dir.resolve("model.safetensors"), arena);
            long[] x = in.tensor("x").shape();
            long[] context = in.tensor("context").shape();
            // the public rule, with the heads the model file declares
            expected = BidirectionalOptions.DEFAULT.pathFor(x[0], Long.parseLong(model.metadata().get("heads")), x[1],
                    context[1]).name().toLowerCase(java.util.Locale.ROOT);
        }
        String[] run = {"run", "--model", dir.resolve("model.safetensors").toString(), "--inputs",
                dir.resolve("inputs.safetensors").toString(), "--output", output.toString(), "--no-return-attn"};
        String[] args = name.startsWith("bcat") ? java.util.Arrays.copyOf(run, run.length - 1) : run;
        Result auto = main(args);
        assertEquals(0, auto.code(), auto.err());
        assertEquals(List.of("path: " + expected + " (auto: by the shape)"),
                auto.out().lines().skip(1).toList(), auto.out());
        List<String> fused = new ArrayList<>(List.of(args));
        fused.addAll(List.of("--path", "fused"));
        Result asked = main(fused.toArray(String[]::new));
        assertEquals(0, asked.code(), asked.err());
        assertEquals(List.of("path: fused (asked)"), asked.out().lines().skip(1).toList(), asked.out());
    }

    /** demo prints the path AUTO takes for its shapes: materialised at 8 × 4096, fused at 16 × 16 and 256 × 512 (8 heads). */
    @Test
    void demoPrintsThePathTaken() {
        for (String[] size : new String[][] {{"8", "4096", "materialised"}, {"16", "16", "fused"}, {"256", "512", "fused"}}) {
            Result r = main("demo", "--threads", "2", "--repeat", "1", "--video-length", size[0], "--audio-length", size[1]);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().lines().anyMatch(("  path     " + size[2] + " (auto: by the shape)")::equals), r.out());
            assertTrue(r.out().contains(", " + size[2] + " path, 2 threads"), r.out());
        }
    }

    static void assertClose(String what, Tensor got, Tensor want, double atol, double rtol) {
        assertArrayEquals(want.shape(), got.shape(), what);
        float[] g = got.toFloatArray();
        float[] w = want.toFloatArray();
        for (int k = 0; k < g.length; k++) {
            int at = k;
            assertTrue(Math.abs(g[k] - w[k]) <= atol + rtol * Math.abs(w[k]),
                    () -> what + "[" + at + "]: got " + g[at] + ", want " + w[at]);
        }
    }
}
