package org.attn4j.bench;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.text.Similarity;

/**
 * {@code ./attn4j bench minilm}: sentence embeddings with all-MiniLM-L6-v2 (LangChain4j's jar),
 * attn4j's SentenceEmbedder beside ONNX Runtime (Java, same .onnx, intra-op threads = --threads,
 * all graph optimisations) and LangChain4j's AllMiniLmL6V2EmbeddingModel, in one run. Shapes are
 * [sentences, tokens]; every sentence has exactly that many tokens. Outputs are checked first
 * (cosine of every embedding against ONNX Runtime's). Timed twice: tokenisation excluded (the
 * encoder, pooling and normalisation on prepared ids) and included (texts in). Medians, contenders
 * interleaved run by run with an sgemm whose rate is the % GEMM column's reference; resident
 * memory growth of each contender's first batches at the largest shape, before any timing.
 *
 * <pre>
 * ./attn4j bench minilm [--threads 2] [--shapes 1x16,1x128,8x128,32x128] [--runs N] [--contenders attn4j,onnxruntime,langchain4j]
 * </pre>
 */
final class MiniLmBench {
    static final String OPTIONS = "--threads T, --shapes BxS,..., --runs N, --contenders attn4j,onnxruntime,langchain4j";
    // all-MiniLM-L6-v2: 6 layers, hidden 384, feed-forward 1536
    private static final int GEMM_N = 1024;
    /** Milliseconds between contenders in a round, for the previous one's spinning threads to go idle. */
    private static final long SETTLE_MS = 50;
    private static final double LINEAR_FLOP_PER_TOKEN = 6 * 2.0 * (4 * 384 * 384 + 2 * 384 * 1536);

