package org.attn4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sentence embeddings equal to LangChain4j's AllMiniLmL6V2EmbeddingModel, and the embedder's contract. */
class SentenceEmbedderTest {
    private static SentenceEmbedder embedder;

    @BeforeAll
    static void load() throws IOException {
        embedder = SentenceEmbedder.allMiniLmL6V2();
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void embeddingsEqualLangChain4j() {
        // LangChain4j refuses blank texts (TextSegment); the empty text is checked in emptyAndHugeTexts…
        List<String> texts = Corpus.texts(221, 5).stream().filter(t -> !t.isBlank()).toList();
        AllMiniLmL6V2EmbeddingModel lc4j = new AllMiniLmL6V2EmbeddingModel();
        List<float[]> mine = embedder.embed(texts);
        double worst = 1;
        for (int i = 0; i < texts.size(); i++) {
            float[] expected = lc4j.embed(texts.get(i)).content().vector();
            double cos = Similarity.cosine(expected, mine.get(i));
            worst = Math.min(worst, cos);
            assertTrue(cos >= 0.99999, "text " + i + " \"" + abbreviate(texts.get(i)) + "\": cosine " + cos);
        }
        System.out.printf("embeddings vs LangChain4j: %d texts, lowest cosine %.8f%n", texts.size(), worst);
    }

    @Test
    void oneAtATimeEqualsBatched() {
        List<String> texts = Corpus.texts(Corpus.HAND.size() + 4, 9).subList(Corpus.HAND.size() - 6, Corpus.HAND.size() + 4);
        List<float[]> batched = embedder.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] single = embedder.embed(texts.get(i));
            assertTrue(Similarity.cosine(single, batched.get(i)) >= 0.999999, "text " + i);
            assertEquals(384, single.length);
        }
    }

    @Test
    void intoCallersSegment() {
        List<String> texts = List.of("first text", "a second, longer text with more tokens in it", "");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(3L * 384 * 4);
            embedder.embed(texts, out);
            List<float[]> expected = embedder.embed(texts);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(expected.get(i), out.asSlice(i * 384L * 4, 384L * 4).toArray(ValueLayout.JAVA_FLOAT));
            }
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> embedder.embed(texts, arena.allocate(100)));
            assertTrue(small.getMessage().contains("4608 bytes"), small.getMessage());
        }
    }

    @Test
    void emptyAndHugeTextsGiveUnitVectors() {
        float[] empty = embedder.embed("");
        float[] huge = embedder.embed("word and more words ".repeat(5000).substring(0, 100_000));
        assertEquals(1.0, norm(empty), 1e-5);
        assertEquals(1.0, norm(huge), 1e-5);
        assertEquals(0, embedder.embed(List.of()).size());
        assertThrows(IllegalArgumentException.class, () -> embedder.embed((String) null));
        assertThrows(IllegalArgumentException.class, () -> embedder.embed(java.util.Arrays.asList("a", null)));
    }

    @Test
    void builderRejectsBadSettingsAtTheCallThatMadeThem() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().build());
        assertTrue(none.getMessage().contains("model source"), none.getMessage());
        SentenceEmbedder.Builder onnx = SentenceEmbedder.builder().onnx(java.nio.file.Path.of("model.onnx"));
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
                () -> onnx.classPath(SentenceEmbedder.MINILM_ONNX, SentenceEmbedder.MINILM_TOKENIZER));
        assertTrue(two.getMessage().contains("exactly one model source"), two.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().onnx(null));
        assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().classPath(SentenceEmbedder.MINILM_ONNX, null));
        assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().pooling(null));
        assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().batches(0, 4096));
        assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().batches(32, 0));
    }

    @Test
    void threadsShareOneEmbedder() throws Exception {
        List<String> texts = Corpus.texts(Corpus.HAND.size() + 24, 13).subList(Corpus.HAND.size(), Corpus.HAND.size() + 24);
        List<float[]> expected = embedder.embed(texts);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<float[]>>> futures = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                futures.add(pool.submit(() -> embedder.embed(texts)));
            }
            for (Future<List<float[]>> f : futures) {
                List<float[]> got = f.get();
                for (int i = 0; i < texts.size(); i++) {
                    assertArrayEquals(expected.get(i), got.get(i), "text " + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
