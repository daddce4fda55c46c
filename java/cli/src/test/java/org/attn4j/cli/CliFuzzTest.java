package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.io.Npy;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Jazzer fuzz target for {@code attn4j run}'s argument and file handling: command lines drawn
 * from the real options, fuzzed values and files (a valid model and inputs, files holding fuzzed
 * bytes, missing paths). Every run must end in an exit code with, on failure, exactly one line
 * "attn4j: ..." on stderr and no stack trace; an escaping exception or a crash is a finding.
 * Outputs only ever go to this test's temporary folder.
 *
 * <p>{@code mvn verify} replays the seeds under src/test/resources/org/attn4j/cli/CliFuzzTestInputs/;
 * fuzz for real with {@code JAZZER_FUZZ=1 mvn -pl java/cli -am test-compile surefire:test -Dtest=CliFuzzTest}.
 */
class CliFuzzTest {
    private static final String[] OPTIONS = {"--model", "--inputs", "--output", "--output-format", "--threads", "--backend",
        "--path", "--x", "--context", "--mask", "--context-mask", "--rel-pos-bias", "--return-attn", "--no-return-attn",
        "--verbose", "run", "info", "help", "--help", "-h"};
    private static final String[] VALUES = {"safetensors", "npy", "native", "java", "auto", "fused", "materialised", "1",
        "2", "0", "-1", "99999999999", "", " ", "--"};
    private static Path dir;
    private static Path model;
    private static Path x;
    private static Path context;

    @BeforeAll
    static void files() throws IOException {
        dir = Files.createTempDirectory("attn4j-cli-fuzz");
        model = dir.resolve("model.safetensors");
        x = dir.resolve("x.npy");
        context = dir.resolve("context.npy");
        try (BidirectionalCrossAttention m = BidirectionalCrossAttention.builder().dim(6).contextDim(5).heads(2).dimHead(3)
                .build(Backends.javaReference(), 1); Arena arena = Arena.ofConfined()) {
            m.save(model);
            Npy.write(x, Tensor.randn(arena, 2, 1, 3, 6));
            Npy.write(context, Tensor.randn(arena, 3, 1, 4, 5));
        }
    }

    @AfterAll
    static void clean() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @FuzzTest(maxDuration = "10s")
    void run(FuzzedDataProvider data) throws IOException {
        Path fuzzed = dir.resolve("fuzzed.bin");
        Files.write(fuzzed, data.consumeBytes(data.consumeInt(0, 4096)));
        String[] files = {model.toString(), x.toString(), context.toString(), fuzzed.toString(),
            dir.resolve("missing.npy").toString(), dir.toString()};
        String[] outputs = {dir.resolve("out.safetensors").toString(), dir.resolve("outdir").toString(), dir.toString(),
            model.toString().replace("model", "out2")};
        List<String> args = new ArrayList<>(List.of("run"));
        int n = data.consumeInt(0, 14);
        for (int k = 0; k < n; k++) {
            args.add(switch (data.consumeInt(0, 4)) {
                case 0, 1 -> data.pickValue(OPTIONS);
                case 2 -> data.pickValue(files);
                case 3 -> data.pickValue(VALUES);
                default -> data.consumeString(12);
            });
            if (args.get(args.size() - 1).equals("--output")) { // never let the fuzzer name a place to write
                args.add(data.pickValue(outputs));
                k++;
            }
        }
        boolean verbose = args.contains("--verbose");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String e = err.toString(StandardCharsets.UTF_8);
        String line = String.join(" ", args);
        assertTrue(code == 0 || code == 1 || code == 2, line + " -> exit " + code);
        if (code != 0) {
            assertTrue(e.startsWith("attn4j: "), line + " -> " + e);
            if (!verbose) {
                // One line is also "no stack trace" (a fuzzed argument echoed in the message may contain "\tat ").
                assertEquals(1, e.strip().lines().count(), line + " -> " + e);
            }
        }
    }
}