    private MiniLmBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandOptions o = CommandOptions.parse(args, Map.of("--threads", "2", "--runs", "", "--shapes", "1x16,1x128,8x128,32x128",
                "--contenders", "attn4j,onnxruntime,langchain4j"), OPTIONS);
        int threads = o.positive("--threads");
        int runs = o.get("--runs").isEmpty() ? 0 : o.positive("--runs"); // 0 = by shape
        List<int[]> shapes = new ArrayList<>();
        for (String s : o.get("--shapes").split(",")) {
            String[] bs = s.trim().split("x");
            if (bs.length != 2) {
                throw new IllegalArgumentException("--shapes: expected BxS (e.g. 32x128), got " + s);
            }
            int b = CommandOptions.positive("--shapes", bs[0]);
            int t = CommandOptions.positive("--shapes", bs[1]);
            if (t < 2 || t > 128) {
                throw new IllegalArgumentException("--shapes: tokens per sentence must be 2..128, got " + t);
            }
            shapes.add(new int[] {b, t});
        }
        List<String> names = List.of(o.get("--contenders").split(","));
        if (!names.contains("attn4j")) {
            throw new IllegalArgumentException("--contenders: attn4j is the subject of this benchmark, got " + names);
        }
        Machine machine = Machine.detect();
        out.printf(Locale.ROOT, "# all-MiniLM-L6-v2 sentence embeddings%n%n%s; load average %s; %d intra-op thread(s)%n%n",
                machine.describe(), LoadAverage.read(), threads);
        Map<String, MiniLmContender> contenders = new LinkedHashMap<>();
        try (Backend gemmBackend = Backends.nativeBackend(threads); Arena gemmArena = Arena.ofConfined()) {
            // the GEMM rate is timed inside every round of the interleaved runs, under the same load as the contenders
            Tensor ga = Tensor.randn(gemmArena, 11, GEMM_N, GEMM_N);
            Tensor gb = Tensor.randn(gemmArena, 12, GEMM_N, GEMM_N);
            Tensor gc = Tensor.zeros(gemmArena, DType.F32, GEMM_N, GEMM_N);
            gemmBackend.matmul(ga, false, gb, false, 1f, gc);
            for (String n : names) {
                long t0 = System.nanoTime();
                MiniLmContender c = switch (n.trim()) {
                    case "attn4j" -> new MiniLmAttn4j(threads);
                    case "onnxruntime" -> new MiniLmOnnxRuntime(threads);
                    case "langchain4j" -> new MiniLmLangChain4j();
                    default -> throw new IllegalArgumentException("--contenders: expected attn4j, onnxruntime, langchain4j, got " + n);
                };
                contenders.put(c.name(), c);
                err.printf(Locale.ROOT, "attn4j bench minilm: %s loaded in %.0f ms%n", c.name(), (System.nanoTime() - t0) / 1e6);
            }
            MiniLmAttn4j attn4j = (MiniLmAttn4j) contenders.get("attn4j");

            // resident memory first: each contender's first batches at the largest shape
            int[] largest = shapes.getLast();
            List<String> memoryTexts = MiniLmInputs.sentences(attn4j.embedder().tokenizer(), largest[0], largest[1], 99);
            Map<String, Double> rss = new LinkedHashMap<>();
            for (MiniLmContender c : contenders.values()) {
                settle();
                try (RssMeter m = RssMeter.start()) {
                    for (int k = 0; k < 3; k++) {
                        c.embed(memoryTexts);
                    }
                    rss.put(c.name(), m.stopMb());
                }
            }

            out.println("| shape | contender | tokenisation excluded | sentences/s | % GEMM | tokenisation included | sentences/s |"
                    + " × ONNX Runtime (excl. / incl.) |");
            out.println("|---|---|---|---|---|---|---|---|");
            List<String> gemmRates = new ArrayList<>();
            boolean agree = true;
            List<String> checks = new ArrayList<>();
            for (int[] shape : shapes) {
                int b = shape[0];
                int s = shape[1];
                int n = runs > 0 ? runs : Math.max(5, Math.min(60, 3000 / (b * s)));
                err.printf(Locale.ROOT, "attn4j bench minilm: [%d, %d], %d runs%n", b, s, n);
                List<String> texts = MiniLmInputs.sentences(attn4j.embedder().tokenizer(), b, s, 1000L * b + s);
                // outputs first: every contender's embeddings against ONNX Runtime's (or attn4j's when it is absent)
                MiniLmContender oracle = contenders.getOrDefault("ONNX Runtime", attn4j);
                float[][] expected = oracle.embed(texts);
                double lowest = 1;
                for (MiniLmContender c : contenders.values()) {
                    float[][] got = c.embed(texts);
                    Object prepared = c.prepare(texts);
                    float[][] gotPrepared = c.embedPrepared(prepared);
                    close(prepared);
                    for (int r = 0; r < b; r++) {
                        lowest = Math.min(lowest, Similarity.cosine(expected[r], got[r]));
                        if (gotPrepared != null) {
                            lowest = Math.min(lowest, Similarity.cosine(expected[r], gotPrepared[r]));
                        }
                    }
                }
                checks.add(String.format(Locale.ROOT, "[%d, %d]: lowest cosine %.7f", b, s, lowest));
                agree &= lowest >= 0.99999;
                Map<String, double[]> excl = new LinkedHashMap<>();
                Map<String, double[]> incl = new LinkedHashMap<>();
                Map<String, Object> prepared = new LinkedHashMap<>();
                for (MiniLmContender c : contenders.values()) {
                    prepared.put(c.name(), c.prepare(texts));
                    excl.put(c.name(), new double[n]);
                    incl.put(c.name(), new double[n]);
                    WarmUp.run(2, () -> { // untimed, until the JIT compiles no more
                        c.embed(texts);
                        c.embedPrepared(prepared.get(c.name()));
                    });
                }
                double[] gemmMs = new double[n];
                for (int k = 0; k < n; k++) {
                    // as the contenders below: a pause, one untimed call, then the timed one. Why the untimed
                    // call: OpenMP's workers sleep after the pause, and waking them on a VM took up to ms (the
                    // sgemm read 165-336 GFLOP/s from shape to shape in one run, 158 % "of GEMM" at [32, 128])
                    Thread.sleep(SETTLE_MS);
                    gemmBackend.matmul(ga, false, gb, false, 1f, gc);
                    long g0 = System.nanoTime();
                    gemmBackend.matmul(ga, false, gb, false, 1f, gc);
                    gemmMs[k] = (System.nanoTime() - g0) / 1e6;
                    for (MiniLmContender c : contenders.values()) {
                        // A pause, then one untimed call: the previous contender's threads and data just
                        // left the cores. Why the pause: ONNX Runtime's pool threads (LangChain4j's too)
                        // spin after a run by default, and a contender started at once shared the cores
                        // with them (attn4j's first call after them ran 1.5x slower than its second).
                        Thread.sleep(SETTLE_MS);
                        c.embed(texts);
                        long t0 = System.nanoTime();
                        boolean has = c.embedPrepared(prepared.get(c.name())) != null;
                        long t1 = System.nanoTime();
                        c.embed(texts);
                        long t2 = System.nanoTime();
                        excl.get(c.name())[k] = has ? (t1 - t0) / 1e6 : Double.NaN;
                        incl.get(c.name())[k] = (t2 - t1) / 1e6;
                    }
                }
                for (Object p : prepared.values()) {
                    close(p);
                }
                double gemm = 2.0 * GEMM_N * GEMM_N * GEMM_N / (Stats.of(gemmMs).median() * 1e6); // GFLOP/s
                gemmRates.add(String.format(Locale.ROOT, "[%d, %d] %.1f", b, s, gemm));
                Double ortExcl = median(excl.get("ONNX Runtime"));
                Double ortIncl = median(incl.get("ONNX Runtime"));
                for (MiniLmContender c : contenders.values()) {
                    Double e = median(excl.get(c.name()));
                    double i = median(incl.get(c.name()));
                    String gemmShare = e == null ? "–" : String.format(Locale.ROOT, "%.0f %%",
                            100 * LINEAR_FLOP_PER_TOKEN * b * s / (e * 1e6) / gemm);
                    String ratio = ortIncl == null || c.name().equals("ONNX Runtime") ? "" : String.format(Locale.ROOT, "%s / %.2f×",
                            e == null || ortExcl == null ? "–" : String.format(Locale.ROOT, "%.2f×", ortExcl / e), ortIncl / i);
                    out.printf(Locale.ROOT, "| [%d, %d] | %s | %s | %s | %s | %s | %.1f | %s |%n", b, s, c.name(),
                            e == null ? "–" : ms(e), e == null ? "–" : String.format(Locale.ROOT, "%.1f", b * 1000 / e), gemmShare,
                            ms(i), b * 1000 / i, ratio);
                }
            }
            out.printf(Locale.ROOT, "%nOutputs checked before timing (every embedding's cosine against %s's, both paths): %s%s%n",
                    contenders.containsKey("ONNX Runtime") ? "ONNX Runtime" : "attn4j", String.join("; ", checks),
                    agree ? "" : " — BELOW 0.99999, the timings compare different results");
            out.printf(Locale.ROOT, "%nResident memory growth over each contender's first 3 batches of [%d, %d] (%s): %s%n",
                    largest[0], largest[1], "VmHWM or sampled VmRSS", format(rss));
            out.printf(Locale.ROOT, "%nGEMM rate (sgemm %d³ through oneDNN, %d threads, timed in every round beside the contenders "
                    + "after one untimed call, median) in GFLOP/s: %s%n", GEMM_N, threads, String.join(", ", gemmRates));
            out.printf(Locale.ROOT, "%nMedians of interleaved runs; %% GEMM = the encoder's linear-layer FLOPs (%.1f MFLOP per token) "
                    + "per tokenisation-excluded time, over that shape's GEMM rate. LangChain4j has no tokenisation-excluded path.%n",
                    LINEAR_FLOP_PER_TOKEN / 1e6);
            return agree ? 0 : 1;
        } finally {
            for (MiniLmContender c : contenders.values()) {
                c.close();
            }
        }
    }

    // a full collection, then time for the collector to hand memory back, so the next baseline is steady
    private static void settle() throws InterruptedException {
        for (int k = 0; k < 2; k++) {
            System.gc();
            Thread.sleep(300);
        }
    }

    private static String format(Map<String, Double> rss) {
        List<String> parts = new ArrayList<>();
        rss.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s +%.0f MiB", k, v)));
        return String.join(", ", parts);
    }

    private static Double median(double[] ms) {
        if (ms == null || Double.isNaN(ms[0])) {
            return null;
        }
        return Stats.of(ms).median();
    }

    private static String ms(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f ms", v) : String.format(Locale.ROOT, "%.2f ms", v);
    }

    private static void close(Object prepared) throws Exception {
        if (prepared instanceof AutoCloseable c) {
            c.close();
        }
    }
}
