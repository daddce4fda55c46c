package org.attn4j.bench;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.text.Pooling;
import org.attn4j.text.SentenceEmbedder;
import org.attn4j.text.TokenBatch;

/**
 * {@code ./attn4j bench minilm-profile}: where one all-MiniLM-L6-v2 forward spends its time. The
 * model runs on a {@link ProfilingBackend} around the native backend, so every op of the real
 * forward is timed where BertModel calls it; rows are op and shape, medians over the runs of the
 * time per forward, with the GFLOP/s of each linear beside an sgemm 1024³ timed in the same runs.
 *
 * <pre>
 * ./attn4j bench minilm-profile [--threads 2] [--shape 32x128] [--runs 7]
 * </pre>
 */
final class MiniLmProfile {
    static final String OPTIONS = "--threads T, --shape BxS, --runs N";
    private static final int GEMM_N = 1024;
    private static final int WARM_UP = 8;

    private MiniLmProfile() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandOptions o = CommandOptions.parse(args, Map.of("--threads", "2", "--shape", "32x128", "--runs", "7"), OPTIONS);
        int threads = o.positive("--threads");
        int runs = o.positive("--runs");
        String[] bs = o.get("--shape").split("x");
        if (bs.length != 2) {
            throw new IllegalArgumentException("--shape: expected BxS (e.g. 32x128), got " + o.get("--shape"));
        }
        int b = CommandOptions.positive("--shape", bs[0]);
        int s = CommandOptions.positive("--shape", bs[1]);
        if (s < 2 || s > 128) {
            throw new IllegalArgumentException("--shape: tokens per sentence must be 2..128, got " + s);
        }
        Machine machine = Machine.detect();
        out.printf(Locale.ROOT, "# all-MiniLM-L6-v2 forward profile, [%d, %d]%n%n%s; load average %s; %d thread(s); %d runs%n%n",
                b, s, machine.describe(), LoadAverage.read(), threads, runs);
        try (Backend nativeBackend = Backends.nativeBackend(threads); Arena arena = Arena.ofConfined()) {
            ProfilingBackend profiled = new ProfilingBackend(nativeBackend);
            Tensor ga = Tensor.randn(arena, 11, GEMM_N, GEMM_N);
            Tensor gb = Tensor.randn(arena, 12, GEMM_N, GEMM_N);
            Tensor gc = Tensor.zeros(arena, DType.F32, GEMM_N, GEMM_N);
            try (SentenceEmbedder embedder = SentenceEmbedder.builder().backend(profiled.backend())
                    .classPath(SentenceEmbedder.MINILM_ONNX, SentenceEmbedder.MINILM_TOKENIZER).build()) {
                List<String> texts = MiniLmInputs.sentences(embedder.tokenizer(), b, s, 1000L * b + s);
                TokenBatch batch = TokenBatch.of(embedder.encode(texts), embedder.tokenizer().padId());
                MemorySegment result = arena.allocate((long) b * embedder.dimension() * 4, 64);
                // warm-up: enough forwards that the JIT has compiled the Java around the ops (the
                // embedding lookup and the pooling loop take ~100× longer interpreted)
                for (int w = 0; w < WARM_UP; w++) {
                    embedder.model().embed(batch, Pooling.MEAN, true, result);
                    nativeBackend.matmul(ga, false, gb, false, 1f, gc);
                }
                double[] forwardMs = new double[runs];
                double[] gemmMs = new double[runs];
                Map<String, double[]> opMs = new LinkedHashMap<>();
                Map<String, long[]> opInfo = new LinkedHashMap<>(); // calls, FLOPs per forward
                for (int r = 0; r < runs; r++) {
                    long g0 = System.nanoTime();
                    nativeBackend.matmul(ga, false, gb, false, 1f, gc);
                    gemmMs[r] = (System.nanoTime() - g0) / 1e6;
                    profiled.reset();
                    long t0 = System.nanoTime();
                    embedder.model().embed(batch, Pooling.MEAN, true, result);
                    forwardMs[r] = (System.nanoTime() - t0) / 1e6;
                    for (Map.Entry<String, long[]> e : profiled.totals().entrySet()) {
                        opMs.computeIfAbsent(e.getKey(), key -> new double[forwardMs.length])[r] = e.getValue()[0] / 1e6;
                        opInfo.put(e.getKey(), new long[] {e.getValue()[1], e.getValue()[2]});
                    }
                }
                double gemm = 2.0 * GEMM_N * GEMM_N * GEMM_N / (Stats.of(gemmMs).median() * 1e6);
                double forward = Stats.of(forwardMs).median();
                out.println("| op and shape | calls per forward | ms per forward | share | GFLOP/s | % of sgemm |");
                out.println("|---|---|---|---|---|---|");
                double opsTotal = 0;
                for (Map.Entry<String, double[]> e : opMs.entrySet()) {
                    double ms = Stats.of(e.getValue()).median();
                    opsTotal += ms;
                    long[] info = opInfo.get(e.getKey());
                    String rate = info[1] == 0 ? "" : String.format(Locale.ROOT, "%.1f", info[1] / (ms * 1e6));
                    String share = info[1] == 0 ? "" : String.format(Locale.ROOT, "%.0f %%", 100 * info[1] / (ms * 1e6) / gemm);
                    out.printf(Locale.ROOT, "| %s | %d | %.2f | %.1f %% | %s | %s |%n", e.getKey(), info[0], ms, 100 * ms / forward,
                            rate, share);
                }
                out.printf(Locale.ROOT, "| outside the ops (embedding lookup, pooling, Java) | | %.2f | %.1f %% | | |%n",
                        forward - opsTotal, 100 * (forward - opsTotal) / forward);
                out.printf(Locale.ROOT, "%nForward (tokenisation excluded), median: %.1f ms; sgemm %d³ in the same runs: %.1f GFLOP/s.%n",
                        forward, GEMM_N, gemm);
                out.println("Per-op medians are taken separately, so they need not add up to the forward's median exactly.");
            }
        }
        return 0;
    }
}
