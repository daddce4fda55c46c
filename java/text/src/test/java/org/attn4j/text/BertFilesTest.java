package org.attn4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.io.SafeTensors;
import org.attn4j.io.SafeTensorsFile;
import org.attn4j.text.onnx.OnnxFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second BERT configuration (tools/bert/make_bert_fixture.py: 3 layers, hidden 48, 3 heads,
 * intermediate 100, 3 token types, eps 1e-6, random weights) loads equal from its HuggingFace
 * safetensors (bert. prefix, pooler) and its ONNX export, and equals PyTorch's output; bad
 * files and graphs give clear errors.
 */
class BertFilesTest {
    private static final BertConfig TINY = new BertConfig(1000, 48, 3, 3, 100, 40, 3, 1e-6f);

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(BertFilesTest.class.getResource("/bert-tiny/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void safetensorsAndOnnxLoadEqualAndMatchPyTorch() throws IOException {
        try (BertModel fromSt = BertModel.fromSafeTensors(fixture("model.safetensors").getParent(), Backends.defaultBackend());
             BertModel fromOnnx = BertModel.fromOnnx(fixture("model.onnx"), Backends.defaultBackend());
             Arena arena = Arena.ofConfined()) {
            assertEquals(TINY, fromSt.config());
            assertEquals(TINY, fromOnnx.config());
            Map<String, Tensor> a = fromSt.stateDict();
            Map<String, Tensor> b = fromOnnx.stateDict();
            assertEquals(a.keySet(), b.keySet());
            for (String k : a.keySet()) {
                assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), 0f, k);
            }
            SafeTensorsFile golden = SafeTensors.open(fixture("golden.safetensors"), arena);
            TokenBatch batch = golden(golden);
            float[] expected = golden.tensor("last_hidden_state").toFloatArray();
            float[] st = fromSt.lastHiddenState(arena, batch).toFloatArray();
            float[] onnx = fromOnnx.lastHiddenState(arena, batch).toFloatArray();
            assertArrayEquals(st, onnx, 0f);
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], st[k], 1e-4, "element " + k);
            }
        }
    }

    @Test
    void stateDictWithoutPrefixRoundTrips() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("plain"));
        try (BertModel a = BertModel.fromOnnx(fixture("model.onnx"), Backends.defaultBackend()); Arena arena = Arena.ofConfined()) {
            a.save(dir.resolve("model.safetensors")); // HuggingFace names without the bert. prefix
            Files.writeString(dir.resolve("config.json"), a.config().toJson());
            try (BertModel b = BertModel.fromSafeTensors(dir, Backends.defaultBackend())) {
                assertEquals(a.config(), b.config());
                SafeTensorsFile golden = SafeTensors.open(fixture("golden.safetensors"), arena);
                assertArrayEquals(a.lastHiddenState(arena, golden(golden)).toFloatArray(),
                        b.lastHiddenState(arena, golden(golden)).toFloatArray(), 0f);
            }
        }
    }

    private static TokenBatch golden(SafeTensorsFile f) {
        float[] ids = f.tensor("input_ids").toFloatArray();
        float[] types = f.tensor("token_type_ids").toFloatArray();
        float[] mask = f.tensor("attention_mask").toFloatArray();
        int b = (int) f.tensor("input_ids").shape(0);
        int s = (int) f.tensor("input_ids").shape(1);
        int[] id = new int[b * s];
        int[] type = new int[b * s];
        int[] lengths = new int[b];
        for (int k = 0; k < id.length; k++) {
            id[k] = (int) ids[k];
            type[k] = (int) types[k];
            lengths[k / s] += (int) mask[k];
        }
        return new TokenBatch(b, s, id, type, lengths);
    }

    @Test
    void graphsWithOtherOperatorsAreRefused() {
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> BertModel.fromOnnx(fixture("relu.onnx"), Backends.defaultBackend()));
        assertTrue(e.getMessage().contains("is a Relu") && e.getMessage().contains("does not understand"), e.getMessage());
    }

    @Test
    void truncatedAndForeignFilesAreRefused() throws IOException {
        byte[] onnx = Files.readAllBytes(fixture("model.onnx"));
        for (int cut : new int[] {1, 7, 100, 5000, onnx.length / 2, onnx.length - 3}) {
            Path p = tmp.resolve("cut" + cut + ".onnx");
            Files.write(p, Arrays.copyOf(onnx, cut));
            Exception e = assertThrows(IllegalArgumentException.class, () -> BertModel.fromOnnx(p, Backends.defaultBackend()),
                    "cut at " + cut);
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        }
        Path empty = tmp.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        assertTrue(assertThrows(OnnxFormatException.class, () -> BertModel.fromOnnx(empty, Backends.defaultBackend()))
                .getMessage().contains("empty file"));
        // a safetensors file is not an ONNX model
        Exception foreign = assertThrows(IllegalArgumentException.class,
                () -> BertModel.fromOnnx(fixture("model.safetensors"), Backends.defaultBackend()));
        assertTrue(foreign.getMessage().contains("model.safetensors"), foreign.getMessage());
        // a safetensors checkpoint without config.json
        Path lone = tmp.resolve("lone.safetensors");
        Files.copy(fixture("model.safetensors"), lone);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BertModel.fromSafeTensors(lone, Backends.defaultBackend()))
                .getMessage().contains("config.json"));
        // a config.json that disagrees with the weights
        Path dir = Files.createDirectories(tmp.resolve("wrong"));
        Files.copy(fixture("model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), new BertConfig(1000, 48, 3, 4, 100, 40, 3, 1e-6f).toJson()
                .replace("\"hidden_size\":48", "\"hidden_size\":64"));
        Exception wrong = assertThrows(IllegalArgumentException.class, () -> BertModel.fromSafeTensors(dir, Backends.defaultBackend()));
        assertTrue(wrong.getMessage().contains("expected shape"), wrong.getMessage());
    }

    @Test
    void badBatchesAreRefused() throws IOException {
        try (BertModel m = BertModel.fromOnnx(fixture("model.onnx"), Backends.defaultBackend()); Arena arena = Arena.ofConfined()) {
            TokenBatch outOfVocab = new TokenBatch(1, 2, new int[] {1, 1000}, new int[2], new int[] {2});
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.lastHiddenState(arena, outOfVocab))
                    .getMessage().contains("[0, 1000)"));
            TokenBatch tooLong = new TokenBatch(1, 41, new int[41], new int[41], new int[] {41});
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.lastHiddenState(arena, tooLong))
                    .getMessage().contains("40 positions"));
            assertThrows(IllegalArgumentException.class, () -> new TokenBatch(1, 2, new int[2], new int[2], new int[] {0}));
        }
    }
}
