package org.attn4j.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the report: a contender (and variant) at one size. peakRssMb is the growth of the
 * resident set over the contender's own runs, peakRssTotalMb the whole process's peak (the JVM,
 * or the Python interpreter, included). Unmeasured numbers are NaN
 * (null in JSON, "—" in the table). Status: "ok", "FAILED" (outputs disagree, or a proof
 * failed), "error", "skipped" or "not installed"; note says why for anything but "ok".
 */
public record Row(String contender, String variant, int i, int j, int batch, int threads, int repeat,
                  double medianMs, double minMs, double maxMs, double gflop, double gflops, double pctGemm,
                  double peakRssMb, double peakRssTotalMb, double maxAbsDiff, String checkedAgainst, double otherBusyPercent,
                  String status, String note) {

    /** A row for a contender that was not timed at this size (skipped, failed, erred). */
    static Row notTimed(String contender, String variant, int i, int j, int batch, int threads, double gflop,
                        double peakRssMb, double peakRssTotalMb, double maxAbsDiff, String checkedAgainst, String status,
                        String note) {
        return new Row(contender, variant, i, j, batch, threads, 0, Double.NaN, Double.NaN, Double.NaN, gflop, Double.NaN,
                Double.NaN, peakRssMb, peakRssTotalMb, maxAbsDiff, checkedAgainst, Double.NaN, status, note);
    }

    /** "64 × 96", or "32 × 64 × 96" with a batch: the table's i × j column. */
    public String sizeLabel() {
        return (batch == 1 ? "" : batch + " × ") + i + " × " + j;
    }

    public boolean timed() {
        return !Double.isNaN(medianMs);
    }

    /** True when other processes used more than the threshold share of the CPU while it was timed. */
    public boolean busy() {
        return CpuMeter.isBusy(otherBusyPercent);
    }

    public String label() {
        return variant.isEmpty() ? contender : contender + " " + variant;
    }

    /** A row read back from {@link #toJson()}'s object (null numbers become NaN). */
    static Row fromJson(Map<?, ?> m) {
        return new Row(text(m, "contender"), text(m, "variant"), (int) number(m, "i"), (int) number(m, "j"),
                (int) number(m, "batch"), (int) number(m, "threads"), (int) number(m, "repeat"), number(m, "median_ms"),
                number(m, "min_ms"), number(m, "max_ms"), number(m, "gflop"), number(m, "gflops"), number(m, "pct_gemm"),
                number(m, "peak_rss_mb"), number(m, "peak_rss_total_mb"), number(m, "max_abs_diff"), text(m, "checked_against"),
                number(m, "other_busy_pct"), text(m, "status"), text(m, "note"));
    }

    private static double number(Map<?, ?> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String text(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v == null ? "" : v.toString();
    }

    /** The JSON object of this row; keys in a fixed order; unmeasured numbers are null. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("contender", contender);
        m.put("variant", variant);
        m.put("i", i);
        m.put("j", j);
        m.put("batch", batch);
        m.put("threads", threads);
        m.put("repeat", repeat);
        m.put("median_ms", medianMs);
        m.put("min_ms", minMs);
        m.put("max_ms", maxMs);
        m.put("gflop", gflop);
        m.put("gflops", gflops);
        m.put("pct_gemm", pctGemm);
        m.put("peak_rss_mb", peakRssMb);
        m.put("peak_rss_total_mb", peakRssTotalMb);
        m.put("max_abs_diff", maxAbsDiff);
        m.put("checked_against", checkedAgainst);
        m.put("other_busy_pct", otherBusyPercent);
        m.put("busy", busy());
        m.put("status", status);
        m.put("note", note);
        m.replaceAll((k, v) -> v instanceof Double d && !Double.isFinite(d) ? null : v); // JSON has no NaN
        return m;
    }
}
