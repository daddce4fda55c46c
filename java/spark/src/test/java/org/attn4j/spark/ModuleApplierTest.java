package org.attn4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.attn4j.Backend;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.attn4j.nn.Models;
import org.attn4j.nn.MultiheadAttention;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ModuleApplier on {@code local[2]} (one JVM, two task threads; a failed task is tried once
 * more): the same numbers as attn4j in this process, retries, bad rows.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a safety net for loaded machines
class ModuleApplierTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path bca;
    static Path mha;

    @BeforeAll
    static void start() throws Exception {
        bca = SequenceData.bidirectionalModel(dir.resolve("bca.safetensors"));
        mha = SequenceData.multiheadModel(dir.resolve("mha.safetensors"));
        // local[2, 2]: two task threads, and each task may fail once before the job fails
        spark = SparkSession.builder().master("local[2,2]").appName("ModuleApplierTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void tenThousandRowsEqualSingleProcessAttn4j() throws Exception {
        List<Row> rows = SequenceData.bidirectionalRows(10_000, 1);
        Dataset<Row> df = spark.createDataFrame(rows, SequenceData.BIDIRECTIONAL).repartition(4);
        ModuleApplier applier = new ModuleApplier().setModelPath(bca.toString()).setMaskCol("mask").setContextMaskCol("contextMask");
        // batchSize 1: the same batching as the reference (one row per forward) → bitwise equal
        List<Row> single = sorted(applier.setBatchSize(1).transform(df));
        // batchSize 64: rows grouped by shape into batched forwards → within 1e-6
        List<Row> batched = sorted(applier.copy(new org.apache.spark.ml.param.ParamMap()).setBatchSize(64).transform(df));
        assertEquals(10_000, single.size());
        assertEquals(10_000, batched.size());
        double maxDiff = 0;
        try (Backend backend = SequenceData.oneThread(); var model = Models.load(bca, BidirectionalCrossAttention.class, backend)) {
            for (int r = 0; r < rows.size(); r++) {
                float[][][] expected = SequenceData.bidirectionalReference(model, rows.get(r));
                Row s = single.get(r);
                Row b = batched.get(r);
                assertEquals((long) r, s.getLong(0));
                assertArrayEquals(expected[0], seq(s.getAs("output")), "row " + r + " output");
                assertArrayEquals(expected[1], seq(s.getAs("contextOutput")), "row " + r + " contextOutput");
                maxDiff = Math.max(maxDiff, maxAbsDiff(expected[0], seq(b.getAs("output"))));
                maxDiff = Math.max(maxDiff, maxAbsDiff(expected[1], seq(b.getAs("contextOutput"))));
            }
        }
        assertTrue(maxDiff <= 1e-6, "batched forwards differ from single-row ones by " + maxDiff);
    }

    @Test
    void multiheadSelfAttentionOverOneColumn() throws Exception {
        List<Row> rows = SequenceData.oneSequenceRows(600, 2);
        Dataset<Row> df = spark.createDataFrame(rows, SequenceData.ONE_SEQUENCE).repartition(3);
        for (boolean causal : new boolean[] {false, true}) {
            List<Row> got = sorted(new ModuleApplier().setModelPath(mha.toString()).setMaskCol("mask").setCausal(causal)
                    .setBatchSize(16).transform(df));
            double maxDiff = 0;
            try (Backend backend = SequenceData.oneThread(); var model = Models.load(mha, MultiheadAttention.class, backend)) {
                for (int r = 0; r < rows.size(); r++) {
                    maxDiff = Math.max(maxDiff, maxAbsDiff(SequenceData.multiheadReference(model, rows.get(r), causal),
                            seq(got.get(r).getAs("output"))));
                }
            }
            assertTrue(maxDiff <= 1e-6, "causal=" + causal + ": differs from single-process attn4j by " + maxDiff);
        }
    }

    static final AtomicInteger FAILURES = new AtomicInteger();

    @Test
    void aTaskThatFailsOnceAndIsRetriedGivesTheSameResult() {
        List<Row> rows = SequenceData.bidirectionalRows(600, 3);
        Dataset<Row> df = spark.createDataFrame(rows, SequenceData.BIDIRECTIONAL).repartition(4);
        ModuleApplier applier = new ModuleApplier().setModelPath(bca.toString()).setBatchSize(8);
        List<Row> clean = sorted(applier.transform(df));
        // The first attempt of partition 1 dies after the model has already computed part of it.
        FAILURES.set(0);
        UDF1<Long, Long> failOnce = id -> {
            TaskContext t = TaskContext.get();
            if (t.partitionId() == 1 && t.attemptNumber() == 0 && FAILURES.get() == 0 && id % 7 == 0) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("injected failure of the first attempt of partition 1");
            }
            return id;
        };
        spark.udf().register("failOnce", failOnce, DataTypes.LongType);
        List<Row> retried = sorted(applier.transform(df).withColumn("id", functions.callUDF("failOnce", functions.col("id"))));
        assertEquals(1, FAILURES.get(), "the injected failure ran");
        assertEquals(clean.size(), retried.size());
        for (int r = 0; r < clean.size(); r++) {
            assertArrayEquals(seq(clean.get(r).getAs("output")), seq(retried.get(r).getAs("output")), "row " + r);
            assertArrayEquals(seq(clean.get(r).getAs("contextOutput")), seq(retried.get(r).getAs("contextOutput")), "row " + r);
        }
    }

    @Test
    void badRowsFailWithTheRowNamedOrGetNullOutputs() throws Exception {
        List<Row> rows = new ArrayList<>(SequenceData.bidirectionalRows(40, 4));
        float[][] shortPosition = SequenceData.sequence(new java.util.Random(5), 3, SequenceData.DIM);
        shortPosition[1] = new float[SequenceData.DIM - 1];
        rows.set(7, RowFactory.create(7L, null, rows.get(7).get(2), null, null));                      // null x
        rows.set(13, RowFactory.create(13L, shortPosition, rows.get(13).get(2), null, null));          // a position of 15 values
        rows.set(21, RowFactory.create(21L, rows.get(21).get(1), rows.get(21).get(2), new boolean[99], null)); // mask of 99 entries
        rows.set(30, RowFactory.create(30L, new float[0][], rows.get(30).get(2), null, null));         // no positions
        Dataset<Row> df = spark.createDataFrame(rows, SequenceData.BIDIRECTIONAL).coalesce(1);
        ModuleApplier applier = new ModuleApplier().setModelPath(bca.toString()).setMaskCol("mask").setRowIdCol("id");

        SparkException e = assertThrows(SparkException.class, () -> applier.transform(df).collectAsList());
        String message = rootMessage(e);
        assertTrue(message.contains("row 7 of partition 0 (id = 7): x is null"), message);

        List<Row> kept = sorted(applier.copy(new org.apache.spark.ml.param.ParamMap()).setHandleInvalid("keep").transform(df));
        try (Backend backend = SequenceData.oneThread(); var model = Models.load(bca, BidirectionalCrossAttention.class, backend)) {
            for (int r = 0; r < rows.size(); r++) {
                Row row = kept.get(r);
                if (r == 7 || r == 13 || r == 21 || r == 30) {
                    assertNull(row.getAs("output"), "row " + r);
                    assertNull(row.getAs("contextOutput"), "row " + r);
                } else {
                    Row in = rows.get(r);
                    Row withoutContextMask = RowFactory.create(in.get(0), in.get(1), in.get(2), in.get(3), null);
                    float[][][] expected = SequenceData.bidirectionalReference(model, withoutContextMask);
                    assertNotNull(row.getAs("output"), "row " + r);
                    assertTrue(maxAbsDiff(expected[0], seq(row.getAs("output"))) <= 1e-6, "row " + r);
                }
            }
        }
        // each kind of bad row names itself when it is the first one
        for (int bad : new int[] {13, 21, 30}) {
            List<Row> one = new ArrayList<>(SequenceData.bidirectionalRows(40, 4));
            one.set(bad, rows.get(bad));
            Dataset<Row> d = spark.createDataFrame(one, SequenceData.BIDIRECTIONAL).coalesce(1);
            String m = rootMessage(assertThrows(SparkException.class, () -> applier.transform(d).collectAsList()));
            assertTrue(m.contains("row " + bad + " of partition 0 (id = " + bad + ")"), m);
            assertTrue(m.contains(switch (bad) {
                case 13 -> "x[1]: expected 16 values (the model's width), got 15";
                case 21 -> "mask: expected " + ((float[][]) rows.get(21).get(1)).length + " entries (one per position), got 99";
                default -> "x: expected at least one position, got an empty array";
            }), m);
        }
        // and the executor (this JVM) still computes afterwards
        assertEquals(40, applier.copy(new org.apache.spark.ml.param.ParamMap()).setHandleInvalid("keep").transform(df).count());
    }

    @Test
    void broadcastModelGivesThePathsResults() {
        List<Row> rows = SequenceData.bidirectionalRows(100, 6);
        Dataset<Row> df = spark.createDataFrame(rows, SequenceData.BIDIRECTIONAL).repartition(2);
        List<Row> byPath = sorted(new ModuleApplier().setModelPath(bca.toString()).transform(df));
        List<Row> byBroadcast = sorted(new ModuleApplier().setModelPath(bca.toString()).broadcastModel(spark).transform(df));
        for (int r = 0; r < rows.size(); r++) {
            assertArrayEquals(seq(byPath.get(r).getAs("output")), seq(byBroadcast.get(r).getAs("output")), "row " + r);
        }
    }

    @Test
    void schemaErrorsNameTheColumn() {
        Dataset<Row> df = spark.createDataFrame(SequenceData.bidirectionalRows(3, 7), SequenceData.BIDIRECTIONAL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ModuleApplier().setModelPath(bca.toString()).setInputCol("mask").transform(df));
        assertTrue(e.getMessage().contains("inputCol mask: expected array<array<float>> or array<array<double>>, got array<boolean>"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ModuleApplier().setModelPath(mha.toString()).setContextCol("context").transform(df));
        assertTrue(e.getMessage().contains("the model takes one sequence (MultiheadAttention)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ModuleApplier().setModelPath(dir.resolve("missing.safetensors").toString()).transform(df));
        assertTrue(e.getMessage().contains("no such file on the driver"), e.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    static List<Row> sorted(Dataset<Row> df) {
        List<Row> rows = new ArrayList<>(df.collectAsList());
        rows.sort(Comparator.comparingLong(r -> r.getLong(0)));
        return rows;
    }

    /** An array<array<float>> value as Spark returns it (Scala Seq of Seq) → float[n][w]. */
    static float[][] seq(Object value) {
        scala.collection.Seq<?> outer = (scala.collection.Seq<?>) value;
        float[][] out = new float[outer.length()][];
        for (int p = 0; p < out.length; p++) {
            scala.collection.Seq<?> inner = (scala.collection.Seq<?>) outer.apply(p);
            out[p] = new float[inner.length()];
            for (int c = 0; c < out[p].length; c++) {
                out[p][c] = (Float) inner.apply(c);
            }
        }
        return out;
    }

    static double maxAbsDiff(float[][] a, float[][] b) {
        assertEquals(a.length, b.length, "positions");
        double m = 0;
        for (int p = 0; p < a.length; p++) {
            assertEquals(a[p].length, b[p].length, "width");
            for (int c = 0; c < a[p].length; c++) {
                m = Math.max(m, Math.abs(a[p][c] - b[p][c]));
            }
        }
        return m;
    }

    static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
