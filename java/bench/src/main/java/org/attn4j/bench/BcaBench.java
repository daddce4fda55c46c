package org.attn4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.nn.AttentionPath;
import org.attn4j.nn.BidirectionalOptions;

/**
 * {@code ./attn4j bench} (workload "bca", the default): attn4j beside ONNX Runtime, PyTorch and its own Java reference on the
 * reference README's bidirectional cross attention, on this machine, in one run. Prints a
 * Markdown report (stdout), optionally JSON rows and a chart. Exit status 0 when every contender
 * that ran agreed and finished, 1 when one FAILED or erred, 2 on a bad command line.
 */
final class BcaBench {
    private BcaBench() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path root = Path.of(System.getProperty("attn4j.root", ".")).toAbsolutePath().normalize();
        String sharedProperty = System.getProperty("attn4j.shared");
        Path defaultShared = sharedProperty != null ? Path.of(sharedProperty) : root.resolveSibling("shared");
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, defaultShared);
        } catch (IllegalArgumentException e) {
            err.println("attn4j bench: " + e.getMessage());
            err.print(BenchOptions.USAGE);
            return 2;
        }
        if (options.help()) {
            out.print(BenchOptions.USAGE);
            out.print(BenchWorkloads.usage());
            return 0;
        }
        if (options.replot() != null) {
            return replot(options, out, err);
        }
        Path golden = options.shared().resolve("golden");
        Path model = golden.resolve("bca_readme").resolve("model.safetensors");
        Machine machine = Machine.detect();
        err.println("attn4j bench: sizes " + options.sizes() + ", batch " + options.batch() + ", " + options.threads()
                + " thread(s), contenders " + String.join(",", options.contenders()));

        List<Backend> backends = new ArrayList<>();
        try {
            // the native backend also measures the GEMM rate, so it is opened whatever the contenders
            Backend nativeBackend = null;
            String nativeProblem = null;
            try {
                nativeBackend = Backends.nativeBackend(options.threads());
                backends.add(nativeBackend);
            } catch (RuntimeException | LinkageError e) {
                nativeProblem = "the native backend did not load: " + e.getMessage();
                err.println("attn4j bench: " + nativeProblem);
            }
            Backend gemmBackend = nativeBackend;
            DoubleSupplier gemmProbe = gemmBackend == null ? () -> Double.NaN : () -> GemmProbe.measure(gemmBackend);
            List<Contender> contenders = contenders(options, root, golden, model, nativeBackend, nativeProblem, backends);
            Progress progress = new Progress(err, BenchRunner.plannedWork(options, contenders), options.progress());
            BenchRunner runner = new BenchRunner(options, contenders, gemmProbe, progress);
            List<Row> rows;
            try {
                rows = runner.run();
            } finally {
                progress.finish();
            }
            double[] rates = runner.gemmRates().stream().mapToDouble(Double::doubleValue).filter(r -> !Double.isNaN(r)).toArray();
            double gemm = rates.length == 0 ? Double.NaN : Stats.of(rates).median(); // the chart's floor line
            Report report = new Report(machine, PortableCommand.of(root, args),
                    Report.Settings.of(options), gemm, describe(contenders, options), rows);
            return output(report, options, out, err);
        } catch (IOException e) {
            err.println("attn4j bench: " + e.getMessage());
            return 1;
        } finally {
            backends.forEach(Backend::close);
        }
    }

    /** Prints the report, writes --json and --chart; the exit status says whether all went well. */
    private static int output(Report report, BenchOptions options, PrintStream out, PrintStream err) throws IOException {
        out.print(report.markdown());
        out.flush();
        if (options.json() != null) {
            Files.writeString(options.json(), report.jsonText());
            err.println("attn4j bench: wrote " + options.json());
        }
        if (options.chart() != null) {
            Chart.write(options.chart(), report.rows(), report.gemmGflops(), report.chartTitle(), report.machine().describe(),
                    options.chartWidth(), options.chartHeight());
            err.println("attn4j bench: wrote " + options.chart());
        }
        return report.rows().stream().anyMatch(r -> r.status().equals("FAILED") || r.status().equals("error")) ? 1 : 0;
    }

    /** --replot: the report and chart of a saved run, nothing run again. */
    private static int replot(BenchOptions options, PrintStream out, PrintStream err) {
        try {
            return output(Report.read(options.replot()), options, out, err);
        } catch (IOException | RuntimeException e) {
            err.println("attn4j bench: --replot " + options.replot() + ": " + e.getMessage());
            return 1;
        }
    }

    /**
     * The contenders asked for, in the order the table shows them. Those that cannot be made
     * (the native library did not load) become contenders that say so in their row.
     */
    private static List<Contender> contenders(BenchOptions options, Path root, Path golden, Path model, Backend nativeBackend,
                                              String nativeProblem, List<Backend> opened) {
        List<Contender> list = new ArrayList<>();
        for (String name : options.contenders()) {
            switch (name) {
                case "attn4j" -> {
                    if (nativeBackend != null) {
                        list.add(Attn4jContender.fused(model, nativeBackend));
                        list.add(Attn4jContender.materialised(model, nativeBackend));
                    } else {
                        list.add(new UnavailableContender("attn4j", "fused", nativeProblem));
                        list.add(new UnavailableContender("attn4j", "materialised", nativeProblem));
                    }
                }
                case "java" -> {
                    try {
                        Backend java = Backends.javaReference();
                        opened.add(java);
                        list.add(Attn4jContender.javaReference(model, java));
                    } catch (RuntimeException | LinkageError e) {
                        list.add(new UnavailableContender("java", "reference", "the Java reference backend did not load: "
                                + e.getMessage()));
                    }
                }
                case "onnxruntime" -> list.add(new OnnxContender(golden.resolve("bca_readme"), options.threads()));
                case "pytorch" -> list.add(new PytorchContender(options.python(),
                        root.resolve("bench").resolve("python").resolve("bca_bench.py"), golden, options.threads()));
                default -> throw new IllegalStateException("unknown contender " + name);
            }
        }
        return list;
    }

    /** Each contender's description, then the path attn4j's AttentionPath.AUTO takes at each size. */
    private static Map<String, String> describe(List<Contender> contenders, BenchOptions options) {
        Map<String, String> m = new LinkedHashMap<>();
        contenders.forEach(c -> m.put(c.label(), c.describe()));
        if (options.contenders().contains("attn4j")) {
            BidirectionalOptions auto = BidirectionalOptions.builder().path(AttentionPath.AUTO).build();
            List<String> taken = new ArrayList<>();
            for (Size size : options.sizes()) {
                Workload w = Workload.readme(options.batch(), size);
                taken.add(size + " " + auto.pathFor(w.batch(), w.heads(), size.i(), size.j()).name().toLowerCase(Locale.ROOT));
            }
            m.put("path taken by attn4j's AttentionPath.AUTO", String.join(", ", taken));
        }
        return m;
    }
}
