package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.Tensor;
import org.attn4j.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attn4j consistency} on the top-k golden model: one line per head, values in [0, ln 2],
 * the same output for the same seed, and the exit code 2 with one line for bad arguments and
 * for model classes without attention maps.
 */
class ConsistencyCommandTest {
    private static final Path GOLDEN = Path.of("..", "core", "src", "test", "resources");
    private static final Path MODEL = GOLDEN.resolve("golden-family-scoring/consistency_topk/model.safetensors");

    @TempDir
    Path tmp;

    /** The golden's inputs without its noise draws. */
    private Path inputs() throws IOException {
        Path file = tmp.resolve("inputs.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> all = SafeTensors.open(MODEL.resolveSibling("inputs.safetensors"), arena).tensors();
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("x", all.get("x"));
            in.put("key_padding_mask", all.get("key_padding_mask"));
            SafeTensors.write(file, in, Map.of());
        }
        return file;
    }

    private static int main(List<String> args, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void printsOneLinePerHeadReproducibly() throws IOException {
        List<String> args = List.of("consistency", "--model", MODEL.toString(), "--inputs", inputs().toString(), "--noise",
                "0.05", "--samples", "3", "--seed", "11", "--threads", "2");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, main(args, out, err), err.toString(StandardCharsets.UTF_8));
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(3, lines.length, out.toString(StandardCharsets.UTF_8)); // a header and two heads
        assertTrue(lines[0].startsWith("TopKAttention(") && lines[0].contains("nats"), lines[0]);
        for (int h = 0; h < 2; h++) {
            assertTrue(lines[h + 1].startsWith("weights head " + h + ": "), lines[h + 1]);
            double v = Double.parseDouble(lines[h + 1].substring(lines[h + 1].indexOf(": ") + 2));
            assertTrue(v > 0 && v <= Math.log(2), lines[h + 1]);
        }
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertEquals(0, main(args, again, new ByteArrayOutputStream()));
        assertEquals(out.toString(StandardCharsets.UTF_8), again.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badArgumentsExitTwoWithOneLine() throws IOException {
        String in = inputs().toString();
        Path encoder = GOLDEN.resolve("golden-family/enc_post_relu/model.safetensors");
        List<List<String>> bad = List.of(
                List.of("consistency", "--model", MODEL.toString(), "--inputs", in, "--noise", "-1"),
                List.of("consistency", "--model", MODEL.toString(), "--inputs", in, "--samples", "0"),
                List.of("consistency", "--model", MODEL.toString(), "--inputs", in, "--seed", "x"),
                List.of("consistency", "--model", MODEL.toString()),
                List.of("consistency", "--model", tmp.resolve("missing.safetensors").toString(), "--inputs", in),
                List.of("consistency", "--model", MODEL.toString(), "--inputs", MODEL.toString()),
                List.of("consistency", "--model", encoder.toString(), "--inputs", in));
        for (List<String> args : bad) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertEquals(2, main(args, new ByteArrayOutputStream(), err), args + ": " + err);
            String e = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, e.strip().lines().count(), args + ": " + e);
            assertTrue(e.startsWith("attn4j: "), e);
        }
    }
}
