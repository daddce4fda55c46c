package org.attn4j.spark;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Rows per second of sentence embedding (all-MiniLM-L6-v2) in Spark: attn4j's TextEmbedder
 * beside a UDF that calls LangChain4j's AllMiniLmL6V2EmbeddingModel (ONNX Runtime) per row, at 1
 * and 2 executor cores ({@code local[1]}, {@code local[2]}) and, for attn4j, on a standalone
 * cluster of two one-core Workers (separate JVMs on 127.0.0.1). Each figure is the median of
 * {@code --repeat} timed runs after one warm-up run (which loads the models), writing to Spark's
 * {@code noop} sink so that nothing is pruned.
 *
 * <pre>./attn4j spark-bench [--rows 2000] [--repeat 3] [--no-cluster]</pre>
 */
public final class SparkEmbeddingBench {
    private SparkEmbeddingBench() {
    }

    /** One model per JVM, as the Transformer does: LangChain4j's model is thread-safe. */
    static final class LangChain4j {
        static final AllMiniLmL6V2EmbeddingModel MODEL = new AllMiniLmL6V2EmbeddingModel();
    }

    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        int rows = intArg(a, "--rows", 2000);
        int repeat = intArg(a, "--repeat", 3);
        boolean cluster = !a.contains("--no-cluster");
        List<Row> texts = TextEmbedderTest.texts(rows, 7);
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%d texts of 1-60 words, all-MiniLM-L6-v2, median of %d runs; load: %s", rows, repeat,
                Files.readString(Path.of("/proc/loadavg")).trim()));
        for (int cores : new int[] {1, 2}) {
            SparkSession spark = SparkSession.builder().master("local[" + cores + "]").appName("bench")
                    .config("spark.ui.enabled", "false").getOrCreate();
            try {
                Dataset<Row> df = spark.createDataFrame(texts, TextEmbedderTest.SCHEMA).repartition(2 * cores).cache();
                df.count();
                double attn4j = rowsPerSecond(rows, repeat, () -> new TextEmbedder().setAllMiniLmL6V2().transform(df));
                spark.udf().register("lc4j", (UDF1<String, float[]>) t -> LangChain4j.MODEL.embed(t).content().vector(),
                        DataTypes.createArrayType(DataTypes.FloatType));
                double lc4j = rowsPerSecond(rows, repeat, () -> df.withColumn("embedding", functions.callUDF("lc4j", functions.col("text"))));
                lines.add(String.format(Locale.ROOT, "local[%d]: attn4j TextEmbedder %.1f rows/s, LangChain4j UDF %.1f rows/s (%.2fx)",
                        cores, attn4j, lc4j, attn4j / lc4j));
            } finally {
                spark.stop();
            }
        }
        if (cluster) {
            Path home = Files.createTempDirectory("attn4j-bench-cluster");
            List<String> jars = LocalCluster.attn4jJars(Files.createDirectories(home.resolve("app")));
            try (LocalCluster c = new LocalCluster(Files.createDirectories(home.resolve("cluster")), 2, "1g")) {
                SparkSession spark = SparkSession.builder().master(c.masterUrl()).appName("bench")
                        .config("spark.jars", String.join(",", jars))
                        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                        .config("spark.executor.memory", "768m").config("spark.executor.cores", "1").config("spark.cores.max", "2")
                        .config("spark.ui.enabled", "false").getOrCreate();
                try {
                    while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3) {
                        Thread.sleep(250);
                    }
                    Dataset<Row> df = spark.createDataFrame(texts, TextEmbedderTest.SCHEMA).repartition(4).cache();
                    df.count();
                    double attn4j = rowsPerSecond(rows, repeat, () -> new TextEmbedder().setAllMiniLmL6V2().transform(df));
                    lines.add(String.format(Locale.ROOT, "standalone, 2 workers x 1 core: attn4j TextEmbedder %.1f rows/s", attn4j));
                } finally {
                    spark.stop();
                }
            }
        }
        lines.forEach(System.out::println);
    }

    interface Job {
        Dataset<Row> build();
    }

    /** Warm-up once, then the median rows/s of {@code repeat} runs into the noop sink. */
    static double rowsPerSecond(int rows, int repeat, Job job) {
        job.build().write().format("noop").mode("overwrite").save();
        double[] rates = new double[repeat];
        for (int r = 0; r < repeat; r++) {
            long t0 = System.nanoTime();
            job.build().write().format("noop").mode("overwrite").save();
            rates[r] = rows / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(rates);
        return rates[repeat / 2];
    }

    private static int intArg(List<String> a, String name, int fallback) {
        int k = a.indexOf(name);
        return k >= 0 && k + 1 < a.size() ? Integer.parseInt(a.get(k + 1)) : fallback;
    }
}
