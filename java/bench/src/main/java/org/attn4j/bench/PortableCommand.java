package org.attn4j.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bench command line as reports record it. Results are committed and shared, so they must not
 * carry the paths of the machine they were made on: an absolute path argument (alone or after
 * {@code --option=}) becomes relative to the checkout when it lies inside it, else its file name.
 */
final class PortableCommand {
    private PortableCommand() {
    }

    /** {@code ./attn4j bench} followed by the arguments, absolute paths shortened. */
    static String of(Path root, String... args) {
        List<String> parts = new ArrayList<>(List.of("./attn4j bench"));
        for (String arg : args) {
            int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
            parts.add(eq < 0 ? portable(root, arg) : arg.substring(0, eq + 1) + portable(root, arg.substring(eq + 1)));
        }
        return String.join(" ", parts);
    }

    static String portable(Path root, String value) {
        if (!value.startsWith("/")) {
            return value;
        }
        Path p = Path.of(value).normalize();
        Path r = root.toAbsolutePath().normalize();
        if (p.startsWith(r) && !p.equals(r)) {
            return r.relativize(p).toString();
        }
        Path name = p.getFileName();
        return name == null ? value : name.toString();
    }
}
