package org.attn4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.TestBackends;
import org.attn4j.Tensor;
import org.attn4j.io.SafeTensors;
import org.attn4j.nn.Module;
import org.attn4j.nn.ModuleClass;
import org.attn4j.nn.ModuleClasses;
import org.attn4j.nn.ModuleRegistry;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The module contract's {@code attn4j run} promise, on every entry of java/core's
 * {@link ModuleRegistry} (every module class): save a module, run the command line in process on
 * inputs of the registry's shapes, and get the bits the module's typed forward gives, under the
 * class's output names.
 */
class RunContractTest {
    private static final Backend BACKEND = TestBackends.nativeBackend();
    private static final List<ModuleRegistry.Case> CASES = ModuleRegistry.CASES;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void runGivesWhatForwardGives(ModuleRegistry.Case c) throws IOException {
        Path model = tmp.resolve("model.safetensors");
        Path inputs = tmp.resolve("inputs.safetensors");
        Path output = tmp.resolve("output.safetensors");
        ModuleClass cls = ModuleClasses.of(c.name());
        try (Module m = c.build().apply(BACKEND); Arena arena = Arena.ofConfined()) {
            m.save(model);
            Tensor[] in = new Tensor[c.inputs().length];
            Map<String, Tensor> named = new LinkedHashMap<>();
            for (int k = 0; k < in.length; k++) {
                in[k] = Tensor.randn(arena, 40 + k, c.inputs()[k]);
                named.put(c.names()[k], in[k]);
            }
            SafeTensors.write(inputs, named, Map.of());
            Tensor[] want = c.forward().run(m, arena, in);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"run", "--model", model.toString(), "--inputs", inputs.toString(), "--output",
                output.toString(), "--threads", "2"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, code, c + ": " + err.toString(StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith(m.toString()), out.toString(StandardCharsets.UTF_8));

            Map<String, Tensor> got = SafeTensors.open(output, arena).tensors();
            List<String> names = List.copyOf(got.keySet());
            assertEquals(cls.outputs().subList(0, names.size()), names, c + ": output names (the class's, in order)");
            for (int k = 0; k < want.length; k++) {
                Tensor g = got.get(cls.outputs().get(k));
                assertArrayEquals(want[k].shape(), g.shape(), c + " " + names.get(k));
                float[] w = want[k].toFloatArray();
                float[] v = g.toFloatArray();
                for (int e = 0; e < w.length; e++) {
                    if (Float.floatToRawIntBits(w[e]) != Float.floatToRawIntBits(v[e])) {
                        throw new AssertionError(c + " " + names.get(k) + " element " + e + ": run gave " + v[e]
                                + ", forward " + w[e]);
                    }
                }
            }
        }
    }
}
