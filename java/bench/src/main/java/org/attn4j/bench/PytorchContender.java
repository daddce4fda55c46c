package org.attn4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.attn4j.internal.io.Json;
import org.attn4j.io.Npy;

/**
 * PyTorch in a subprocess: bench/python/bca_bench.py builds the module from DESIGN.md §3, proves
 * it on the golden cases, loads the same safetensors weights and runs the inputs the harness
 * wrote as .npy files. Each call is its own process (as PyTorch's baselines were taken), so its
 * peak memory is its own; it measures that and the busy check itself and reports them as JSON.
 * Debian's interpreter is the default because python3-torch installs there; when torch cannot
 * be imported the rows say "not installed".
 */
final class PytorchContender extends Contender {
    /** PyTorch keeps ~3 [b, h, i, j] matrices alive (3.2 GB at 4096 x 8192 in perf/baselines.md). */
    static final double MATRICES_HELD = 3.5;
    /** Exit codes of bca_bench.py. */
    static final int EXIT_PROOF_FAILED = 3;
    static final int EXIT_NO_TORCH = 4;

    private final String python;
    private final Path script;
    private final Path golden;
    private final Path model;
    private final int threads;
    private Unavailable missing; // decided once, by the first call
    private boolean probed;
    private String version = "";
    private String blas = "";

    /** Weights from golden/bca_readme/model.safetensors (the reference README's configuration). */
    PytorchContender(String python, Path script, Path golden, int threads) {
        this(python, script, golden, golden.resolve("bca_readme").resolve("model.safetensors"), threads);
    }

    /** {@code golden}: the cases the script proves itself on; {@code model}: the weights it times. */
    PytorchContender(String python, Path script, Path golden, Path model, int threads) {
        super("pytorch", "eager");
        this.python = python;
        this.script = script;
        this.golden = golden;
        this.model = model;
        this.threads = threads;
    }

    @Override
    public Unavailable unavailable(Workload w) {
        if (!probed) {
            probed = true;
            missing = probe();
        }
        if (missing != null) {
            return missing;
        }
        return MemoryInfo.skipIfTooBig(MATRICES_HELD * w.attentionMatrixBytes(),
                "PyTorch holds ~3 [b,h,i,j] float32 matrices", w);
    }

    @Override
    public String describe() {
        return "PyTorch " + (version.isEmpty() ? "(not run)" : version) + " via " + python + " " + script.getFileName()
                + ", torch.set_num_threads(" + threads + ")" + (blas.isEmpty() ? "" : ", BLAS: " + blas);
    }

    private Unavailable probe() {
        if (!Files.isRegularFile(script)) {
            return Unavailable.skipped("script not found: " + script);
        }
        if (!Files.isRegularFile(model)) {
            return Unavailable.skipped("weights not found: " + model + " (is ../shared there?)");
        }
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch, numpy")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Unavailable.notInstalled(python + " -c 'import torch' did not finish in 120 s");
            }
            return p.exitValue() == 0 ? null
                    : Unavailable.notInstalled("torch or numpy cannot be imported by " + python
                            + " (Debian: apt-get install python3-torch python3-numpy)");
        } catch (IOException e) {
            return Unavailable.notInstalled("no Python at " + python + " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Unavailable.notInstalled("interrupted while looking for torch");
        }
    }

    @Override
    public Check check(BenchInputs in, Progress.Task task) throws Exception {
        Path dir = Files.createTempDirectory("attn4j-bench-pytorch");
        try {
            in.writeNpy(dir);
            Map<String, Object> r = launch(dir, List.of("--outputs", dir.toString(), "--warmup", "0", "--repeat", "0"), task);
            try (Arena arena = Arena.ofConfined()) {
                float[] out = Npy.read(dir.resolve("out.npy"), arena).toFloatArray();
                float[] contextOut = Npy.read(dir.resolve("context_out.npy"), arena).toFloatArray();
                return new Check(new Outputs(out, contextOut), number(r, "peak_rss_mb"), number(r, "peak_rss_total_mb"));
            }
        } finally {
            deleteTree(dir);
        }
    }

    @Override
    public Timing time(BenchInputs in, int warmup, int repeat, Progress.Task task) throws Exception {
        Path dir = Files.createTempDirectory("attn4j-bench-pytorch");
        try {
            in.writeNpy(dir);
            Map<String, Object> r = launch(dir, List.of("--warmup", String.valueOf(warmup), "--repeat", String.valueOf(repeat)), task);
            List<?> times = (List<?>) r.get("times_ms");
            double[] ms = times.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
            return new Timing(ms, number(r, "peak_rss_mb"), number(r, "peak_rss_total_mb"), number(r, "other_busy_pct"));
        } finally {
            deleteTree(dir);
        }
    }

    /** Runs the script on the inputs in {@code dir} and returns its JSON result. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> launch(Path dir, List<String> extra, Progress.Task task) throws Exception {
        Path json = dir.resolve("result.json");
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--golden", golden.toString(),
                "--model", model.toString(), "--inputs", dir.toString(), "--threads", String.valueOf(threads),
                "--json", json.toString()));
        cmd.addAll(extra);
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread killer = new Thread(p::destroyForcibly); // a Ctrl-C of the harness ends the child too
        Runtime.getRuntime().addShutdownHook(killer);
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = err.readLine()) != null; ) {
                if (line.startsWith("PROGRESS ")) {
                    task.advanceTo(Integer.parseInt(line.split(" ")[1]));
                } else {
                    tail.addLast(line);
                    if (tail.size() > 12) {
                        tail.removeFirst();
                    }
                }
            }
        }
        int code = p.waitFor();
        Runtime.getRuntime().removeShutdownHook(killer);
        if (code == EXIT_PROOF_FAILED) {
            throw new ContenderFailure("FAILED", "the PyTorch module failed its golden proof: " + String.join("; ", tail));
        }
        if (code != 0 || !Files.isRegularFile(json)) {
            throw new ContenderFailure("error", "bca_bench.py exited with " + code + ": " + String.join(" | ", tail));
        }
        Map<String, Object> r = (Map<String, Object>) Json.parse(Files.readString(json));
        version = String.valueOf(r.getOrDefault("torch_version", ""));
        blas = String.valueOf(r.getOrDefault("blas", ""));
        return r;
    }

    private static double number(Map<String, Object> r, String key) {
        Object v = r.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
