package org.attn4j.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The options of {@code ./attn4j bench}. {@link #parse} throws IllegalArgumentException with a
 * message naming the option for anything it does not accept.
 */
public record BenchOptions(List<Size> sizes, int batch, int threads, Integer repeat, int warmup,
                           List<String> contenders, MaskMode masks, long seed, Path json, Path chart,
                           int chartWidth, int chartHeight, String python, Path shared, boolean progress,
                           int retryBusy, int waitQuiet, Path replot, boolean help) {

    public static final List<Size> DEFAULT_SIZES = List.of(new Size(256, 512), new Size(1024, 2048), new Size(4096, 8192));
    public static final List<String> KNOWN_CONTENDERS = List.of("attn4j", "java", "onnxruntime", "pytorch");
    public static final List<String> DEFAULT_CONTENDERS = List.of("attn4j", "onnxruntime", "pytorch");
    /** Timed runs per size unless --repeat says otherwise. */
    public static final int DEFAULT_REPEAT = 5;
    /** ...and for sizes whose useful work is above {@link #BIG_GFLOP} (a 4096 x 8192 run takes seconds each). */
    public static final int DEFAULT_REPEAT_BIG = 3;
    public static final double BIG_GFLOP = 50;

    public static final String USAGE = """
            usage: ./attn4j bench [options]
              Times bidirectional cross attention (the reference README configuration: dim 512,
              context 386, 8 heads of 64) in attn4j and the contenders, after checking that their
              outputs agree; prints a Markdown table.
              --size IxJ          a size to run (repeatable; default 256x512, 1024x2048, 4096x8192)
              --batch B           batch size (1)
              --threads T         threads for every contender (2)
              --repeat N          timed runs per size; the median is reported
                                  (default 5, and 3 where a run is above 50 GFLOP)
              --warmup W          untimed runs first (1; in-process contenders run
                                  on, 1-10 s in all, until the JIT compiles no more)
              --contenders LIST   comma-separated, from attn4j, java, onnxruntime, pytorch
                                  (default attn4j,onnxruntime,pytorch)
              --masks MODE        ones (all true, as the README passes them), random, none (ones)
              --seed S            seed of the inputs (1)
              --json FILE         also write every row as JSON
              --chart FILE.png    also draw time against size (log-log)
              --chart-size WxH    pixels of the chart (1200x760)
              --python PATH       interpreter with torch (default /usr/bin/python3)
              --shared DIR        the shared folder with golden/ (default ../shared)
              --retry-busy N      time again, up to N times, a run during which others were busy (0)
              --wait-quiet S      before timing, wait up to S seconds for other processes to go quiet (0)
              --no-progress       no progress bar on stderr
              --replot FILE.json  run nothing: print the table and draw --chart from a saved --json
            """;

    /** Timed runs for this workload: --repeat, else the default for its size. */
    public int repeatFor(Workload w) {
        if (repeat != null) {
            return repeat;
        }
        return w.usefulFlops() / 1e9 > BIG_GFLOP ? DEFAULT_REPEAT_BIG : DEFAULT_REPEAT;
    }

    /** Parses the command line; {@code defaultShared} is used when --shared is not given. */
    public static BenchOptions parse(String[] args, Path defaultShared) {
        List<Size> sizes = new ArrayList<>();
        int batch = 1;
        int threads = 2;
        Integer repeat = null;
        int warmup = 1;
        List<String> contenders = DEFAULT_CONTENDERS;
        MaskMode masks = MaskMode.ONES;
        long seed = 1;
        Path json = null;
        Path chart = null;
        int chartWidth = 1200;
        int chartHeight = 760;
        String python = "/usr/bin/python3";
        Path shared = defaultShared;
        boolean progress = true;
        int retryBusy = 0;
        int waitQuiet = 0;
        Path replot = null;
        boolean help = false;
        for (int k = 0; k < args.length; k++) {
            String arg = args[k];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) { // --size=256x512
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "-h", "--help" -> help = true;
                case "--no-progress" -> progress = false;
                case "--size", "--batch", "--threads", "--repeat", "--warmup", "--contenders", "--masks", "--seed",
                     "--json", "--chart", "--chart-size", "--python", "--shared", "--retry-busy", "--wait-quiet", "--replot" -> {
                    if (value == null) {
                        if (k + 1 >= args.length) {
                            throw new IllegalArgumentException(arg + ": expected a value, got the end of the command line");
                        }
                        value = args[++k];
                    }
                    switch (arg) {
                        case "--size" -> sizes.add(Size.parse(value));
                        case "--batch" -> batch = positive(arg, value, 1);
                        case "--threads" -> threads = positive(arg, value, 1);
                        case "--repeat" -> repeat = positive(arg, value, 1);
                        case "--warmup" -> warmup = positive(arg, value, 0);
                        case "--contenders" -> contenders = contenders(value);
                        case "--masks" -> masks = MaskMode.parse(value);
                        case "--seed" -> seed = parseLong(arg, value);
                        case "--json" -> json = Path.of(value);
                        case "--chart" -> chart = Path.of(value);
                        case "--chart-size" -> {
                            Size s = Size.parse(value, "--chart-size");
                            if (s.i() < 320 || s.j() < 240) {
                                throw new IllegalArgumentException("--chart-size: expected at least 320x240, got " + value);
                            }
                            chartWidth = s.i();
                            chartHeight = s.j();
                        }
                        case "--python" -> python = value;
                        case "--shared" -> shared = Path.of(value);
                        case "--retry-busy" -> retryBusy = positive(arg, value, 0);
                        case "--wait-quiet" -> waitQuiet = positive(arg, value, 0);
                        case "--replot" -> replot = Path.of(value);
                        default -> throw new IllegalStateException(arg);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option \"" + args[k] + "\" (see --help)");
            }
        }
        if (sizes.isEmpty()) {
            sizes.addAll(DEFAULT_SIZES);
        }
        List<Size> ordered = new ArrayList<>(new LinkedHashSet<>(sizes));
        ordered.sort(null); // small to big: quick feedback first, and memory grows monotonically
        return new BenchOptions(List.copyOf(ordered), batch, threads, repeat, warmup, contenders, masks, seed, json, chart,
                chartWidth, chartHeight, python, shared, progress, retryBusy, waitQuiet, replot, help);
    }

    private static List<String> contenders(String value) {
        Set<String> out = new LinkedHashSet<>();
        for (String raw : value.split(",")) {
            String c = raw.trim().toLowerCase(Locale.ROOT);
            String name = switch (c) {
                case "ort", "onnx" -> "onnxruntime";
                case "torch" -> "pytorch";
                default -> c;
            };
            if (!KNOWN_CONTENDERS.contains(name)) {
                throw new IllegalArgumentException("--contenders: expected names from " + String.join(", ", KNOWN_CONTENDERS)
                        + ", got \"" + raw.trim() + "\"");
            }
            out.add(name);
        }
        return List.copyOf(out);
    }

    private static int positive(String option, String value, int min) {
        long v = parseLong(option, value);
        if (v < min || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + ": expected an integer >= " + min + ", got " + value);
        }
        return (int) v;
    }

    private static long parseLong(String option, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": expected an integer, got \"" + value + "\"");
        }
    }
}
