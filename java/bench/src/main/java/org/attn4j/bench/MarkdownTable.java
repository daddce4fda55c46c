package org.attn4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report's table: one Markdown row per contender and size, notes below for what did not run. */
final class MarkdownTable {
    private static final String NONE = "—";

    private MarkdownTable() {
    }

    /**
     * The table of {@code rows}; the "vs ORT" column is ONNX Runtime's median over the row's
     * (speed-up, at the same size), or PyTorch's when ONNX Runtime was not timed.
     */
    static String render(List<Row> rows) {
        String baseline = rows.stream().anyMatch(r -> r.contender().equals("onnxruntime") && r.timed()) ? "onnxruntime"
                : rows.stream().anyMatch(r -> r.contender().equals("pytorch") && r.timed()) ? "pytorch" : null;
        String baselineHeader = baseline == null ? null : baseline.equals("onnxruntime") ? "vs ORT" : "vs PyTorch";
        List<String[]> lines = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("i × j", "contender", "median ms", "min–max ms", "GFLOP/s", "% GEMM"));
        if (baselineHeader != null) {
            header.add(baselineHeader);
        }
        header.addAll(List.of("peak MB", "max abs diff", "busy", "status"));
        lines.add(header.toArray(String[]::new));
        for (Row r : rows) {
            List<String> cells = new ArrayList<>();
            cells.add(r.sizeLabel());
            cells.add(r.label());
            cells.add(r.timed() ? ms(r.medianMs()) : NONE);
            cells.add(r.timed() ? ms(r.minMs()) + "–" + ms(r.maxMs()) : NONE);
            cells.add(r.timed() ? fixed(r.gflops(), 1) : NONE);
            cells.add(Double.isNaN(r.pctGemm()) ? NONE : fixed(r.pctGemm(), 0) + "%");
            if (baselineHeader != null) {
                cells.add(speedup(rows, r, baseline));
            }
            cells.add(Double.isNaN(r.peakRssMb()) ? NONE : "+" + fixed(r.peakRssMb(), 0)
                    + (Double.isNaN(r.peakRssTotalMb()) ? "" : " (" + fixed(r.peakRssTotalMb(), 0) + ")"));
            cells.add(Double.isNaN(r.maxAbsDiff()) ? NONE : String.format(Locale.ROOT, "%.1e", r.maxAbsDiff()));
            cells.add(r.timed() ? (r.busy() ? "**yes** (" + fixed(r.otherBusyPct(), 0) + "%)" : "no") : NONE);
            cells.add(r.status().equals("ok") ? "ok" : "**" + r.status() + "**");
            lines.add(cells.toArray(String[]::new));
        }
        StringBuilder b = new StringBuilder();
        int[] width = new int[lines.getFirst().length];
        for (String[] line : lines) {
            for (int c = 0; c < line.length; c++) {
                width[c] = Math.max(width[c], line[c].length());
            }
        }
        for (int n = 0; n < lines.size(); n++) {
            appendLine(b, lines.get(n), width, n == 0 ? null : isNumeric(lines.getFirst()));
            if (n == 0) {
                b.append('|');
                for (int c = 0; c < width.length; c++) {
                    boolean right = isNumeric(lines.getFirst())[c];
                    b.append("-".repeat(width[c] + 1)).append(right ? ':' : '-').append('|');
                }
                b.append('\n');
            }
        }
        // one note per contender and reason, listing the sizes it applies to
        Map<String, List<String>> notesBySizes = new LinkedHashMap<>();
        for (Row r : rows) {
            if (!r.note().isEmpty()) {
                notesBySizes.computeIfAbsent(r.label() + "\u0000" + r.status() + ": " + r.note(), k -> new ArrayList<>())
                        .add(r.sizeLabel());
            }
        }
        List<String> notes = new ArrayList<>();
        notesBySizes.forEach((key, sizes) -> {
            String[] parts = key.split("\u0000", 2);
            notes.add("- " + parts[0] + " at " + String.join(", ", sizes) + ": " + parts[1]);
        });
        if (!notes.isEmpty()) {
            b.append('\n').append(String.join("\n", notes)).append('\n');
        }
        return b.toString();
    }

    private static boolean[] isNumeric(String[] header) {
        boolean[] right = new boolean[header.length];
        for (int c = 0; c < header.length; c++) {
            right[c] = !(header[c].equals("i × j") || header[c].equals("contender") || header[c].equals("status")
                    || header[c].equals("busy"));
        }
        return right;
    }

    private static void appendLine(StringBuilder b, String[] cells, int[] width, boolean[] right) {
        b.append('|');
        for (int c = 0; c < cells.length; c++) {
            String pad = " ".repeat(width[c] - cells[c].length());
            b.append(' ').append(right != null && right[c] ? pad + cells[c] : cells[c] + pad).append(" |");
        }
        b.append('\n');
    }

    private static String speedup(List<Row> rows, Row r, String baseline) {
        if (!r.timed()) {
            return NONE;
        }
        for (Row o : rows) {
            if (o.contender().equals(baseline) && o.i() == r.i() && o.j() == r.j() && o.batch() == r.batch() && o.timed()) {
                return fixed(o.medianMs() / r.medianMs(), 2) + "×";
            }
        }
        return NONE;
    }

    /** Milliseconds with 3 significant digits (at least one decimal below 100). */
    static String ms(double v) {
        if (v >= 100) {
            return fixed(v, 0);
        }
        if (v >= 10) {
            return fixed(v, 1);
        }
        return v >= 1 ? fixed(v, 2) : fixed(v, 3);
    }

    static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
