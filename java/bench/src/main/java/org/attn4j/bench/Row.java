package org.attn4j.bench;

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
                  double peakRssMb, double peakRssTotalMb, double maxAbsDiff, String checkedAgainst, double otherBusyPct,
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
        return CpuMeter.isBusy(otherBusyPct);
    }

    public String label() {
        return variant.isEmpty() ? contender : contender + " " + variant;
    }

    /** A row read back from {@link #toJson()}'s object (null numbers become NaN). */
    static Row fromJson(Map<?, ?> m) {
        return RecordJson.fromJson(Row.class, m);
    }

    /** The JSON object of this row: its components (RecordJson), then "busy"; unmeasured numbers are null. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = RecordJson.toJson(this);
        m.put("busy", busy());
        return m;
    }
}
