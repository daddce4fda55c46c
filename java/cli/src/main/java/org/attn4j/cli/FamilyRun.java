package org.attn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.io.Json;
import org.attn4j.io.Npy;
import org.attn4j.io.SafeTensors;
import org.attn4j.io.SafeTensorsFile;
import org.attn4j.nn.AttentionOutput;
import org.attn4j.nn.AttentionPath;
import org.attn4j.nn.DecoderLayerOptions;
import org.attn4j.nn.EncoderLayerOptions;
import org.attn4j.nn.MhaOptions;
import org.attn4j.nn.Models;
import org.attn4j.nn.MultiheadAttention;
import org.attn4j.nn.TransformerDecoderLayer;
import org.attn4j.nn.TransformerEncoderLayer;

/**
 * {@code attn4j run} for the PyTorch attention family: MultiheadAttention,
 * TransformerEncoderLayer and TransformerDecoderLayer model files (dispatched on
 * {@code __metadata__.class}), inputs and outputs by PyTorch's argument names, forward options
 * from the inputs file's {@code __metadata__.forward_kwargs} JSON.
 */
final class FamilyRun {
    static final String USAGE = """
            attn4j run --model M.safetensors (--inputs I.safetensors | --input NAME=FILE.npy ...)
                       --output O.safetensors [--output-format safetensors|npy] [--need-weights true|false]
                       [--average-attn-weights true|false] [--threads N] [--backend native|java]
                       [--path auto|fused|materialised]
              For PyTorch modules (__metadata__.class), inputs and outputs by PyTorch's names:
                MultiheadAttention       query [key value key_padding_mask attn_mask] -> attn_output [attn_output_weights]
                TransformerEncoderLayer  src [src_mask src_key_padding_mask] -> output
                TransformerDecoderLayer  tgt memory [tgt_mask memory_mask tgt_key_padding_mask
                                         memory_key_padding_mask] -> output
              forward_kwargs may set need_weights, average_attn_weights, is_causal (MultiheadAttention,
              TransformerEncoderLayer), tgt_is_causal, memory_is_causal (TransformerDecoderLayer).""";

    private static final Map<String, List<String>> INPUTS = Map.of(
            MultiheadAttention.CLASS_NAME, List.of("query", "key", "value", "key_padding_mask", "attn_mask"),
            TransformerEncoderLayer.CLASS_NAME, List.of("src", "src_mask", "src_key_padding_mask"),
            TransformerDecoderLayer.CLASS_NAME, List.of("tgt", "memory", "tgt_mask", "memory_mask", "tgt_key_padding_mask",
                    "memory_key_padding_mask"));
    private static final Map<String, Set<String>> KWARGS = Map.of(
            MultiheadAttention.CLASS_NAME, Set.of("need_weights", "average_attn_weights", "is_causal"),
            TransformerEncoderLayer.CLASS_NAME, Set.of("is_causal"),
            TransformerDecoderLayer.CLASS_NAME, Set.of("tgt_is_causal", "memory_is_causal"));
    private static final Set<String> VALUED = Set.of("--model", "--inputs", "--output", "--output-format", "--threads",
            "--backend", "--path", "--need-weights", "--average-attn-weights");

    private FamilyRun() {
    }

    /**
     * True when {@code argv} names (with --model) a readable model file whose class this command
     * runs. Cheap: reads the safetensors header only. A file that cannot be read as a model is
     * not ours: RunCommand then reports the problem as it reports it for every model.
     */
    static boolean handles(List<String> argv) {
        String model = null;
        for (int k = 0; k < argv.size(); k++) {
            String a = argv.get(k);
            if (a.equals("--model") && k + 1 < argv.size()) {
                model = argv.get(k + 1);
            } else if (a.startsWith("--model=")) {
                model = a.substring("--model=".length());
            }
        }
        if (model == null || !Files.isRegularFile(Path.of(model))) {
            return false;
        }
        try {
            return INPUTS.containsKey(Models.className(Path.of(model)));
        } catch (IOException | RuntimeException e) { // not a model file: RunCommand's message covers it
            return false;
        }
    }

