package org.attn4j.nn;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.attn4j.TestBackends;
import org.junit.jupiter.params.provider.Arguments;

/** The golden folders on the test class path: one folder per case, named after the case. */
final class GoldenFolders {
    private GoldenFolders() {
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

    /** The case names under {@code root}, sorted. */
    static List<String> cases(Path root) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
