package org.attn4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.attn4j.Backend;
import org.attn4j.text.SentenceEmbedder;

/**
 * The {@code --model} / {@code --tokenizer} options of the text commands: an ONNX export (with
 * its tokenizer.json), a HuggingFace checkpoint directory (model.safetensors, config.json,
 * tokenizer.json), or {@code all-minilm-l6-v2} from LangChain4j's jar on the class path.
 */
final class TextModels {
    static final String MINILM = "all-minilm-l6-v2";

    private TextModels() {
    }

    static SentenceEmbedder.Builder builder(String model, String tokenizer, Backend backend) {
        SentenceEmbedder.Builder b = SentenceEmbedder.builder().backend(backend);
        if (model.equals(MINILM)) {
            return b.classPath(SentenceEmbedder.MINILM_ONNX, SentenceEmbedder.MINILM_TOKENIZER);
        }
        Path p = Path.of(model);
        if (Files.isDirectory(p) || model.endsWith(".safetensors")) {
            if (!Files.exists(p)) {
                throw new UsageException("--model: no such file or directory: " + model);
            }
            b.safetensors(p);
        } else {
            b.onnx(RunCommand.existing(model, "--model"));
            if (tokenizer == null) {
                throw new UsageException("--tokenizer: required with an ONNX model (its tokenizer.json)");
            }
        }
        if (tokenizer != null) {
            b.tokenizer(RunCommand.existing(tokenizer, "--tokenizer"));
        }
        return b;
    }

    static SentenceEmbedder load(String model, String tokenizer, Backend backend) throws IOException {
        return builder(model, tokenizer, backend).build();
    }
}
