package org.attn4j.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.attn4j.internal.io.Json;

/**
 * What a run prints and writes: the Markdown report (header, table, notes) and the JSON
 * document, which {@link #read} turns back into a report (to redraw a chart without rerunning).
 */
/*
 * gemmGflops: the median of the per-size GEMM rates (the chart's floor line); each row's % GEMM
 * is against its own size's rate.
 */
record Report(Machine machine, String command, Settings settings, double gemmGflops,
              Map<String, String> contenders, List<Row> rows) {

    /** How the run was made: the figures the header states. {@code repeat} is text ("5 (3 above 50 GFLOP)"). */
    record Settings(int batch, int threads, int warmup, String masks, long seed, String repeat) {

        static Settings of(BenchOptions o) {
            String repeat = o.repeat() != null ? o.repeat().toString()
                    : BenchOptions.DEFAULT_REPEAT + " (" + BenchOptions.DEFAULT_REPEAT_BIG + " above "
                    + (int) BenchOptions.BIG_GFLOP + " GFLOP)";
            return new Settings(o.batch(), o.threads(), o.warmup(), o.masks().toString(), o.seed(), repeat);
        }
    }

    String chartTitle() {
        return String.format(Locale.ROOT, "Bidirectional cross attention, README configuration: batch %d, %d thread%s",
                settings.batch(), settings.threads(), settings.threads() == 1 ? "" : "s");
    }

    String markdown() {
        Workload w = Workload.readme(settings.batch(), new Size(1, 1));
        StringBuilder b = new StringBuilder();
        b.append("### attn4j bench: bidirectional cross attention\n\n");
        b.append("- machine: ").append(machine.describe()).append('\n');
        b.append("- command: `").append(command).append("`\n");
        b.append(String.format(Locale.ROOT, "- work: the reference README's module (dim %d, context %d, %d heads of %d), "
                        + "batch %d, masks %s, %d thread(s); median of %s timed runs (in-process contenders: and more, until they "
                        + "span %s s) after %d warm-up%s (in-process contenders: and more, %s)\n",
                w.dim(), w.contextDim(), w.heads(), w.dimHead(), settings.batch(), settings.masks(), settings.threads(),
                settings.repeat(), InProcessContender.MIN_TIMED_NANOS / 1e9, settings.warmup(),
                settings.warmup() == 1 ? "" : "s", WarmUp.describe()));
        b.append(Double.isNaN(gemmGflops) ? "- GEMM rate: not measured (no native backend)\n"
                : String.format(Locale.ROOT, "- GEMM rate: sgemm %d³ through attn4j's native backend, %d thread(s), measured "
                        + "before each size's timings (100%% in that size's %% GEMM column), GFLOP/s: %s\n", GemmProbe.N,
                        settings.threads(), gemmRatesBySize()));
        b.append("- GFLOP/s counts useful work only: the six projections and the three attention matrix products\n");
        b.append("- max abs diff: largest |difference| of out and context_out from the anchor (the first of ")
                .append(String.join(", ", Agreement.ANCHOR_PREFERENCE))
                .append(" that agrees with another), checked before timing; tolerance ")
                .append(BigDecimal.valueOf(Agreement.RELATIVE_TOLERANCE).stripTrailingZeros().toPlainString())
                .append(" × max(1, largest |output|)\n");
        b.append("- peak MB: +growth of the resident set while the contender ran over what it held before, and in "
                + "parentheses the whole process's peak (the JVM; for PyTorch its own Python process)\n");
        b.append("- busy: other processes used more than ").append((int) CpuMeter.BUSY_THRESHOLD_PERCENT)
                .append("% of the CPU during the timed runs\n");
        b.append("- contenders:\n");
        contenders.forEach((label, text) -> b.append("  - ").append(label).append(": ").append(text).append('\n'));
        b.append('\n').append(MarkdownTable.render(rows));
        return b.toString();
    }

    // "16 × 16 311.1, 1024 × 2048 305.2": each size's rate, read back from its timed rows (gflops / pctGemm).
    private String gemmRatesBySize() {
        Map<String, Double> rates = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.timed() && r.pctGemm() > 0) {
                rates.putIfAbsent(r.sizeLabel(), 100 * r.gflops() / r.pctGemm());
            }
        }
        if (rates.isEmpty()) {
            return String.format(Locale.ROOT, "%.1f", gemmGflops);
        }
        List<String> parts = new ArrayList<>();
        rates.forEach((size, rate) -> parts.add(String.format(Locale.ROOT, "%s %.1f", size, rate)));
        return String.join(", ", parts);
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("machine", machine.toJson());
        m.put("command", command);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("batch", settings.batch());
        s.put("threads", settings.threads());
        s.put("warmup", settings.warmup());
        s.put("repeat", settings.repeat());
        s.put("masks", settings.masks());
        s.put("seed", settings.seed());
        s.put("tolerance_relative", Agreement.RELATIVE_TOLERANCE);
        s.put("busy_threshold_pct", CpuMeter.BUSY_THRESHOLD_PERCENT);
        m.put("settings", s);
        m.put("gemm_gflops", Double.isNaN(gemmGflops) ? null : gemmGflops);
        m.put("contenders", new LinkedHashMap<String, Object>(contenders));
        List<Object> list = new ArrayList<>();
        rows.forEach(r -> list.add(r.toJson()));
        m.put("rows", list);
        return m;
    }

    /** {@link #json()} as text: one top-level member per line, and one line per row. */
    String jsonText() {
        StringBuilder b = new StringBuilder("{");
        int k = 0;
        for (Map.Entry<String, Object> e : json().entrySet()) {
            b.append(k++ == 0 ? "\n " : ",\n ").append(Json.quote(e.getKey())).append(": ");
            if (e.getValue() instanceof List<?> list) {
                b.append('[');
                for (int r = 0; r < list.size(); r++) {
                    b.append(r == 0 ? "\n  " : ",\n  ").append(Json.write(list.get(r)));
                }
                b.append(list.isEmpty() ? "]" : "\n ]");
            } else {
                b.append(Json.write(e.getValue()));
            }
        }
        return b.append("\n}\n").toString();
    }

    /** A report read back from a file {@link #jsonText()} wrote. */
    static Report read(Path file) throws IOException {
        Object parsed = Json.parse(Files.readString(file));
        if (!(parsed instanceof Map<?, ?> m) || !(m.get("rows") instanceof List<?> list) || !(m.get("settings") instanceof Map<?, ?> s)) {
            throw new IOException(file + ": expected the JSON an attn4j bench --json wrote (with settings and rows)");
        }
        Settings settings = new Settings(((Number) s.get("batch")).intValue(), ((Number) s.get("threads")).intValue(),
                ((Number) s.get("warmup")).intValue(), String.valueOf(s.get("masks")), ((Number) s.get("seed")).longValue(),
                String.valueOf(s.get("repeat")));
        Map<String, String> contenders = new LinkedHashMap<>();
        if (m.get("contenders") instanceof Map<?, ?> c) {
            c.forEach((k, v) -> contenders.put(String.valueOf(k), String.valueOf(v)));
        }
        List<Row> rows = new ArrayList<>();
        for (Object o : list) {
            rows.add(Row.fromJson((Map<?, ?>) o));
        }
        double gemm = m.get("gemm_gflops") instanceof Number n ? n.doubleValue() : Double.NaN;
        return new Report(Machine.fromJson((Map<?, ?>) m.get("machine")), String.valueOf(m.get("command")), settings, gemm,
                contenders, rows);
    }
}
