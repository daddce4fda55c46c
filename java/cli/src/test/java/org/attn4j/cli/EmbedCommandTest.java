package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.attn4j.Tensor;
import org.attn4j.internal.io.Json;
import org.attn4j.io.Npy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * attn4j embed and the token heatmap on a small BERT: attn4j-text's test checkpoint (random
 * weights, tools/bert/make_bert_fixture.py) with a WordPiece tokenizer.json written here for its
 * 1000-token vocabulary.
 */
class EmbedCommandTest {
    private static final Path CHECKPOINT = Path.of("../text/src/test/resources/bert-tiny"); // from java/cli

    @TempDir
    Path tmp;
    private Path model;

    @BeforeEach
    void checkpoint() throws IOException {
        model = Files.createDirectories(tmp.resolve("bert"));
        Files.copy(CHECKPOINT.resolve("model.safetensors"), model.resolve("model.safetensors"));
        Files.copy(CHECKPOINT.resolve("config.json"), model.resolve("config.json"));
        StringBuilder vocab = new StringBuilder("\"[PAD]\":0,\"[UNK]\":1,\"[CLS]\":2,\"[SEP]\":3,\".\":4");
        for (int i = 5; i < 1000; i++) {
            vocab.append(",\"w").append(i).append("\":").append(i);
        }
        Files.writeString(model.resolve("tokenizer.json"), """
                {"version":"1.0","truncation":{"direction":"Right","max_length":16,"strategy":"LongestFirst","stride":0},
                 "padding":null,"added_tokens":[{"id":0,"content":"[PAD]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
                 "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true},
                 "pre_tokenizer":{"type":"BertPreTokenizer"},
                 "post_processor":{"type":"BertProcessing","sep":["[SEP]",3],"cls":["[CLS]",2]},
                 "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":100,
                          "vocab":{%s}}}""".formatted(vocab));
    }

    private int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void textsToNpy() throws IOException {
        Path npy = tmp.resolve("out.npy");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(out, err, "embed", "--model", model.toString(), "--text", "W5 w6 w7.", "--text", "", "--output", npy.toString(),
                "--threads", "1");
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Npy.read(npy, arena);
            assertArrayEquals(new long[] {2, 48}, t.shape());
            float[] v = t.toFloatArray();
            for (int r = 0; r < 2; r++) {
                double norm = 0;
                for (int c = 0; c < 48; c++) {
                    norm += v[r * 48 + c] * v[r * 48 + c];
                }
                assertEquals(1.0, Math.sqrt(norm), 1e-5);
            }
        }
    }

    @Test
    void fileToJsonl() throws IOException {
        Path lines = tmp.resolve("lines.txt");
        Files.write(lines, List.of("w10 w11", "w12 w13 w14 w15", "", "an unknown word"));
        Path jsonl = tmp.resolve("out.jsonl");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(out, err, "embed", "--model", model.toString(), "--input", lines.toString(), "--output", jsonl.toString(),
                "--threads", "1"), err.toString(StandardCharsets.UTF_8));
        List<String> rows = Files.readAllLines(jsonl);
        assertEquals(4, rows.size());
        Object first = Json.parse(rows.get(1));
        assertEquals("w12 w13 w14 w15", ((java.util.Map<?, ?>) first).get("text"));
        assertEquals(48, ((List<?>) ((java.util.Map<?, ?>) first).get("embedding")).size());
    }

    @Test
    void tokenHeatmap() throws IOException {
        Path png = tmp.resolve("heat.png");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, run(out, err, "heatmap", "--model", model.toString(), "--text", "w5 w6 w7", "--pair", "w8", "--layer", "2",
                "--head", "1", "--png", png.toString(), "--threads", "1"), err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.size(png) > 1000);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("7 tokens"), out.toString(StandardCharsets.UTF_8));
        assertEquals(2, run(out, err, "heatmap", "--model", model.toString(), "--text", "w5", "--layer", "3", "--png", png.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--layer: expected < 3"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badArguments() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(out, err, "embed", "--model", model.toString(), "--output", tmp.resolve("x.csv").toString(), "--text", "a"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(".npy or .jsonl"));
        assertEquals(2, run(out, err, "embed", "--model", tmp.resolve("missing.onnx").toString(), "--tokenizer", "t.json", "--text", "a",
                "--output", tmp.resolve("x.npy").toString()));
        assertEquals(2, run(out, err, "embed", "--model", model.toString(), "--output", tmp.resolve("x.npy").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--text"));
    }
}
