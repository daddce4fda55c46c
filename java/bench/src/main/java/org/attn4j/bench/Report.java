package org.attn4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.attn4j.io.Json;

/** What a run prints and writes: the Markdown report (header, table, notes) and the JSON document. */
record Report(Machine machine, String command, BenchOptions options, double gemmGflops,
              Map<String, String> contenders, List<Row> rows) {

    String chartTitle() {
        return String.format(Locale.ROOT, "Bidirectional cross attention, README configuration: batch %d, %d thread%s",
                options.batch(), options.threads(), options.threads() == 1 ? "" : "s");
    }

    String markdown() {
        Workload any = Workload.readme(options.batch(), options.sizes().getFirst());
        StringBuilder b = new StringBuilder();
        b.append("### attn4j bench: bidirectional cross attention\n\n");
        b.append("- machine: ").append(machine.describe()).append('\n');
        b.append("- command: `").append(command).append("`\n");
        b.append(String.format(Locale.ROOT, "- work: the reference README's module (dim %d, context %d, %d heads of %d), "
                        + "batch %d, masks %s, %d thread(s); median of %s timed runs after %d warm-up%s\n",
                any.dim(), any.contextDim(), any.heads(), any.dimHead(), options.batch(), options.masks(), options.threads(),
                options.repeat() != null ? options.repeat().toString()
                        : BenchOptions.DEFAULT_REPEAT + " (" + BenchOptions.DEFAULT_REPEAT_BIG + " above "
                        + (int) BenchOptions.BIG_GFLOP + " GFLOP)",
                options.warmup(), options.warmup() == 1 ? "" : "s"));
        b.append(Double.isNaN(gemmGflops) ? "- GEMM rate: not measured (no native backend)\n"
                : String.format(Locale.ROOT, "- GEMM rate: %.1f GFLOP/s (sgemm %d³ through attn4j's native backend, "
                        + "%d thread(s)): 100%% in the %% GEMM column\n", gemmGflops, GemmProbe.N, options.threads()));
        b.append("- GFLOP/s counts useful work only: the six projections and the three attention matrix products\n");
        b.append("- max abs diff: largest |difference| of out and context_out from the anchor (the first of ")
                .append(String.join(", ", Agreement.ANCHOR_PREFERENCE))
                .append(" that agrees with another), checked before timing; tolerance ")
                .append(java.math.BigDecimal.valueOf(Agreement.RELATIVE_TOLERANCE).toPlainString())
                .append(" × max(1, largest |output|)\n");
        b.append("- peak MB: peak resident-memory growth while the contender ran (PyTorch: of its own process); "
                + "busy: other processes used more than ").append((int) CpuMeter.BUSY_THRESHOLD_PERCENT)
                .append("% of the CPU during the timed runs\n");
        b.append("- contenders:\n");
        contenders.forEach((label, text) -> b.append("  - ").append(label).append(": ").append(text).append('\n'));
        b.append('\n').append(MarkdownTable.render(rows));
        return b.toString();
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("machine", machine.toJson());
        m.put("command", command);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("batch", options.batch());
        settings.put("threads", options.threads());
        settings.put("warmup", options.warmup());
        settings.put("masks", options.masks().toString());
        settings.put("seed", options.seed());
        settings.put("tolerance_relative", Agreement.RELATIVE_TOLERANCE);
        settings.put("busy_threshold_pct", CpuMeter.BUSY_THRESHOLD_PERCENT);
        m.put("settings", settings);
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
}
