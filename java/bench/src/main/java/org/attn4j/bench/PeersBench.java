package org.attn4j.bench;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.internal.io.Json;
import org.attn4j.io.Npy;
import org.attn4j.nn.MhaOptions;
import org.attn4j.nn.MultiheadAttention;
import org.attn4j.nn.ScaledDotProductAttention;
import org.attn4j.nn.SdpaOptions;

/**
 * {@code ./attn4j bench peers}: attn4j beside the strongest CPU attention kernels on the SDPA core
 * (q, k, v [b, n, h·d], n = 4096, 8 heads of 64, batch 1) and on nn.MultiheadAttention's self
 * attention, causal and not: ONNX Runtime's contrib MultiHeadAttention (flash), PyTorch 2.10's
 * scaled_dot_product_attention (libtorch from Java, in a child JVM) and PyTorch 1.13 (Debian's
 * python3-torch). Every peer's output is checked against attn4j's before its time is shown; the
 * sgemm rate is measured in the same run and each figure is also given as a share of it (causal
 * work counted as half). The machine's ISA heads the report.
 *
 * <pre>
 * ./attn4j bench peers [--n 4096] [--heads 8] [--dim-head 64] [--batch 1] [--threads 2] [--warmup 1] [--repeat 3]
 *     [--cases sdpa,sdpa-causal,mha,mha-causal] [--peers attn4j,onnxruntime,pytorch2,pytorch] [--python /usr/bin/python3]
 * </pre>
 */
final class PeersBench {
    static final String OPTIONS = "--n N, --heads H, --dim-head D, --batch B, --threads T, --warmup W, --repeat R, "
            + "--cases sdpa,sdpa-causal,mha,mha-causal, --peers attn4j,onnxruntime,pytorch2,pytorch, --python PATH";
    static final List<String> PEERS = List.of("attn4j", "onnxruntime", "pytorch2", "pytorch");
    static final List<String> CASES = List.of("sdpa", "sdpa-causal", "mha", "mha-causal");

    private PeersBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandOptions o = CommandOptions.parse(args, Map.of("--n", "4096", "--heads", "8", "--dim-head", "64", "--batch", "1",
                "--threads", "2", "--warmup", "1", "--repeat", "3", "--cases", String.join(",", CASES),
                "--peers", String.join(",", PEERS), "--python", "/usr/bin/python3"), OPTIONS);
        int n = o.positive("--n");
        int heads = o.positive("--heads");
        int dimHead = o.positive("--dim-head");
        int batch = o.positive("--batch");
        int threads = o.positive("--threads");
        int warmup = Integer.parseInt(o.get("--warmup"));
        int repeat = o.positive("--repeat");
        List<String> peers = names(o.get("--peers"), PEERS, "--peers");
        List<String> cases = names(o.get("--cases"), CASES, "--cases");
        Path root = Path.of(System.getProperty("attn4j.root", ".")).toAbsolutePath();
        Path script = root.resolve("tools").resolve("onnx").resolve("make_attention_onnx.py");
        Path torch1Script = root.resolve("bench").resolve("python").resolve("peers_bench.py");
        String python = o.get("--python");

