package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.attn4j.Backend;
import org.attn4j.TestBackends;
import org.attn4j.Tensor;
import org.attn4j.internal.io.Json;
import org.attn4j.io.SafeTensors;
import org.attn4j.io.SafeTensorsFile;
import org.junit.jupiter.params.provider.Arguments;

/** The golden folders on the test class path: one folder per case, named after the case. */
final class GoldenFolders {
    private GoldenFolders() {
    }

    /**
     * A check of one golden case on one backend, given the case's files opened in {@code arena}:
     * the module ({@code model} = model.safetensors), its inputs ({@code in}, inputs.safetensors,
     * whose metadata "forward_kwargs" holds the forward's keyword arguments as JSON:
     * {@code kwargs}, empty when absent) and PyTorch's outputs ({@code want}, outputs.safetensors).
     */
    @FunctionalInterface
    interface CaseCheck {
        void check(Path model, Map<String, Tensor> in, Map<?, ?> kwargs, Map<String, Tensor> want, Backend backend,
                   Arena arena) throws IOException;
    }

    /** Opens case {@code name} under {@code root} in a confined arena and runs {@code check} on the backend of that name. */
    static void check(Path root, String name, String backendName, CaseCheck check) throws IOException {
        Backend backend = TestBackends.named(backendName);
        Path dir = root.resolve(name);
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile inputs = SafeTensors.open(dir.resolve("inputs.safetensors"), arena);
            String kwargs = inputs.metadata().get("forward_kwargs");
            check.check(dir.resolve("model.safetensors"), inputs.tensors(), kwargs == null ? Map.of() : (Map<?, ?>) Json.parse(kwargs),
                    SafeTensors.open(dir.resolve("outputs.safetensors"), arena).tensors(), backend, arena);
        }
    }

    /** The folder of test resource {@code resource} (e.g. "/golden-family-ref"). */
    static Path root(String resource) {
        try {
            return Path.of(GoldenFolders.class.getResource(resource).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** (case, backend name) for every case under {@code root} and both test backends ({@link TestBackends}). */
    static Stream<Arguments> onBothBackends(Path root) throws IOException {
        return cases(root).stream().flatMap(c -> Stream.of(Arguments.of(c, "native"), Arguments.of(c, "java")));
    }

    /** The module classes the cases under {@code root} hold ({@code model.safetensors}' metadata), sorted. */
    static java.util.SortedSet<String> classNames(Path root) throws IOException {
        java.util.SortedSet<String> classes = new java.util.TreeSet<>();
        for (String c : cases(root)) {
            classes.add(Models.className(root.resolve(c).resolve("model.safetensors")));
        }
        return classes;
    }

    /** The case names under {@code root}, sorted. */
    static List<String> cases(Path root) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
