package org.attn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.internal.io.Json;
import org.attn4j.io.Npy;
import org.attn4j.io.SafeTensors;
import org.attn4j.io.SafeTensorsFile;
import org.attn4j.nn.AttentionPath;
import org.attn4j.nn.BidirectionalModule;
import org.attn4j.nn.BidirectionalOptions;
import org.attn4j.nn.BidirectionalOutput;
import org.attn4j.nn.Models;

/**
 * {@code attn4j run}: one forward pass of the module a safetensors model declares, on inputs
 * named as the reference's forward arguments, written to safetensors (or .npy files).
 */
final class RunCommand {
    static final String USAGE = """
            attn4j run --model M.safetensors (--inputs I.safetensors | --x X.npy --context C.npy
                       [--mask M.npy] [--context-mask CM.npy] [--rel-pos-bias B.npy])
                       --output O.safetensors [--output-format safetensors|npy] [--return-attn | --no-return-attn]
                       [--threads N] [--backend native|java] [--path auto|fused|materialised]
              Inputs by the reference's names: x, context, mask, context_mask (BOOL), rel_pos_bias.
              The inputs file's __metadata__.forward_kwargs (JSON) may set return_attn; flags override it.
              With --output-format npy, --output is a directory that receives out.npy, context_out.npy, ...
            """ + FamilyRun.USAGE;

    private static final Set<String> VALUED = Set.of("--model", "--inputs", "--output", "--output-format", "--threads",
            "--backend", "--path", "--x", "--context", "--mask", "--context-mask", "--rel-pos-bias");
    private static final Set<String> FLAGS = Set.of("--return-attn", "--no-return-attn");

    private RunCommand() {
    }

    static int run(List<String> argv, PrintStream out) throws IOException {
        if (FamilyRun.handles(argv)) { // PyTorch attention-family model files (MultiheadAttention, Transformer*Layer)
            return FamilyRun.run(argv, out);
        }
        Args args = Args.parse("run", argv, VALUED, FLAGS, Set.of());
        Path model = existing(args.required("--model"), "--model");
        Path output = Path.of(args.required("--output"));
        boolean npyOut = switch (args.get("--output-format") == null ? "safetensors" : args.get("--output-format")) {
            case "safetensors" -> false;
            case "npy" -> true;
            default -> throw new UsageException("run: --output-format: expected safetensors or npy, got "
                    + args.get("--output-format"));
        };
        AttentionPath path = parsePath(args.get("--path"));
        try (Arena arena = Arena.ofConfined();
             Backend backend = backend("run", args);
             BidirectionalModule module = Models.loadBidirectional(model, backend)) {
            Inputs in = readInputs(args, arena);
            if (args.has("--return-attn") && args.has("--no-return-attn")) {
                throw new UsageException("run: --return-attn and --no-return-attn contradict each other");
            }
            boolean returnAttn = args.has("--return-attn") || in.returnAttn && !args.has("--no-return-attn");
            BidirectionalOptions options = BidirectionalOptions.builder().mask(in.tensors.get("mask"))
                    .contextMask(in.tensors.get("context_mask")).relPosBias(in.tensors.get("rel_pos_bias"))
                    .returnAttn(returnAttn).path(path).build();
            long start = System.nanoTime();
            BidirectionalOutput o = module.forward(arena, in.tensors.get("x"), in.tensors.get("context"), options);
            double ms = (System.nanoTime() - start) / 1e6;
            Map<String, Tensor> result = new LinkedHashMap<>();
            result.put("out", o.out());
            result.put("context_out", o.contextOut());
            if (o.attn() != null) {
                result.put("attn", o.attn());
                result.put("context_attn", o.contextAttn());
            }
            write(output, npyOut, result);
            out.printf(Locale.ROOT, "%s: %s in %.1f ms on %s (%d threads) -> %s%n", module, shapes(result), ms,
                    backend.name(), backend.threads(), output);
            return 0;
        }
    }

