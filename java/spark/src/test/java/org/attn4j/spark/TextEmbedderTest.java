package org.attn4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkException;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.attn4j.Backend;
import org.attn4j.text.SentenceEmbedder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TextEmbedder on {@code local[2]} with all-MiniLM-L6-v2 from LangChain4j's jar: single-process numbers, bad rows. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a safety net for loaded machines
class TextEmbedderTest {
    static final StructType SCHEMA = new StructType().add("id", DataTypes.LongType, false).add("text", DataTypes.StringType, true);
    static final String[] WORDS = {"spark", "attention", "the", "cross", "modal", "embedding", "of", "a", "sentence", "vector",
            "executor", "batch", "native", "kernel", "java", "résumé", "naïve", "東京", "42", "!"};
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("TextEmbedderTest").config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    static List<Row> texts(int count, long seed) {
        Random rnd = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < count; r++) {
            StringBuilder s = new StringBuilder();
            int words = 1 + rnd.nextInt(r % 10 == 0 ? 60 : 12);
            for (int w = 0; w < words; w++) {
                s.append(w == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
            }
            rows.add(RowFactory.create((long) r, s.toString()));
        }
        return rows;
    }

    @Test
    void embeddingsEqualSingleProcessAttn4j() throws Exception {
        List<Row> rows = texts(160, 1);
        int batch = 16;
        // one partition in row order: the executor embeds exactly the chunks the reference embeds
        Dataset<Row> df = spark.createDataFrame(rows, SCHEMA).coalesce(1);
        List<Row> got = ModuleApplierTest.sorted(new TextEmbedder().setAllMiniLmL6V2().setBatchSize(batch).transform(df));
        // several partitions, vectors: the same embeddings within 1e-6 whatever the batches
        List<Row> vectors = ModuleApplierTest.sorted(new TextEmbedder().setAllMiniLmL6V2().setOutputType("vector")
                .transform(spark.createDataFrame(rows, SCHEMA).repartition(3)));
        double maxDiff = 0;
        try (Backend backend = SequenceData.oneThread();
             SentenceEmbedder embedder = SentenceEmbedder.builder().classPath(SentenceEmbedder.MINILM_ONNX, SentenceEmbedder.MINILM_TOKENIZER)
                     .backend(backend).batches(batch, SentenceEmbedder.DEFAULT_MAX_BATCH_TOKENS).build()) {
            for (int start = 0; start < rows.size(); start += batch) {
                List<String> chunk = new ArrayList<>();
                for (int r = start; r < Math.min(rows.size(), start + batch); r++) {
                    chunk.add(rows.get(r).getString(1));
                }
                List<float[]> expected = embedder.embed(chunk);
                for (int k = 0; k < chunk.size(); k++) {
                    Row row = got.get(start + k);
                    assertArrayEquals(expected.get(k), floats(row.getAs("embedding")), "row " + (start + k));
                    Vector v = vectors.get(start + k).getAs("embedding");
                    for (int c = 0; c < v.size(); c++) {
                        maxDiff = Math.max(maxDiff, Math.abs(v.apply(c) - expected.get(k)[c]));
                    }
                }
            }
        }
        assertEquals(384, ((Vector) vectors.get(0).getAs("embedding")).size());
        assertTrue(maxDiff <= 1e-6, "other batching differs by " + maxDiff);
    }

    @Test
    void nullAndHugeTexts() throws Exception {
        List<Row> rows = texts(20, 2);
        String huge = "spark attention ".repeat(6_250); // 100,000 characters: truncated to the model's 512 positions
        rows.set(5, RowFactory.create(5L, null));
        rows.set(9, RowFactory.create(9L, huge));
        Dataset<Row> df = spark.createDataFrame(rows, SCHEMA).coalesce(1);
        TextEmbedder embedder = new TextEmbedder().setAllMiniLmL6V2().setRowIdCol("id");
        String m = ModuleApplierTest.rootMessage(assertThrows(SparkException.class, () -> embedder.transform(df).collectAsList()));
        assertTrue(m.contains("row 5 of partition 0 (id = 5): text is null"), m);

        List<Row> kept = ModuleApplierTest.sorted(embedder.setHandleInvalid("keep").transform(df));
        assertNull(kept.get(5).getAs("embedding"));
        try (Backend backend = SequenceData.oneThread();
             SentenceEmbedder reference = SentenceEmbedder.builder().classPath(SentenceEmbedder.MINILM_ONNX, SentenceEmbedder.MINILM_TOKENIZER)
                     .backend(backend).build()) {
            float[] expected = reference.embed(huge);
            float[] actual = floats(kept.get(9).getAs("embedding"));
            for (int c = 0; c < expected.length; c++) {
                assertEquals(expected[c], actual[c], 1e-6, "component " + c);
            }
        }
    }

    static float[] floats(Object value) {
        scala.collection.Seq<?> s = (scala.collection.Seq<?>) value;
        float[] out = new float[s.length()];
        for (int k = 0; k < out.length; k++) {
            out[k] = (Float) s.apply(k);
        }
        return out;
    }
}
