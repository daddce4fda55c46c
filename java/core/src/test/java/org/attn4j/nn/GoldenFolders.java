package org.attn4j.nn;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

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

    /** The case names under {@code root}, sorted. */
    static List<String> cases(Path root) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
