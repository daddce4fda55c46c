package org.attn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.io.SafeTensors;
import org.attn4j.nn.AdditiveAttention;
import org.attn4j.nn.AttentionConsistency;
import org.attn4j.nn.AttentionProbe;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.attn4j.nn.LuongAttention;
import org.attn4j.nn.Models;
import org.attn4j.nn.Module;
import org.attn4j.nn.MultiheadAttention;
import org.attn4j.nn.TopKAttention;

/**
 * {@code attn4j consistency}: how much a module's attention maps move when its inputs are
 * perturbed ({@link AttentionConsistency}), one line per map and head.
 */
final class ConsistencyCommand {
    static final String USAGE = """
            attn4j consistency --model M.safetensors --inputs I.safetensors [--noise 0.01] [--samples 8] [--seed 0]
                               [--threads N] [--backend native|java]
              How far the attention maps move under input noise: every data input x becomes
              x + noise * rms(x) * N(0, 1) (masks stay), samples draws from seed; prints per head the mean
              Jensen-Shannon divergence in nats (0 .. ln 2 = 0.693) between clean and perturbed rows, over
              samples, batch and query rows. Inputs by name:
                LuongAttention, AdditiveAttention  queries keys values [key_padding_mask]
                TopKAttention                      x [context key_padding_mask]
                MultiheadAttention                 query [key value key_padding_mask attn_mask]
                BidirectionalCrossAttention        x context [mask context_mask rel_pos_bias] (maps attn, context_attn)""";

    private static final Set<String> VALUED = Set.of("--model", "--inputs", "--noise", "--samples", "--seed", "--threads",
            "--backend");

    private ConsistencyCommand() {
    }

    static int run(List<String> argv, PrintStream out) throws IOException {
        Args args = Args.parse("consistency", argv, VALUED, Set.of(), Set.of());
        Path model = RunCommand.existing(args.required("--model"), "--model");
        Path inputsFile = RunCommand.existing(args.required("--inputs"), "--inputs");
        double noise = number(args, "--noise", 0.01);
        int samples = args.integer("--samples", 8, 1, 1_000_000);
        long seed = seed(args);
        try (Arena arena = Arena.ofConfined(); Backend backend = RunCommand.backend("consistency", args);
             Module module = load(model, backend)) {
            Map<String, Tensor> inputs = SafeTensors.open(inputsFile, arena).tensors();
            AttentionProbe probe = AttentionProbe.of(module);
            Map<String, double[]> result = AttentionConsistency.measure(probe, inputs, noise, samples, seed);
            out.printf(Locale.ROOT, "%s: mean Jensen-Shannon divergence per head (nats, 0 .. ln 2), noise %s x rms, "
                    + "%d samples, seed %d%n", module, Double.toString(noise), samples, seed);
            result.forEach((map, heads) -> {
                for (int h = 0; h < heads.length; h++) {
                    out.printf(Locale.ROOT, "%s head %d: %.4e%n", map, h, heads[h]);
                }
            });
            return 0;
        }
    }

    /** The modules whose forward gives attention maps, by the class the file names. */
    private static Module load(Path model, Backend backend) throws IOException {
        String cls = Models.className(model);
        return switch (cls) {
            case LuongAttention.CLASS_NAME -> Models.load(model, LuongAttention.class, backend);
            case AdditiveAttention.CLASS_NAME -> Models.load(model, AdditiveAttention.class, backend);
            case TopKAttention.CLASS_NAME -> Models.load(model, TopKAttention.class, backend);
            case MultiheadAttention.CLASS_NAME -> Models.load(model, MultiheadAttention.class, backend);
            case BidirectionalCrossAttention.CLASS_NAME -> Models.load(model, BidirectionalCrossAttention.class, backend);
            default -> throw new UsageException("consistency: " + model + ": class " + cls + " gives no attention maps "
                    + "(expected LuongAttention, AdditiveAttention, TopKAttention, MultiheadAttention or "
                    + "BidirectionalCrossAttention)");
        };
    }

    private static double number(Args args, String option, double fallback) {
        String v = args.get(option);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("consistency: " + option + ": expected a finite number >= 0, got " + v);
    }

    private static long seed(Args args) {
        String v = args.get("--seed");
        try {
            return v == null ? 0 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException("consistency: --seed: expected an integer, got " + v);
        }
    }
}