        Machine machine = Machine.detect();
        out.printf(Locale.ROOT, "# attention against the strongest CPU peers%n%n%s%nISA: %s; load average %s; batch %d, n = %d,"
                + " %d heads of %d, %d thread(s), %d warm-up (in-process peers: and more, %s) + %d timed runs,"
                + " medians%n%n", machine.describe(),
                machine.isa().isEmpty() ? "unknown" : machine.isa(), LoadAverage.read(), batch, n, heads, dimHead, threads,
                warmup, WarmUp.describe(), repeat);
        Map<String, String> described = new LinkedHashMap<>();
        List<String> gemmRates = new ArrayList<>();
        Path dir = Files.createTempDirectory("attn4j-bench-peers");
        try (Backend backend = Backends.nativeBackend(threads); Arena arena = Arena.ofShared();
             MultiheadAttention mha = MultiheadAttention.builder().embedDim(heads * dimHead).numHeads(heads).batchFirst(true)
                     .build(backend, 1)) {
            int e = heads * dimHead;
            Map<String, Tensor> sdpaIn = new LinkedHashMap<>();
            sdpaIn.put("q", Tensor.randn(arena, 1, batch, n, e));
            sdpaIn.put("k", Tensor.randn(arena, 2, batch, n, e));
            sdpaIn.put("v", Tensor.randn(arena, 3, batch, n, e));
            Map<String, Tensor> mhaIn = Map.of("x", Tensor.randn(arena, 4, batch, n, e));
            for (var t : sdpaIn.entrySet()) {
                Npy.write(dir.resolve(t.getKey() + ".npy"), t.getValue());
            }
            Npy.write(dir.resolve("x.npy"), mhaIn.get("x"));
            mha.save(dir.resolve("mha.safetensors"));

            out.println("| case | contender | median ms | min–max ms | GFLOP/s | % sgemm | attn4j speed-up | max abs diff |");
            out.println("|---|---|---|---|---|---|---|---|");
            for (String name : cases) {
                PeerCase c = new PeerCase(name.startsWith("sdpa") ? "sdpa" : "mha", name.endsWith("causal"), batch, n, heads, dimHead);
                Map<String, Tensor> in = c.kind().equals("sdpa") ? sdpaIn : mhaIn;
                // The sgemm rate now: this VM's speed drifts over minutes (see BenchRunner).
                double gemm = GemmProbe.measure(backend);
                gemmRates.add(String.format(Locale.ROOT, "%s %.1f", c, gemm));
                err.println("attn4j bench peers: " + c + ": attn4j");
                PeerResult mine = attn4j(c, backend, mha, in, warmup, repeat);
                described.put("attn4j", "ScaledDotProductAttention.forward / MultiheadAttention.forward on the native backend ("
                        + threads + " thread(s)), fused kernel; inputs [b, n, h·d] seen as [b, h, n, d] (no copy)");
                double mineMs = Stats.of(mine.ms()).median();
                row(out, c, "attn4j", mine, mineMs, 0, gemm);
                for (String peer : peers) {
                    if (peer.equals("attn4j")) {
                        continue;
                    }
                    err.println("attn4j bench peers: " + c + ": " + peer);
                    PeerResult r;
                    try {
                        r = switch (peer) {
                            case "onnxruntime" -> {
                                described.put(peer, OnnxAttentionPeer.describe(threads));
                                yield OnnxAttentionPeer.run(c, in, dir, script, python, threads, warmup, repeat);
                            }
                            case "pytorch2" -> {
                                StringBuilder d = new StringBuilder();
                                PeerResult t = Torch2Peer.run(c, dir, threads, warmup, repeat, d);
                                if (!d.isEmpty()) {
                                    described.put(peer, d.toString());
                                }
                                yield t;
                            }
                            default -> torch1(c, dir, torch1Script, python, threads, warmup, repeat, described);
                        };
                    } catch (Exception | LinkageError ex) {
                        r = PeerResult.unavailable("error: " + ex);
                    }
                    if (r.unavailable() != null) {
                        out.printf(Locale.ROOT, "| %s | %s | %s | | | | | |%n", c, peer, r.unavailable().replace("|", "/").replace("\n", " "));
                        continue;
                    }
                    double diff = Outputs.maxAbsDiff(mine.output(), r.output());
                    double tolerance = Agreement.RELATIVE_TOLERANCE * Math.max(1, maxAbs(mine.output()));
                    if (!(diff <= tolerance)) {
                        out.printf(Locale.ROOT, "| %s | %s | FAILED: output differs from attn4j's by %.3g (> %.3g): not timed | | | | | |%n",
                                c, peer, diff, tolerance);
                        continue;
                    }
                    row(out, c, peer, r, mineMs, diff, gemm);
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        out.printf(Locale.ROOT, "%nsgemm %d³ (oneDNN, %d thread(s)), measured before each case (100 %% in its %% sgemm"
                + " column), GFLOP/s: %s%n", GemmProbe.N, threads, String.join(", ", gemmRates));
        out.printf(Locale.ROOT, "%nGFLOP/s counts q·kᵀ and weights·v (4·b·h·n²·d, half of it when causal) and, for"
                + " MultiheadAttention, the four E×E projections (8·b·n·E²); attn4j speed-up = the peer's median over attn4j's"
                + " (above 1: attn4j is faster). load average after: %s%n%n", LoadAverage.read());
        described.forEach((k, v) -> out.println("- " + k + ": " + v));
        return 0;
    }

    private static void row(PrintStream out, PeerCase c, String who, PeerResult r, double mineMs, double diff, double gemm) {
        Stats s = Stats.of(r.ms());
        double gflops = c.usefulFlops() / (s.median() * 1e6);
        out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f–%.1f | %.1f | %.0f %% | %s | %s |%n", c, who, s.median(), s.min(),
                s.max(), gflops, 100 * gflops / gemm, who.equals("attn4j") ? "—" : String.format(Locale.ROOT, "%.2f×",
                        s.median() / mineMs), who.equals("attn4j") ? "—" : String.format(Locale.ROOT, "%.2g", diff));
    }

    /** attn4j on the same memory: q, k, v [b, n, E] seen as [b, h, n, d]; or the module on x. */
    private static PeerResult attn4j(PeerCase c, Backend backend, MultiheadAttention mha, Map<String, Tensor> in, int warmup,
                                     int repeat) throws Exception {
        PeerCall call = run -> {
            if (c.kind().equals("sdpa")) {
                Tensor q = heads(in.get("q"), c.heads());
                Tensor k = heads(in.get("k"), c.heads());
                Tensor v = heads(in.get("v"), c.heads());
                return ScaledDotProductAttention.forward(backend, run, q, k, v, SdpaOptions.builder().causal(c.causal()).build())
                        .output(); // [b, h, n, d]
            }
            return mha.forward(run, in.get("x"), MhaOptions.builder().isCausal(c.causal()).needWeights(false).build())
                    .output(); // [b, n, E]
        };
        float[] output;
        try (Arena run = Arena.ofConfined()) {
            Tensor y = call.forward(run);
            output = c.kind().equals("sdpa") ? y.transpose(1, 2).toFloatArray() : y.toFloatArray(); // [b, n, h, d]
        }
        WarmUp.run(warmup, () -> {
            try (Arena run = Arena.ofConfined()) {
                call.forward(run);
            }
        });
        double[] ms = new double[repeat];
        for (int r = 0; r < repeat; r++) {
            try (Arena run = Arena.ofConfined()) {
                long t0 = System.nanoTime();
                call.forward(run);
                ms[r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        return PeerResult.of(output, ms);
    }

    /** One forward of attn4j's side of a case, its output from {@code run}. */
    private interface PeerCall {
        Tensor forward(Arena run);
    }

    /** [b, n, h·d] → the [b, h, n, d] view. */
    private static Tensor heads(Tensor t, int heads) {
        return t.reshape(t.shape(0), t.shape(1), heads, t.shape(2) / heads).permute(0, 2, 1, 3);
    }

    /** PyTorch 1.x through bench/python/peers_bench.py. */
    private static PeerResult torch1(PeerCase c, Path dir, Path script, String python, int threads, int warmup, int repeat,
                                     Map<String, String> described) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--kind", c.kind(), "--dir", dir.toString(),
                "--heads", Integer.toString(c.heads()), "--threads", Integer.toString(threads), "--warmup",
                Integer.toString(warmup), "--repeat", Integer.toString(repeat)));
        if (c.causal()) {
            cmd.add("--causal");
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(1800, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return PeerResult.unavailable(log.contains("No module named 'torch'") ? "not installed: " + python
                    + " cannot import torch (Debian: apt-get install python3-torch)" : "error: " + log.strip());
        }
        String json = log.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
        if (json == null) {
            return PeerResult.unavailable("error: no result from peers_bench.py: " + log.strip());
        }
        Map<?, ?> r = (Map<?, ?>) Json.parse(json);
        described.put("pytorch", "PyTorch " + r.get("version") + " (" + python + " bench/python/peers_bench.py): the SDPA core"
                + " eagerly (matmul, softmax, matmul: 1.13 has no fused SDPA), nn.MultiheadAttention(need_weights=False),"
                + " torch.set_num_threads(" + threads + ")");
        double[] ms = ((List<?>) r.get("times_ms")).stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
        try (Arena arena = Arena.ofConfined()) {
            return PeerResult.of(Npy.read(dir.resolve("torch1_output.npy"), arena).toFloatArray(), ms);
        }
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static List<String> names(String value, List<String> known, String option) {
        List<String> out = new ArrayList<>();
        for (String s : value.split(",")) {
            String t = s.trim();
            if (!known.contains(t)) {
                throw new IllegalArgumentException(option + ": expected names from " + String.join(", ", known) + ", got \"" + t + "\"");
            }
            out.add(t);
        }
        return out;
    }
}
