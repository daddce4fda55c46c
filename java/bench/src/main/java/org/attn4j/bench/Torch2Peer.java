package org.attn4j.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.attn4j.Tensor;
import org.attn4j.internal.io.Json;
import org.attn4j.io.Npy;
import org.attn4j.io.SafeTensors;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * PyTorch 2.10 (libtorch through org.bytedeco:pytorch) as a peer of {@code ./attn4j bench peers},
 * in a child JVM of the same JDK and class path. Why a child: OpenBLAS reads
 * OPENBLAS_NUM_THREADS when it loads, and with its own thread pool beside ATen's it
 * oversubscribes the cores; the child gets OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(T).
 * It also keeps libtorch's ~450 MB of native code out of the harness's process.
 *
 * <p>The SDPA core is {@code torch::scaled_dot_product_attention} (the CPU flash kernel) on
 * q, k, v [b, n, h, d] seen as [b, h, n, d]; MultiheadAttention is what nn.MultiheadAttention
 * computes with need_weights=False: linear(x, in_proj) → split → SDPA → linear(out_proj).
 * The child reads the inputs the harness wrote (.npy, and the module's safetensors), writes
 * output.npy and prints one JSON line: {"times_ms": [...], "version": ..., "cpu_capability": ...}.
 */
final class Torch2Peer {
    private Torch2Peer() {
    }

    /** The harness's side: runs the child and reads back its output and timings. */
    static PeerResult run(PeerCase c, Path dir, int threads, int warmup, int repeat, StringBuilder describe) throws Exception {
        List<String> cmd = new ArrayList<>(SoakWorkload.javaCommand());
        cmd.addAll(List.of(Torch2Peer.class.getName(), c.kind(), Boolean.toString(c.causal()), dir.toString(),
                Integer.toString(c.heads()), Integer.toString(threads), Integer.toString(warmup), Integer.toString(repeat)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            return PeerResult.unavailable("error: the PyTorch 2.10 child exited with " + p.exitValue() + ": "
                    + tail(log));
        }
        String json = null;
        for (String line : log.split("\n")) {
            if (line.startsWith("{")) {
                json = line;
            }
        }
        if (json == null) {
            return PeerResult.unavailable("error: no result from the PyTorch 2.10 child: " + tail(log));
        }
        Map<?, ?> r = (Map<?, ?>) Json.parse(json);
        if (describe.isEmpty()) {
            describe.append("PyTorch ").append(r.get("version")).append(" (libtorch via org.bytedeco:pytorch), CPU capability ")
                    .append(r.get("cpu_capability")).append(", torch.set_num_threads(").append(threads)
                    .append("), OPENBLAS_NUM_THREADS=1, in a child JVM");
        }
        double[] ms = ((List<?>) r.get("times_ms")).stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
        try (Arena arena = Arena.ofConfined()) {
            return PeerResult.of(Npy.read(dir.resolve("torch2_output.npy"), arena).toFloatArray(), ms);
        }
    }

    private static String tail(String log) {
        String t = log.strip();
        return t.length() > 600 ? "..." + t.substring(t.length() - 600) : t;
    }

    /** The child: kind causal dir heads threads warmup repeat. */
    public static void main(String[] args) throws IOException {
        String kind = args[0];
        boolean causal = Boolean.parseBoolean(args[1]);
        Path dir = Path.of(args[2]);
        int heads = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]);
        int repeat = Integer.parseInt(args[6]);
        torch.set_num_threads(threads);
        List<Double> times = new ArrayList<>();
        try (Arena arena = Arena.ofConfined(); InferenceMode guard = new InferenceMode()) {
            Forward forward = kind.equals("sdpa") ? sdpa(dir, arena, heads, causal) : mha(dir, arena, heads, causal);
            float[] output = null;
            for (int r = -warmup; r < repeat; r++) {
                try (PointerScope scope = new PointerScope()) {
                    long t0 = System.nanoTime();
                    org.bytedeco.pytorch.Tensor y = forward.run();
                    double ms = (System.nanoTime() - t0) / 1e6;
                    if (r >= 0) {
                        times.add(ms);
                    }
                    if (output == null) {
                        output = values(y);
                    }
                }
            }
            long[] shape = Npy.read(dir.resolve(kind.equals("sdpa") ? "q.npy" : "x.npy"), arena).shape();
            Npy.write(dir.resolve("torch2_output.npy"), Tensor.of(arena, output, shape));
        }
        String version = org.bytedeco.pytorch.Tensor.class.getPackage().getImplementationVersion();
        System.out.println(String.format(Locale.ROOT, "{\"times_ms\": %s, \"version\": \"%s\", \"cpu_capability\": \"%s\"}",
                times, version == null ? "2.10" : version.replaceFirst("-1\\.5.*", ""), torch.get_cpu_capability().getString()));
    }

    @FunctionalInterface
    private interface Forward {
        org.bytedeco.pytorch.Tensor run();
    }

    /** q, k, v [b, n, E] as [b, h, n, d] views; the output back to [b, n, E]. */
    private static Forward sdpa(Path dir, Arena arena, int heads, boolean causal) throws IOException {
        org.bytedeco.pytorch.Tensor q = heads(load(dir.resolve("q.npy"), arena), heads);
        org.bytedeco.pytorch.Tensor k = heads(load(dir.resolve("k.npy"), arena), heads);
        org.bytedeco.pytorch.Tensor v = heads(load(dir.resolve("v.npy"), arena), heads);
        return () -> merge(attention(q, k, v, causal));
    }

    /** nn.MultiheadAttention(batch_first, need_weights=False) from the module's state dict. */
    private static Forward mha(Path dir, Arena arena, int heads, boolean causal) throws IOException {
        org.bytedeco.pytorch.Tensor x = load(dir.resolve("x.npy"), arena);
        Map<String, Tensor> sd = SafeTensors.open(dir.resolve("mha.safetensors"), arena).tensors();
        org.bytedeco.pytorch.Tensor inW = torchOf(sd.get("in_proj_weight"));
        org.bytedeco.pytorch.Tensor inB = torchOf(sd.get("in_proj_bias"));
        org.bytedeco.pytorch.Tensor outW = torchOf(sd.get("out_proj.weight"));
        org.bytedeco.pytorch.Tensor outB = torchOf(sd.get("out_proj.bias"));
        return () -> {
            TensorVector qkv = torch.linear(x, inW, new TensorOptional(inB)).chunk(3, -1); // 3 × [b, n, E]
            org.bytedeco.pytorch.Tensor o = merge(attention(heads(qkv.get(0), heads), heads(qkv.get(1), heads),
                    heads(qkv.get(2), heads), causal));
            return torch.linear(o, outW, new TensorOptional(outB));
        };
    }

    private static org.bytedeco.pytorch.Tensor attention(org.bytedeco.pytorch.Tensor q, org.bytedeco.pytorch.Tensor k,
                                                         org.bytedeco.pytorch.Tensor v, boolean causal) {
        return torch.scaled_dot_product_attention(q, k, v, new TensorOptional(), 0.0, causal, new DoubleOptional(), false);
    }

    /** [b, n, E] → [b, h, n, d] view. */
    private static org.bytedeco.pytorch.Tensor heads(org.bytedeco.pytorch.Tensor t, int heads) {
        return t.reshape(t.size(0), t.size(1), heads, t.size(2) / heads).transpose(1, 2);
    }

    /** [b, h, n, d] → [b, n, h·d]. */
    private static org.bytedeco.pytorch.Tensor merge(org.bytedeco.pytorch.Tensor t) {
        return t.transpose(1, 2).reshape(t.size(0), t.size(2), t.size(1) * t.size(3));
    }

    private static org.bytedeco.pytorch.Tensor load(Path npy, Arena arena) throws IOException {
        return torchOf(Npy.read(npy, arena));
    }

    /** A libtorch tensor holding a copy of t (F32). */
    private static org.bytedeco.pytorch.Tensor torchOf(Tensor t) {
        float[] values = t.toFloatArray();
        return torch.from_blob(new FloatPointer(values), t.shape()).clone();
    }

    private static float[] values(org.bytedeco.pytorch.Tensor t) {
        org.bytedeco.pytorch.Tensor c = t.contiguous();
        float[] a = new float[Math.toIntExact(c.numel())];
        c.data_ptr_float().get(a);
        return a;
    }
}
