package org.attn4j.text;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.io.SafeTensors;
import org.attn4j.io.SafeTensorsFile;

/**
 * A BERT encoder's configuration and parameters under HuggingFace's names without the
 * {@code bert.} prefix ({@code embeddings.word_embeddings.weight},
 * {@code encoder.layer.0.attention.self.query.weight}, ...), read from a safetensors state dict
 * or an ONNX export. The data stays in the file's mapping (the caller's arena) until
 * {@link BertModel} copies it.
 */
final class BertWeights {
    final BertConfig config;
    final Map<String, Weight> weights;

    BertWeights(BertConfig config, Map<String, Weight> weights) {
        this.config = config;
        this.weights = weights;
    }

    /**
     * A HuggingFace BERT checkpoint: {@code file} is a .safetensors file, or a directory with
     * {@code model.safetensors}; the configuration comes from the config.json beside it.
     */
    static BertWeights fromSafeTensors(Path file, Arena arena) throws IOException {
        Path st = Files.isDirectory(file) ? file.resolve("model.safetensors") : file;
        Path configFile = st.resolveSibling("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException(st + ": expected a HuggingFace config.json beside it (for the number of heads), found none");
        }
        BertConfig config = BertConfig.fromJson(Files.readString(configFile, StandardCharsets.UTF_8), configFile.toString());
        SafeTensorsFile f = SafeTensors.open(st, arena);
        Map<String, Weight> w = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : f.tensors().entrySet()) {
            String name = e.getKey().startsWith("bert.") ? e.getKey().substring(5) : e.getKey();
            Tensor t = e.getValue();
            if (!t.isContiguous()) {
                throw new IllegalArgumentException(st + " " + e.getKey() + ": expected a contiguous tensor");
            }
            if (t.dtype() != DType.F32) {
                t = t.to(DType.F32, arena); // F16 / BF16 checkpoints compute in F32
            }
            MemorySegment data = t.segment().asSlice(0, t.byteSize());
            w.put(name, new Weight(st.getFileName() + " " + e.getKey(), data, t.shape(), false));
        }
        return new BertWeights(config, w);
    }

    /** Names not used by the encoder (pooler, heads, position_ids), for messages. */
    static boolean unused(String name) {
        return name.startsWith("pooler.") || name.startsWith("cls.") || name.endsWith("position_ids");
    }

    /** Names the file has, sorted, for error messages. */
    String names() {
        return new TreeSet<>(weights.keySet()).toString();
    }
}
