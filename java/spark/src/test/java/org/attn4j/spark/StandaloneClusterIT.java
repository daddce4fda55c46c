package org.attn4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attn4j.Backend;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.attn4j.nn.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ModuleApplier on a real cluster: a standalone Master and two Workers, each its own JVM on
 * 127.0.0.1, executors in JVMs of their own that get attn4j (and its natives) only from the jars
 * this application ships. Runs after {@code package} (failsafe), when the jars exist.
 */
class StandaloneClusterIT {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 480, unit = TimeUnit.SECONDS) // a safety net: about 40 s on a quiet 2-core machine, minutes under heavy load
    void twoWorkersComputeWhatOneProcessComputes() throws Exception {
        Path model = SequenceData.bidirectionalModel(dir.resolve("bca.safetensors"));
        List<String> jars = LocalCluster.attn4jJars(Files.createDirectories(dir.resolve("app")));
        // The cluster's folder (SPARK_HOME, logs, work folders) stays in target/ for a look after a failure.
        Path home = Path.of("target", "cluster-it").toAbsolutePath();
        LocalCluster.deleteTree(home);
        try (LocalCluster cluster = new LocalCluster(Files.createDirectories(home), 2, "768m")) {
            SparkSession spark = SparkSession.builder().master(cluster.masterUrl()).appName("StandaloneClusterIT")
                    .config("spark.jars", String.join(",", jars))
                    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.executor.memory", "512m").config("spark.executor.cores", "1").config("spark.cores.max", "2")
                    .config("spark.ui.enabled", "false").config("spark.task.maxFailures", "1")
                    .getOrCreate();
            try {
                awaitExecutors(spark, 2, 240_000, cluster);
                List<Row> rows = SequenceData.bidirectionalRows(1_000, 8);
                Dataset<Row> df = spark.createDataFrame(rows, SequenceData.BIDIRECTIONAL).repartition(4);
                List<Row> got = ModuleApplierTest.sorted(new ModuleApplier().setModelPath(model.toString()).broadcastModel(spark)
                        .setMaskCol("mask").setContextMaskCol("contextMask").setBatchSize(16).transform(df));
                assertEquals(rows.size(), got.size());
                double maxDiff = 0;
                try (Backend backend = SequenceData.oneThread(); var reference = Models.load(model, BidirectionalCrossAttention.class, backend)) {
                    for (int r = 0; r < rows.size(); r++) {
                        float[][][] expected = SequenceData.bidirectionalReference(reference, rows.get(r));
                        maxDiff = Math.max(maxDiff, ModuleApplierTest.maxAbsDiff(expected[0], ModuleApplierTest.seq(got.get(r).getAs("output"))));
                        maxDiff = Math.max(maxDiff,
                                ModuleApplierTest.maxAbsDiff(expected[1], ModuleApplierTest.seq(got.get(r).getAs("contextOutput"))));
                    }
                }
                assertTrue(maxDiff <= 1e-6, "the cluster's outputs differ from this process's by " + maxDiff);
            } finally {
                spark.stop();
            }
            // Each worker ran an executor, and each executor fetched attn4j-core's jar (the natives inside it).
            for (int w = 0; w < 2; w++) {
                try (Stream<Path> files = Files.walk(cluster.workDir(w))) {
                    List<Path> fetched = files.filter(p -> p.getFileName().toString().startsWith("attn4j-core")).toList();
                    assertTrue(!fetched.isEmpty(), "worker " + w + ": no executor fetched attn4j-core's jar; " + cluster.log("worker-" + w));
                }
            }
        }
    }

    private static void awaitExecutors(SparkSession spark, int executors, long timeoutMs, LocalCluster cluster) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (spark.sparkContext().statusTracker().getExecutorInfos().length < executors + 1) { // + the driver
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(executors + " executors did not register within " + timeoutMs + " ms\n" + cluster.diagnostics());
            }
            Thread.sleep(250);
        }
    }
}