    /** The backend --backend (default: -Dattn4j.backend, else native) with --threads names. */
    static Backend backend(String command, Args args) {
        int threads = args.integer("--threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
        String name = args.get("--backend") == null ? System.getProperty("attn4j.backend", "native") : args.get("--backend");
        return switch (name) {
            case "native" -> Backends.nativeBackend(threads);
            case "java" -> Backends.javaReference();
            default -> throw new UsageException(command + ": --backend: expected native or java, got " + name);
        };
    }

    static AttentionPath parsePath(String value) {
        if (value == null) {
            return AttentionPath.AUTO;
        }
        return switch (value) {
            case "auto" -> AttentionPath.AUTO;
            case "fused" -> AttentionPath.FUSED;
            case "materialised", "materialized" -> AttentionPath.MATERIALISED;
            default -> throw new UsageException("--path: expected auto, fused or materialised, got " + value);
        };
    }

    /** Named input tensors plus forward options from the file's metadata. */
    record Inputs(Map<String, Tensor> tensors, boolean returnAttn) {
    }

    static Inputs readInputs(Args args, Arena arena) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        boolean returnAttn = false;
        if (args.has("--inputs")) {
            if (args.has("--x") || args.has("--context")) {
                throw new UsageException("run: give either --inputs or --x/--context, not both");
            }
            SafeTensorsFile file = SafeTensors.open(existing(args.get("--inputs"), "--inputs"), arena);
            for (Map.Entry<String, Tensor> e : file.tensors().entrySet()) {
                if (!Set.of("x", "context", "mask", "context_mask", "rel_pos_bias").contains(e.getKey())) {
                    throw new UsageException("inputs: unexpected tensor " + e.getKey()
                            + " (expected x, context, mask, context_mask, rel_pos_bias)");
                }
                tensors.put(e.getKey(), e.getValue());
            }
            returnAttn = forwardKwargsReturnAttn(file.metadata().get("forward_kwargs"));
        } else {
            npy(args, "--x", "x", tensors, arena);
            npy(args, "--context", "context", tensors, arena);
            npy(args, "--mask", "mask", tensors, arena);
            npy(args, "--context-mask", "context_mask", tensors, arena);
            npy(args, "--rel-pos-bias", "rel_pos_bias", tensors, arena);
        }
        for (String name : List.of("x", "context")) {
            if (!tensors.containsKey(name)) {
                throw new UsageException("inputs: missing " + name + " (give --inputs with tensor " + name
                        + " or --" + name + " FILE.npy)");
            }
        }
        return new Inputs(tensors, returnAttn);
    }

    private static void npy(Args args, String option, String name, Map<String, Tensor> into, Arena arena) throws IOException {
        if (args.has(option)) {
            into.put(name, Npy.read(existing(args.get(option), option), arena));
        }
    }

    /** return_attn of the forward_kwargs JSON object (other keys name the inputs and are informational). */
    static boolean forwardKwargsReturnAttn(String json) {
        if (json == null) {
            return false;
        }
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new UsageException("inputs: __metadata__.forward_kwargs is not valid JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> kwargs)) {
            throw new UsageException("inputs: __metadata__.forward_kwargs: expected a JSON object");
        }
        for (Map.Entry<?, ?> e : kwargs.entrySet()) {
            switch (String.valueOf(e.getKey())) {
                case "return_attn" -> {
                    if (!(e.getValue() instanceof Boolean)) {
                        throw new UsageException("inputs: forward_kwargs.return_attn: expected true or false, got " + e.getValue());
                    }
                }
                case "mask", "context_mask", "rel_pos_bias" -> { }
                default -> throw new UsageException("inputs: forward_kwargs: unknown argument " + e.getKey());
            }
        }
        return Boolean.TRUE.equals(kwargs.get("return_attn"));
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

    static Path existing(String value, String option) {
        Path p = Path.of(value);
        if (!Files.isRegularFile(p)) {
            throw new UsageException(option + ": no such file: " + value);
        }
        return p;
    }

    private static String shapes(Map<String, Tensor> tensors) {
        StringBuilder sb = new StringBuilder();
        tensors.forEach((k, t) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(' ')
                .append(java.util.Arrays.toString(t.shape())));
        return sb.toString();
    }
}
