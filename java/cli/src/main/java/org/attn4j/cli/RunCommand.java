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
import org.attn4j.nn.Models;
import org.attn4j.nn.Module;
import org.attn4j.nn.ModuleClass;
import org.attn4j.nn.ModuleClasses;

/**
 * {@code attn4j run}: one forward pass of whichever module a safetensors model declares
 * ({@code __metadata__.class}, any of {@link ModuleClasses}), on inputs named as the reference's
 * forward arguments, with its boolean options from the inputs file's
 * {@code __metadata__.forward_kwargs} (flags override them), written to safetensors (or .npy files)
 * under the reference's output names.
 */
final class RunCommand {
    static final String USAGE = ("""
            attn4j run --model M.safetensors (--inputs I.safetensors | --input NAME=FILE.npy ...)
                       --output O.safetensors [--output-format safetensors|npy] [--threads N] [--backend native|java]
                       [--path auto|fused|materialised] [--return-attn | --no-return-attn]
                       [--need-weights true|false] [--average-attn-weights true|false]
              Any module class (__metadata__.class); inputs, options and outputs by the reference's names:
            """ + signatures() + """
              Options (forward_kwargs of the inputs file, JSON booleans; the flags above override return_attn,
              need_weights, average_attn_weights). Other forward_kwargs keys must name inputs (informational).
              --x, --context, --mask, --context-mask, --rel-pos-bias FILE.npy: --input x=FILE.npy ... for short.
              With --output-format npy, --output is a directory that receives one NAME.npy per output.
            """).stripTrailing();

    private static final Set<String> VALUED = Set.of("--model", "--inputs", "--output", "--output-format", "--threads",
            "--backend", "--path", "--x", "--context", "--mask", "--context-mask", "--rel-pos-bias", "--need-weights",
            "--average-attn-weights");
    private static final Set<String> FLAGS = Set.of("--return-attn", "--no-return-attn");
    /** Short forms of --input NAME=FILE.npy for the bidirectional modules' inputs. */
    private static final Map<String, String> INPUT_FLAGS = Map.of("--x", "x", "--context", "context", "--mask", "mask",
            "--context-mask", "context_mask", "--rel-pos-bias", "rel_pos_bias");

    private RunCommand() {
    }

    /** One line per module class: required inputs [optional inputs] {options} -> outputs. */
    private static String signatures() {
        StringBuilder sb = new StringBuilder();
        for (ModuleClass c : ModuleClasses.all()) {
            List<String> optional = c.inputs().subList(c.requiredInputs().size(), c.inputs().size());
            sb.append(String.format(Locale.ROOT, "    %-39s %s%s%s -> %s%n", c.name(), String.join(" ", c.requiredInputs()),
                    optional.isEmpty() ? "" : " [" + String.join(" ", optional) + "]",
                    c.options().isEmpty() ? "" : " {" + String.join(" ", c.options().keySet()) + "}",
                    String.join(" ", c.outputs())));
        }
        return sb.toString();
    }

    static int run(List<String> argv, PrintStream out) throws IOException {
        Args args = Args.parse("run", argv, VALUED, FLAGS, Set.of("--input"));
        Path model = existing(args.required("--model"), "--model");
        Path output = Path.of(args.required("--output"));
        boolean npyOut = switch (args.get("--output-format") == null ? "safetensors" : args.get("--output-format")) {
            case "safetensors" -> false;
            case "npy" -> true;
            default -> throw new UsageException("run: --output-format: expected safetensors or npy, got "
                    + args.get("--output-format"));
        };
        AttentionPath path = parsePath(args.get("--path"));
        if (args.has("--return-attn") && args.has("--no-return-attn")) {
            throw new UsageException("run: --return-attn and --no-return-attn contradict each other");
        }
        ModuleClass cls = moduleClass(model);
        if (path != AttentionPath.AUTO && !cls.choosesPath()) {
            throw new UsageException("run: --path: " + cls.name() + " has one path (--path applies to modules with a choice)");
        }
        try (Arena arena = Arena.ofConfined();
             Backend backend = backend("run", args);
             Module module = cls.load(model, backend)) {
            Inputs in = readInputs(args, cls, arena);
            Map<String, Boolean> options = new LinkedHashMap<>(in.options());
            if (args.has("--return-attn") || args.has("--no-return-attn")) {
                option(cls, "--return-attn", "return_attn", args.has("--return-attn"), options);
            }
            for (String flag : List.of("--need-weights", "--average-attn-weights")) {
                if (args.has(flag)) {
                    option(cls, flag, flag.substring(2).replace('-', '_'), bool(flag, args.get(flag)), options);
                }
            }
            long start = System.nanoTime();
            Map<String, Tensor> result = cls.forward(module, arena, in.tensors(), options, path);
            double ms = (System.nanoTime() - start) / 1e6;
            write(output, npyOut, result);
            out.printf(Locale.ROOT, "%s: %s in %.1f ms on %s (%d threads) -> %s%n", module, shapes(result), ms,
                    backend.name(), backend.threads(), output);
            if (module instanceof BidirectionalModule bidirectional) { // the path its forward took
                boolean returnAttn = options.getOrDefault("return_attn", cls.options().getOrDefault("return_attn", false));
                BidirectionalOptions asked = BidirectionalOptions.builder().returnAttn(returnAttn).path(path).build();
                out.println("path: " + describePath(path, bidirectional.pathFor(in.tensors().get("x"),
                        in.tensors().get("context"), asked)));
            }
            return 0;
        }
    }

