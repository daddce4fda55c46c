package org.attn4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.attn4j.Tensor;

/**
 * ONNX Runtime's contrib op com.microsoft.MultiHeadAttention (its CPU flash-attention kernel) as a
 * peer of {@code ./attn4j bench peers}, on a small graph that tools/onnx/make_attention_onnx.py
 * writes (Debian's python3-onnx): the attention core alone, or nn.MultiheadAttention's
 * projections around it with the attn4j module's weights. Causal cases set the op's
 * unidirectional=1, which ONNX Runtime runs on its non-flash path. Session options: the
 * harness's {@link OrtSettings}, as for the bca workload's ONNX contender.
 */
final class OnnxAttentionPeer {
    private OnnxAttentionPeer() {
    }

    static String describe(int threads) {
        return "ONNX Runtime " + OrtSettings.version() + " Java API, CPU provider, com.microsoft.MultiHeadAttention, " + threads
                + " intra-op thread(s), spinning off; graph from tools/onnx/make_attention_onnx.py";
    }

    /**
     * Writes the graph, runs it warmup + repeat times. inputs: q, k, v [b, n, E] ("sdpa") or
     * x [b, n, E] ("mha", weights in dir/mha.safetensors).
     */
    static PeerResult run(PeerCase c, Map<String, Tensor> inputs, Path dir, Path script, String python, int threads,
                          int warmup, int repeat) throws Exception {
        Path graph = dir.resolve("ort_" + c.kind() + (c.causal() ? "_causal" : "") + ".onnx");
        String problem = makeGraph(c, graph, dir, script, python);
        if (problem != null) {
            return PeerResult.unavailable(problem);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "attn4j-bench-peers");
        try (OrtSession.SessionOptions options = OrtSettings.sessionOptions(threads)) {
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            try (OrtSession session = env.createSession(graph.toString(), options)) {
                for (var e : inputs.entrySet()) {
                    String name = c.kind().equals("sdpa") ? Map.of("q", "query", "k", "key", "v", "value").get(e.getKey()) : e.getKey();
                    feeds.put(name, OnnxTensor.createTensor(env, OrtSettings.floats(e.getValue()), e.getValue().shape()));
                }
                float[] output;
                try (OrtSession.Result result = session.run(feeds)) {
                    FloatBuffer b = ((OnnxTensor) result.get(0)).getFloatBuffer();
                    output = new float[b.remaining()];
                    b.get(output);
                }
                WarmUp.run(warmup, () -> session.run(feeds).close());
                double[] ms = new double[repeat];
                for (int r = 0; r < repeat; r++) {
                    long t0 = System.nanoTime();
                    try (OrtSession.Result result = session.run(feeds)) {
                        ms[r] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                return PeerResult.of(output, ms);
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }
    }

    /** Runs the script; null when the graph was written, else why not. */
    private static String makeGraph(PeerCase c, Path graph, Path dir, Path script, String python)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(script)) {
            return "skipped: script not found: " + script;
        }
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--kind", c.kind(), "--heads",
                Integer.toString(c.heads()), "--out", graph.toString()));
        if (c.causal()) {
            cmd.add("--causal");
        }
        if (c.kind().equals("mha")) {
            cmd.addAll(List.of("--weights", dir.resolve("mha.safetensors").toString()));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return log.contains("No module named 'onnx'") ? "not installed: " + python
                    + " cannot import onnx (Debian: apt-get install python3-onnx)" : "error: " + String.join(" ", cmd) + ": " + log.strip();
        }
        return null;
    }
}
