package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.attn4j.Backend;
import org.attn4j.TestBackends;
import org.attn4j.Tensor;
import org.attn4j.io.SafeTensors;
import org.attn4j.io.SafeTensorsFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden case (src/test/resources/golden: the PyTorch reference's own outputs) through the
 * public API, on both backends and both attention paths, within the tolerances case.json suggests.
 */
class GoldenCasesTest {
    private static final Backend NATIVE = TestBackends.nativeBackend();
    private static final Backend JAVA = TestBackends.javaReference();

    /** name, atol of out/context_out, atol of attn, rtol (from each case.json). */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("bca_basic", 1e-5, 2e-6, 1e-4),
                Arguments.of("bca_masks", 1e-5, 2e-6, 1e-4),
                Arguments.of("bca_talking_prenorm", 1e-6, 1e-6, 1e-4),
                Arguments.of("bcat_depth2", 5e-6, 0.0, 1e-4));
    }

    static Stream<Arguments> casesOnBothBackendsAndPaths() {
        // Backends by name: JUnit closes AutoCloseable arguments after each invocation.
        return cases().flatMap(c -> Stream.of("native", "java").flatMap(b -> Stream.of(AttentionPath.MATERIALISED,
                AttentionPath.FUSED).map(p -> Arguments.of(c.get()[0], c.get()[1], c.get()[2], c.get()[3], b, p))));
    }

    @ParameterizedTest(name = "{0} on {4}, {5}")
    @MethodSource("casesOnBothBackendsAndPaths")
    void matchesPyTorch(String name, double atol, double attnAtol, double rtol, String backendName, AttentionPath path)
            throws IOException {
        Backend backend = backendName.equals("native") ? NATIVE : JAVA;
        Path dir = Golden.dir(name);
        try (Arena arena = Arena.ofConfined();
             BidirectionalModule model = Models.loadBidirectional(dir.resolve("model.safetensors"), backend)) {
            SafeTensorsFile inputs = SafeTensors.open(dir.resolve("inputs.safetensors"), arena);
            SafeTensorsFile outputs = SafeTensors.open(dir.resolve("outputs.safetensors"), arena);
            Map<String, Tensor> in = inputs.tensors();
            boolean returnAttn = outputs.tensors().containsKey("attn") && path == AttentionPath.MATERIALISED;
            BidirectionalOptions options = BidirectionalOptions.builder().mask(in.get("mask")).contextMask(in.get("context_mask"))
                    .relPosBias(in.get("rel_pos_bias")).returnAttn(returnAttn).path(path).build();
            BidirectionalOutput got = model.forward(arena, in.get("x"), in.get("context"), options);
            Golden.assertClose(name + " out", got.out(), outputs.tensor("out"), atol, rtol);
            Golden.assertClose(name + " context_out", got.contextOut(), outputs.tensor("context_out"), atol, rtol);
            if (returnAttn) {
                Golden.assertClose(name + " attn", got.attn(), outputs.tensor("attn"), attnAtol, rtol);
                Golden.assertClose(name + " context_attn", got.contextAttn(), outputs.tensor("context_attn"), attnAtol, rtol);
            } else {
                assertNull(got.attn());
            }
        }
    }
}
