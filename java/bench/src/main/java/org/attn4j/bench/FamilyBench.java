package org.attn4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.internal.io.Json;
import org.attn4j.io.SafeTensors;
import org.attn4j.nn.MhaOptions;
import org.attn4j.nn.MultiheadAttention;
import org.attn4j.nn.SlidingWindowAttention;

/**
 * The attention family's benchmark, one run, one machine:
 * <ol>
 * <li>causal self attention, batch 1, n = 4096, 8 heads of 64 (embed 512): attn4j's
 * MultiheadAttention (fused kernel, need_weights=false) against PyTorch's nn.MultiheadAttention
 * on the same weights and input (bench/python/family_mha_bench.py, run from here), with the
 * peak-RSS growth of one forward on each side and the largest difference of the outputs;
 * <li>sliding-window attention (window w each side) at n = 16384, 32768, 65536: time and
 * peak-RSS growth, which stays proportional to n where dense attention would need h·n² floats.
 * </ol>
 * Medians over repeats; a busy check before each part (other processes' CPU use, in cores).
 *
 * <pre>
 * ./attn4j bench family [--n 4096] [--window-n 65536] [--window 128] [--threads 2] [--repeat 5]
 *     [--python /usr/bin/python3] [--script bench/python/family_mha_bench.py] [--skip-torch] [--skip-window]
 * ./attn4j bench family --batch 32 [--batch-n 64] [--batch-context 96]     # the modules at a batch instead (FamilyBatch)
 * </pre>
 */
final class FamilyBench {
    static final String OPTIONS = "--n N, --window-n N, --window W, --threads T, --repeat R, --python PATH, --script FILE,"
            + " --skip-torch, --skip-window, --batch B [--batch-n N] [--batch-context M] (only the family's modules at batch B)";

    private FamilyBench() {
    }