    /**
     * How a path is reported: "fused (auto: by the shape)" when AUTO chose it, "fused (asked)"
     * when {@code --path} named it. Lower case, as --path spells it.
     */
    static String describePath(AttentionPath asked, AttentionPath taken) {
        return taken.name().toLowerCase(Locale.ROOT) + (asked == AttentionPath.AUTO ? " (auto: by the shape)" : " (asked)");
    }

    /** The module class the model file names; a UsageException names the file and the known classes. */
    static ModuleClass moduleClass(Path model) throws IOException {
        String name = Models.className(model);
        try {
            return ModuleClasses.of(name);
        } catch (IllegalArgumentException e) {
            throw new UsageException("run: " + model + ": " + e.getMessage());
        }
    }

    private static void option(ModuleClass cls, String flag, String name, boolean value, Map<String, Boolean> options) {
        if (!cls.options().containsKey(name)) {
            throw new UsageException("run: " + flag + ": " + cls.name() + " has no " + name + " option");
        }
        options.put(name, value);
    }

    private static boolean bool(String flag, String value) {
        if (!value.equals("true") && !value.equals("false")) {
            throw new UsageException("run: " + flag + ": expected true or false, got " + value);
        }
        return Boolean.parseBoolean(value);
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

    /** Named input tensors plus the boolean options of the inputs file's forward_kwargs. */
    record Inputs(Map<String, Tensor> tensors, Map<String, Boolean> options) {
    }

    /**
     * The inputs of a forward of {@code cls}: from --inputs (safetensors, with forward_kwargs) or
     * from --input NAME=FILE.npy and the short forms (--x FILE.npy ...); names checked against the
     * class's, required ones present.
     */
    static Inputs readInputs(Args args, ModuleClass cls, Arena arena) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        String kwargs = null;
        List<String> npy = new java.util.ArrayList<>(args.all("--input"));
        INPUT_FLAGS.forEach((flag, name) -> {
            if (args.has(flag)) {
                npy.add(name + "=" + args.get(flag));
            }
        });
        if (args.has("--inputs")) {
            if (!npy.isEmpty()) {
                throw new UsageException("run: give either --inputs or --input NAME=FILE.npy (--x ...), not both");
            }
            SafeTensorsFile file = SafeTensors.open(existing(args.get("--inputs"), "--inputs"), arena);
            tensors.putAll(file.tensors());
            kwargs = file.metadata().get("forward_kwargs");
        } else {
            for (String spec : npy) {
                int eq = spec.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("run: --input: expected NAME=FILE.npy, got " + spec);
                }
                String name = spec.substring(0, eq);
                if (tensors.containsKey(name)) {
                    throw new UsageException("run: --input: " + name + " given twice");
                }
                tensors.put(name, Npy.read(existing(spec.substring(eq + 1), "--input " + name), arena));
            }
        }
        for (String name : tensors.keySet()) {
            if (!cls.inputs().contains(name)) {
                throw new UsageException("inputs: unexpected tensor " + name + " for " + cls.name() + " (expected "
                        + String.join(", ", cls.inputs()) + ")");
            }
        }
        for (String name : cls.requiredInputs()) {
            if (!tensors.containsKey(name)) {
                throw new UsageException("inputs: missing " + name + " (give --inputs with tensor " + name + " or --input "
                        + name + "=FILE.npy)");
            }
        }
        return new Inputs(tensors, kwargs == null ? Map.of() : forwardKwargs(kwargs, cls));
    }

    /** The forward_kwargs JSON object: booleans for the options of {@code cls}; input names are informational. */
    static Map<String, Boolean> forwardKwargs(String json, ModuleClass cls) {
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new UsageException("inputs: __metadata__.forward_kwargs is not valid JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new UsageException("inputs: __metadata__.forward_kwargs: expected a JSON object");
        }
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (cls.options().containsKey(key)) {
                if (!(e.getValue() instanceof Boolean b)) {
                    throw new UsageException("inputs: forward_kwargs." + key + ": expected true or false, got " + e.getValue());
                }
                out.put(key, b);
            } else if (!cls.inputs().contains(key)) {
                throw new UsageException("inputs: forward_kwargs: unknown argument " + key + " for " + cls.name() + " (expected "
                        + (cls.options().isEmpty() ? "no options" : String.join(", ", cls.options().keySet()))
                        + " or an input name)");
            }
        }
        return out;
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
