package org.attn4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.text.SentenceEmbedder;

/**
 * Where executors find a sentence-embedding model: an ONNX export or a HuggingFace
 * .safetensors checkpoint, and a tokenizer.json, as paths every executor can read or, with the
 * prefix {@value #CLASS_PATH}, as class-path resources of a jar the application ships (e.g.
 * LangChain4j's all-MiniLM-L6-v2 artifact).
 */
record TextModelSource(String modelPath, String tokenizerPath, int maxBatch) implements Serializable {
    /** Prefix of a class-path resource name. */
    static final String CLASS_PATH = "classpath:";

    /** Identifies the model in this JVM: resource names, or paths with size and modification time. */
    String key() throws IOException {
        return "text:" + identity(modelPath) + "|" + identity(tokenizerPath) + "|maxBatch=" + maxBatch;
    }

    private static String identity(String location) throws IOException {
        if (location == null || location.startsWith(CLASS_PATH)) {
            return String.valueOf(location);
        }
        Path p = existing(location);
        return p.toAbsolutePath().normalize() + ":" + Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis();
    }

    /** Loads the embedder on a native backend of {@code threads} threads that it owns. */
    LoadedEmbedder load(int threads) throws IOException {
        Backend backend = Backends.nativeBackend(threads);
        try {
            SentenceEmbedder.Builder b = SentenceEmbedder.builder().backend(backend)
                    .batches(maxBatch, SentenceEmbedder.DEFAULT_MAX_BATCH_TOKENS);
            if (modelPath.startsWith(CLASS_PATH)) {
                if (tokenizerPath == null || !tokenizerPath.startsWith(CLASS_PATH)) {
                    throw new IllegalArgumentException("tokenizerPath: a class-path model needs a class-path tokenizer ("
                            + CLASS_PATH + "...), got " + tokenizerPath);
                }
                b.classPath(modelPath.substring(CLASS_PATH.length()), tokenizerPath.substring(CLASS_PATH.length()));
            } else {
                Path model = existing(modelPath);
                if (model.toString().endsWith(".onnx")) {
                    b.onnx(model);
                } else {
                    b.safetensors(model);
                }
                if (tokenizerPath != null) {
                    b.tokenizer(existing(tokenizerPath));
                }
            }
            return new LoadedEmbedder(b.build(), backend);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    private static Path existing(String location) throws IOException {
        Path p = Path.of(location);
        if (!Files.exists(p)) {
            throw new IOException(location + ": no such file on this host (give a path every executor can read, or "
                    + CLASS_PATH + "<resource> in a jar the application ships)");
        }
        return p;
    }

    @Override
    public String toString() {
        return modelPath + (tokenizerPath == null ? "" : " + " + tokenizerPath);
    }

    /** An embedder and the backend it computes on; closing closes both. */
    record LoadedEmbedder(SentenceEmbedder embedder, Backend backend) implements AutoCloseable {
        @Override
        public void close() {
            try {
                embedder.close();
            } finally {
                backend.close();
            }
        }
    }
}