    static int run(List<String> argv, PrintStream out) throws IOException {
        Args args = Args.parse("run", argv, VALUED, Set.of(), Set.of("--input"));
        Path model = RunCommand.existing(args.required("--model"), "--model");
        Path output = Path.of(args.required("--output"));
        String format = args.get("--output-format") == null ? "safetensors" : args.get("--output-format");
        if (!format.equals("safetensors") && !format.equals("npy")) {
            throw new UsageException("run: --output-format: expected safetensors or npy, got " + format);
        }
        AttentionPath path = RunCommand.parsePath(args.get("--path"));
        String cls = Models.className(model);
        try (Arena arena = Arena.ofConfined(); Backend backend = RunCommand.backend("run", args)) {
            Map<String, Object> kwargs = new LinkedHashMap<>();
            Map<String, Tensor> in = inputs(args, cls, arena, kwargs);
            override(args, "--need-weights", "need_weights", kwargs);
            override(args, "--average-attn-weights", "average_attn_weights", kwargs);
            Map<String, Tensor> result = new LinkedHashMap<>();
            long start = System.nanoTime();
            String described;
            switch (cls) {
                case MultiheadAttention.CLASS_NAME -> {
                    try (MultiheadAttention m = MultiheadAttention.load(model, backend)) {
                        described = m.toString();
                        Tensor query = required(in, "query");
                        boolean needWeights = flag(kwargs, "need_weights", true);
                        AttentionOutput o = m.forward(arena, query, in.getOrDefault("key", query),
                                in.getOrDefault("value", in.getOrDefault("key", query)), MhaOptions.builder()
                                        .keyPaddingMask(in.get("key_padding_mask")).attnMask(in.get("attn_mask"))
                                        .needWeights(needWeights).averageAttnWeights(flag(kwargs, "average_attn_weights", true))
                                        .isCausal(flag(kwargs, "is_causal", false)).path(path).build());
                        result.put("attn_output", o.output());
                        if (o.weights() != null) {
                            result.put("attn_output_weights", o.weights());
                        }
                    }
                }
                case TransformerEncoderLayer.CLASS_NAME -> {
                    try (TransformerEncoderLayer m = TransformerEncoderLayer.load(model, backend)) {
                        described = m.toString();
                        result.put("output", m.forward(arena, required(in, "src"), new EncoderLayerOptions(in.get("src_mask"),
                                in.get("src_key_padding_mask"), flag(kwargs, "is_causal", false), path)));
                    }
                }
                case TransformerDecoderLayer.CLASS_NAME -> {
                    try (TransformerDecoderLayer m = TransformerDecoderLayer.load(model, backend)) {
                        described = m.toString();
                        result.put("output", m.forward(arena, required(in, "tgt"), required(in, "memory"),
                                new DecoderLayerOptions(in.get("tgt_mask"), in.get("memory_mask"),
                                        in.get("tgt_key_padding_mask"), in.get("memory_key_padding_mask"),
                                        flag(kwargs, "tgt_is_causal", false), flag(kwargs, "memory_is_causal", false), path)));
                    }
                }
                default -> throw new UsageException("run: " + model + ": class " + cls + " is not a PyTorch family module");
            }
            double ms = (System.nanoTime() - start) / 1e6;
            write(output, format.equals("npy"), result);
            StringBuilder shapes = new StringBuilder();
            result.forEach((k, t) -> shapes.append(shapes.isEmpty() ? "" : ", ").append(k).append(' ').append(Arrays.toString(t.shape())));
            out.printf(Locale.ROOT, "%s: %s in %.1f ms on %s (%d threads) -> %s%n", described, shapes, ms, backend.name(),
                    backend.threads(), output);
            return 0;
        }
    }

    /** Inputs by PyTorch's names from --inputs (safetensors) or --input NAME=FILE.npy; forward_kwargs into kwargs. */
    private static Map<String, Tensor> inputs(Args args, String cls, Arena arena, Map<String, Object> kwargs) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        if (args.has("--inputs")) {
            if (!args.all("--input").isEmpty()) {
                throw new UsageException("run: give either --inputs or --input NAME=FILE.npy, not both");
            }
            SafeTensorsFile file = SafeTensors.open(RunCommand.existing(args.get("--inputs"), "--inputs"), arena);
            tensors.putAll(file.tensors());
            checkNames(tensors, cls);
            String json = file.metadata().get("forward_kwargs");
            if (json != null) {
                kwargs.putAll(kwargs(json, cls));
            }
        } else {
            for (String spec : args.all("--input")) {
                int eq = spec.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("run: --input: expected NAME=FILE.npy, got " + spec);
                }
                String name = spec.substring(0, eq);
                if (tensors.containsKey(name)) {
                    throw new UsageException("run: --input: " + name + " given twice");
                }
                tensors.put(name, Npy.read(RunCommand.existing(spec.substring(eq + 1), "--input " + name), arena));
            }
        }
        checkNames(tensors, cls);
        return tensors;
    }

    private static void checkNames(Map<String, Tensor> tensors, String cls) {
        List<String> allowed = INPUTS.get(cls);
        for (String name : tensors.keySet()) {
            if (!allowed.contains(name)) {
                throw new UsageException("inputs: unexpected tensor " + name + " for " + cls + " (expected "
                        + String.join(", ", allowed) + ")");
            }
        }
    }

    /** The forward_kwargs JSON object: booleans for the options of {@code cls}; tensor names are informational. */
    static Map<String, Object> kwargs(String json, String cls) {
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new UsageException("inputs: __metadata__.forward_kwargs is not valid JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new UsageException("inputs: __metadata__.forward_kwargs: expected a JSON object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (KWARGS.get(cls).contains(key)) {
                if (!(e.getValue() instanceof Boolean)) {
                    throw new UsageException("inputs: forward_kwargs." + key + ": expected true or false, got " + e.getValue());
                }
                out.put(key, e.getValue());
            } else if (!INPUTS.get(cls).contains(key)) {
                throw new UsageException("inputs: forward_kwargs: unknown argument " + key + " for " + cls + " (expected "
                        + String.join(", ", KWARGS.get(cls)) + " or an input name)");
            }
        }
        return out;
    }

    private static void override(Args args, String option, String key, Map<String, Object> kwargs) {
        String v = args.get(option);
        if (v == null) {
            return;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new UsageException("run: " + option + ": expected true or false, got " + v);
        }
        kwargs.put(key, Boolean.valueOf(v));
    }

    private static boolean flag(Map<String, Object> kwargs, String key, boolean fallback) {
        Object v = kwargs.get(key);
        return v == null ? fallback : (Boolean) v;
    }

    private static Tensor required(Map<String, Tensor> in, String name) {
        Tensor t = in.get(name);
        if (t == null) {
            throw new UsageException("inputs: missing " + name + " (give --inputs with tensor " + name + " or --input "
                    + name + "=FILE.npy)");
        }
        return t;
    }

    private static void write(Path output, boolean npy, Map<String, Tensor> result) throws IOException {
        if (!npy) {
            SafeTensors.write(output, result, Map.of());
            return;
        }
        Files.createDirectories(output);
        for (Map.Entry<String, Tensor> e : result.entrySet()) {
            Npy.write(output.resolve(e.getKey() + ".npy"), e.getValue());
        }
    }
}
