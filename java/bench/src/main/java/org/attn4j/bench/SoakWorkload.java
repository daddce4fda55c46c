package org.attn4j.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./attn4j bench soak [--threads 16] [--per-thread 625] [--forwards 100000] [--backend-threads 1]}:
 * runs {@link Soak} in a child JVM of the same JDK and class path, with a fixed, pre-touched
 * 256 MiB Java heap. Why a child: the heap flags must be given at start-up, and with them the
 * resident set moves only with native memory, which is what the soak watches.
 */
final class SoakWorkload {
    /** The child's heap options: fixed size, touched at start so that later growth is native. */
    static final List<String> HEAP = List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch");

    private SoakWorkload() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        List<String> cmd = command(args);
        err.println("attn4j bench soak: " + String.join(" ", cmd.subList(0, cmd.indexOf(Soak.class.getName()) + 1)) + " ...");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread killer = new Thread(p::destroyForcibly); // a Ctrl-C of the launcher ends the child too
        Runtime.getRuntime().addShutdownHook(killer);
        try (var in = p.getInputStream()) {
            in.transferTo(out);
        }
        int code = p.waitFor();
        Runtime.getRuntime().removeShutdownHook(killer);
        out.flush();
        return code;
    }

    /** java [heap options] --enable-native-access=ALL-UNNAMED [attn4j properties] -cp [this class path] Soak args. */
    static List<String> command(String[] args) {
        List<String> cmd = new ArrayList<>();
        List<String> java = javaCommand();
        cmd.add(java.getFirst());
        cmd.addAll(HEAP);
        cmd.addAll(java.subList(1, java.size()));
        cmd.add(Soak.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The start of a child JVM's command line, the main class to follow: this JDK's java,
     * --enable-native-access, the attn4j properties this JVM was given, and this class path.
     */
    static List<String> javaCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        for (String property : List.of("attn4j.root", "attn4j.shared", "attn4j.library.path")) {
            String value = System.getProperty(property);
            if (value != null) {
                cmd.add("-D" + property + "=" + value);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        return cmd;
    }
}