    /** {@code ./attn4j bench family [options]}: prints its figures on {@code out}. */
    static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> args = parse(argv);
        int n = Integer.parseInt(args.getOrDefault("--n", "4096"));
        int windowN = Integer.parseInt(args.getOrDefault("--window-n", "65536"));
        int window = Integer.parseInt(args.getOrDefault("--window", "128"));
        int threads = Integer.parseInt(args.getOrDefault("--threads", "2"));
        int repeat = Integer.parseInt(args.getOrDefault("--repeat", "5"));
        try (Backend backend = Backends.nativeBackend(threads)) {
            if (args.containsKey("--batch")) {
                FamilyBatch.run(backend, Integer.parseInt(args.get("--batch")), Integer.parseInt(args.getOrDefault("--batch-n", "64")),
                        Integer.parseInt(args.getOrDefault("--batch-context", "96")), repeat, out);
                return 0;
            }
            if (!args.containsKey("--skip-torch")) {
                causalVsTorch(backend, n, threads, repeat, args.getOrDefault("--python", "/usr/bin/python3"),
                        args.getOrDefault("--script", defaultScript()), out);
            }
            if (!args.containsKey("--skip-window")) {
                slidingWindow(backend, windowN, window, Math.max(1, repeat / 2), out);
            }
        }
        return 0;
    }

    /** bench/python/family_mha_bench.py under the checkout the launcher names (-Dattn4j.root), else under the working directory. */
    private static String defaultScript() {
        return Path.of(System.getProperty("attn4j.root", ".")).resolve("bench").resolve("python").resolve("family_mha_bench.py")
                .toString();
    }

    private static void causalVsTorch(Backend backend, int n, int threads, int repeat, String python, String script,
                                      PrintStream out) throws Exception {
        out.printf(Locale.ROOT, "== causal self attention, batch 1, n=%d, 8 heads of 64 (embed 512), %d threads%n", n, threads);
        Path dir = Files.createTempDirectory("attn4j-family-bench");
        try (Arena arena = Arena.ofConfined();
             MultiheadAttention mha = MultiheadAttention.builder().embedDim(512).numHeads(8).batchFirst(true).build(backend, 1)) {
            Path model = dir.resolve("model.safetensors");
            Path input = dir.resolve("input.safetensors");
            Path torchOut = dir.resolve("torch_out.safetensors");
            mha.save(model);
            Tensor x = Tensor.randn(arena, 2, 1, n, 512);
            SafeTensors.write(input, Map.of("x", x));
            MhaOptions causal = MhaOptions.builder().isCausal(true).needWeights(false).build();
            out.printf(Locale.ROOT, "busy before attn4j: %.2f cores%n", busyCores());
            double[] times = new double[repeat];
            long growth = 0;
            float[] ours = null;
            for (int r = -1; r < repeat; r++) { // r = -1 warms up
                try (Arena run = Arena.ofConfined()) {
                    Memory.resetPeak();
                    long before = Memory.rssBytes();
                    long t = System.nanoTime();
                    Tensor output = mha.forward(run, x, causal).output();
                    double s = (System.nanoTime() - t) / 1e9;
                    growth = Math.max(growth, Memory.peakBytes() - before);
                    if (r >= 0) {
                        times[r] = s;
                    }
                    ours = output.toFloatArray();
                }
            }
            double median = median(times);
            out.printf(Locale.ROOT, "attn4j  MultiheadAttention (fused)   median %.3f s  %s  peak RSS growth %s%n",
                    median, round(times), mib(growth));

            List<String> cmd = List.of(python, script, "--model", model.toString(), "--input", input.toString(), "--output",
                    torchOut.toString(), "--threads", Integer.toString(threads), "--repeat", Integer.toString(repeat));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String json = null;
            StringBuilder log = new StringBuilder();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    log.append(line).append('\n');
                    if (line.startsWith("{")) {
                        json = line;
                    }
                }
            }
            if (p.waitFor() != 0 || json == null) {
                throw new IllegalStateException("PyTorch side failed (" + String.join(" ", cmd) + "):\n" + log);
            }
            Map<?, ?> torch = (Map<?, ?>) Json.parse(json);
            double torchMedian = ((Number) torch.get("median_s")).doubleValue();
            long torchGrowth = ((Number) torch.get("peak_rss_growth_bytes")).longValue();
            out.printf(Locale.ROOT, "PyTorch %s nn.MultiheadAttention  median %.3f s  %s  peak RSS growth %s  (busy before: %.2f cores)%n",
                    torch.get("torch"), torchMedian, torch.get("times_s"), mib(torchGrowth),
                    ((Number) torch.get("busy_cpus_before")).doubleValue());
            try (Arena a = Arena.ofConfined()) {
                float[] theirs = SafeTensors.open(torchOut, a).tensor("attn_output").toFloatArray();
                double diff = 0;
                for (int k = 0; k < theirs.length; k++) {
                    diff = Math.max(diff, Math.abs((double) ours[k] - theirs[k]));
                }
                out.printf(Locale.ROOT, "speed-up %.2fx, memory %.1fx less; max |attn4j - PyTorch| = %.2e%n",
                        torchMedian / median, (double) torchGrowth / Math.max(1, growth), diff);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    private static void slidingWindow(Backend backend, int maxN, int window, int repeat, PrintStream out)
            throws IOException, InterruptedException {
        out.printf(Locale.ROOT, "== sliding-window attention, batch 1, window %d each side, 8 heads of 64 (dim 512)%n", window);
        out.printf(Locale.ROOT, "busy before: %.2f cores%n", busyCores());
        try (SlidingWindowAttention swa = SlidingWindowAttention.builder().dim(512).heads(8).dimHead(64).windowLeft(window).windowRight(window)
                .build(backend, 3)) {
            for (int n = maxN / 4; n <= maxN; n *= 2) {
                try (Arena arena = Arena.ofConfined()) {
                    Tensor x = Tensor.randn(arena, 4, 1, n, 512);
                    double[] times = new double[repeat];
                    long growth = 0;
                    for (int r = -1; r < repeat; r++) {
                        try (Arena run = Arena.ofConfined()) {
                            Memory.resetPeak();
                            long before = Memory.rssBytes();
                            long t = System.nanoTime();
                            swa.forward(run, x);
                            if (r >= 0) {
                                times[r] = (System.nanoTime() - t) / 1e9;
                            }
                            growth = Math.max(growth, Memory.peakBytes() - before);
                        }
                    }
                    double dense = 8.0 * n * n * 4;
                    out.printf(Locale.ROOT, "n=%6d  median %.3f s  peak RSS growth %s = %.0f bytes per position"
                            + "  (dense [h, n, n] scores alone: %.1f GiB)%n", n, median(times), mib(growth),
                            (double) growth / n, dense / (1L << 30));
                }
            }
        }
    }

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int k = 0; k < argv.length; k++) {
            if (argv[k].equals("--skip-torch") || argv[k].equals("--skip-window")) {
                m.put(argv[k], "true");
            } else if (argv[k].startsWith("--") && k + 1 < argv.length) {
                m.put(argv[k], argv[++k]);
            } else {
                throw new IllegalArgumentException("unknown argument " + argv[k] + " (expected " + OPTIONS + ")");
            }
        }
        return m;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static List<Double> round(double[] v) {
        List<Double> out = new ArrayList<>();
        for (double d : v) {
            out.add(Math.round(d * 1000) / 1000.0);
        }
        return out;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** Other processes' CPU use over 0.5 s, in cores (from /proc/stat). */
    private static double busyCores() throws IOException, InterruptedException {
        long[] a = cpu();
        Thread.sleep(500);
        long[] b = cpu();
        return (double) (b[0] - a[0]) / Math.max(1, b[1] - a[1]) * Runtime.getRuntime().availableProcessors();
    }

    private static long[] cpu() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int k = 1; k < f.length; k++) {
            total += Long.parseLong(f[k]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total};
    }

    /** Resident memory of this process from /proc/self (VmRSS, VmHWM; clear_refs 5 resets the peak). */
    static final class Memory {
        private Memory() {
        }

        static void resetPeak() {
            try {
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            } catch (IOException e) {
                throw new IllegalStateException("cannot reset the peak RSS (/proc/self/clear_refs): " + e.getMessage(), e);
            }
        }

        static long rssBytes() {
            return field("VmRSS");
        }

        static long peakBytes() {
            return field("VmHWM");
        }

        /** A /proc/self/status field in bytes, read by the harness's one parser (RssMeter). */
        private static long field(String name) {
            long kb = RssMeter.readKb(name);
            if (kb <= 0) {
                throw new IllegalStateException(name + " missing from /proc/self/status (or unreadable)");
            }
            return kb * 1024;
        }
    }
}
