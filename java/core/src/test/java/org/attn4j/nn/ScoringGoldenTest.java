package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Luong's scores, top-k attention and the attention-consistency measure against PyTorch
 * implementations of their definitions (tools/golden/make_scoring_goldens.py), loaded from the
 * files by class, on both backends. The consistency cases carry PyTorch's standard normal draws,
 * so the whole measure (perturbation, JS in nats, per-head means) is compared, not just the JS.
 */
class ScoringGoldenTest {
    private static final Path ROOT = GoldenFolders.root("/golden-family-scoring");

    static Stream<Arguments> casesOnBackends() throws IOException {
        return GoldenFolders.onBothBackends(ROOT);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("casesOnBackends")
    void matchesThePyTorchDefinition(String name, String backendName) throws IOException {
        GoldenFolders.check(ROOT, name, backendName, (model, in, kwargs, want, backend, arena) -> {
            try (Module m = switch (Models.className(model)) {
                case LuongAttention.CLASS_NAME -> Models.load(model, LuongAttention.class, backend);
                case TopKAttention.CLASS_NAME -> Models.load(model, TopKAttention.class, backend);
                default -> throw new AssertionError(name + ": unexpected class " + Models.className(model));
            }) {
                if (name.startsWith("consistency")) {
                    consistency(name, m, in, kwargs, want.get("consistency"));
                    return;
                }
                AttentionOutput o = m instanceof LuongAttention luong
                        ? luong.forward(arena, in.get("queries"), in.get("keys"), in.get("values"), in.get("key_padding_mask"))
                        : ((TopKAttention) m).forward(arena, in.get("x"), in.get("context"), in.get("key_padding_mask"),
                                Boolean.TRUE.equals(kwargs.get("causal")));
                FamilyAssert.close(name + " output", o.output(), want.get("output"), 3e-5, 2e-4);
                FamilyAssert.close(name + " weights", o.weights(), want.get("weights"), 3e-5, 2e-4);
            }
        });
    }

    /** The measure on the golden's own draws (inputs noise.{sample}.{name}). */
    private static void consistency(String name, Module m, Map<String, Tensor> in, Map<?, ?> kwargs, Tensor want) {
        int samples = ((Number) kwargs.get("samples")).intValue();
        double noise = ((Number) kwargs.get("noise")).doubleValue();
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        List<Map<String, Tensor>> draws = new ArrayList<>();
        for (int s = 0; s < samples; s++) {
            draws.add(new LinkedHashMap<>());
        }
        in.forEach((key, t) -> {
            if (key.startsWith("noise.")) {
                String[] parts = key.split("\\.", 3);
                draws.get(Integer.parseInt(parts[1])).put(parts[2], t);
            } else {
                inputs.put(key, t);
            }
        });
        Map<String, double[]> got = AttentionConsistency.measure(AttentionProbe.of(m), inputs, noise, draws);
        assertEquals(1, got.size(), name + ": one map");
        double[] perHead = got.values().iterator().next();
        float[] w = want.toFloatArray();
        assertEquals(w.length, perHead.length, name + ": heads");
        for (int h = 0; h < w.length; h++) {
            // the golden is float32 (relative 6e-8); measured here: 7e-8 on both backends
            assertEquals(w[h], perHead[h], 1e-5 * Math.abs(w[h]), name + ": head " + h);
        }
    }

    @Test
    void everyScoreAndTheMeasureAreCovered() throws IOException {
        List<String> kinds = new ArrayList<>();
        for (String c : GoldenFolders.cases(ROOT)) {
            kinds.add(c.replaceAll("_.*", ""));
        }
        assertEquals(List.of("consistency", "consistency", "luong", "luong", "luong", "luong", "topk", "topk", "topk"), kinds);
    }
}
