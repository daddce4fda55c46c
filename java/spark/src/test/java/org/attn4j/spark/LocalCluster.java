package org.attn4j.spark;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * A Spark standalone cluster on 127.0.0.1 made of separate JVMs started from Spark's own classes:
 * one Master and {@code workers} Workers of one core each. Its SPARK_HOME is a folder whose
 * {@code jars/} links the Spark jars of this class path and nothing of attn4j, so executors get
 * attn4j only from the jars the application ships ({@code spark.jars}). {@link #close()} ends
 * every process it started (executors first), also when the test fails.
 */
final class LocalCluster implements AutoCloseable {
    private final Path home;
    private final List<Process> processes = new ArrayList<>();
    final int masterPort;

    LocalCluster(Path home, int workers, String workerMemory) throws IOException, InterruptedException {
        this.home = home;
        Path jars = Files.createDirectories(home.resolve("jars"));
        List<String> sparkClassPath = new ArrayList<>();
        for (String entry : classPath()) {
            Path p = Path.of(entry);
            if (Files.isRegularFile(p) && p.toString().endsWith(".jar") && !isAttn4j(p)) {
                Path link = jars.resolve(p.getFileName());
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p.toAbsolutePath());
                }
                sparkClassPath.add(p.toString());
            }
        }
        masterPort = freePort();
        try {
            start("master", "org.apache.spark.deploy.master.Master", sparkClassPath, "--host", "127.0.0.1", "--port",
                    String.valueOf(masterPort), "--webui-port", String.valueOf(freePort()));
            awaitPort(masterPort, 90_000);
            for (int w = 0; w < workers; w++) {
                Path workDir = Files.createDirectories(home.resolve("work-" + w));
                start("worker-" + w, "org.apache.spark.deploy.worker.Worker", sparkClassPath, "--host", "127.0.0.1", "--cores", "1",
                        "--memory", workerMemory, "--work-dir", workDir.toString(), "--webui-port", String.valueOf(freePort()),
                        masterUrl());
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** Worker {@code w}'s work folder: one app-*&#47;&lt;executor&gt; folder per executor it ran. */
    Path workDir(int w) {
        return home.resolve("work-" + w);
    }

    /** A process's log (stdout and stderr). */
    Path log(String name) {
        return home.resolve(name + ".log");
    }

    private void start(String name, String mainClass, List<String> classPath, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray())); // Spark's own JDK 17+ flags
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-cp", String.join(File.pathSeparator, classPath), mainClass));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(name).toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().remove("SPARK_TESTING"); // testing mode would hand executors the parent's class path
        pb.environment().remove("SPARK_CONF_DIR");
        processes.add(pb.start());
    }

    @Override
    public void close() {
        // executors are the workers' children: end them with their parents, leaves first
        for (Process p : processes.reversed()) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        processes.clear();
    }

    /** This JVM's class path entries. */
    static List<String> classPath() {
        return Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
    }

    /** attn4j's own class path entries (bindings, core with its natives, spark). */
    static boolean isAttn4j(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith("attn4j-") || p.endsWith("classes") || p.endsWith("test-classes");
    }

    /**
     * attn4j's main jars, as an application ships them with spark.jars: the class path's attn4j
     * jars, and a jar made from any attn4j classes folder (a build that has not packaged yet).
     */
    static List<String> attn4jJars(Path scratch) throws IOException {
        List<String> jars = new ArrayList<>();
        String own = System.getProperty("attn4j.spark.jar");
        if (own != null && Files.isRegularFile(Path.of(own))) {
            jars.add(own);
        }
        int k = 0;
        for (String entry : classPath()) {
            Path p = Path.of(entry);
            if (p.endsWith("test-classes") || !isAttn4j(p) || jars.contains(entry)) {
                continue;
            }
            if (Files.isRegularFile(p)) {
                jars.add(entry);
            } else if (Files.isDirectory(p) && !(own != null && p.equals(Path.of(own).getParent().resolve("classes")))) {
                jars.add(jarOf(p, scratch.resolve("attn4j-classes-" + k++ + ".jar")).toString());
            }
        }
        return jars;
    }

    private static Path jarOf(Path classes, Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                try (InputStream in = Files.newInputStream(f)) {
                    in.transferTo(j);
                }
                j.closeEntry();
            }
        }
        return jar;
    }

    /** The last lines of every log of the cluster (its processes' and its executors'), for failure messages. */
    String diagnostics() {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(home)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".log") || p.endsWith("stderr"))::iterator) {
                List<String> lines = Files.readAllLines(f, java.nio.charset.StandardCharsets.ISO_8859_1);
                out.append("---- ").append(f).append('\n');
                lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            out.append("(cannot read the logs: ").append(e).append(")\n");
        }
        return out.toString();
    }

    /** Deletes {@code dir} and everything below it (links are removed, not followed). */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitPort(int port, long timeoutMs) throws InterruptedException, IOException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IOException("a cluster process exited with " + p.exitValue() + "; see the logs in " + home);
                }
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        throw new UncheckedIOException(new IOException("the master did not listen on port " + port + " within " + timeoutMs + " ms"));
    }
}
