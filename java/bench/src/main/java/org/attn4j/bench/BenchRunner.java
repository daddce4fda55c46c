package org.attn4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * Runs the comparison: for each size, every contender computes the outputs once, the outputs
 * are checked against each other, the GEMM rate is measured, and only the contenders that agree
 * are timed (warm-up, then the timed runs, again while others were busy if asked). One row per
 * contender and size. Why a GEMM rate per size: this kind of machine's speed drifts from minute to
 * minute (a VM's shared cores), and a big size's timings come minutes after the run's start, so
 * the % GEMM column compares each size with the rate measured just before it.
 */
final class BenchRunner {
    private final BenchOptions options;
    private final List<Contender> contenders; // in order of preference as the agreement anchor
    private final DoubleSupplier gemmProbe;  // GFLOP/s now, NaN when not measured
    private final List<Double> gemmRates = new ArrayList<>(); // one per size run
    private final Progress progress;

    BenchRunner(BenchOptions options, List<Contender> contenders, DoubleSupplier gemmProbe, Progress progress) {
        this.options = options;
        this.contenders = contenders;
        this.gemmProbe = gemmProbe;
        this.progress = progress;
    }

    /** The work the whole run will do, for the progress bar (floating-point operations). */
    static double plannedWork(BenchOptions options, List<Contender> contenders) {
        double total = 0;
        for (Size s : options.sizes()) {
            Workload w = Workload.readme(options.batch(), s);
            for (Contender c : contenders) {
                if (c.unavailable(w) == null) {
                    total += (1 + options.warmup() + Math.min(options.repeatFor(w), c.repeatCap())) * w.usefulFlops();
                }
            }
        }
        return total;
    }

    List<Row> run() {
        List<Row> rows = new ArrayList<>();
        for (Size size : options.sizes()) {
            rows.addAll(runSize(Workload.readme(options.batch(), size)));
        }
        return rows;
    }

    /** The GEMM rate measured for each size, in the order of the sizes (NaN where not measured). */
    List<Double> gemmRates() {
        return List.copyOf(gemmRates);
    }

    private List<Row> runSize(Workload w) {
        Map<Contender, Row> rows = new LinkedHashMap<>();
        List<Contender> runnable = new ArrayList<>();
        for (Contender c : contenders) {
            Contender.Unavailable u = c.unavailable(w);
            if (u != null) {
                rows.put(c, notTimed(c, w, Double.NaN, Double.NaN, Double.NaN, "", u.status(), u.reason()));
            } else {
                runnable.add(c);
                rows.put(c, null);
            }
        }
        try (BenchInputs in = BenchInputs.draw(w, options.masks(), options.seed())) {
            // 1. every contender's outputs, before anything is timed
            Map<Contender, Contender.Check> checks = new LinkedHashMap<>();
            for (Contender c : runnable) {
                try {
                    checks.put(c, c.check(in, progress.task(c.label() + " " + w + " check", w.usefulFlops())));
                } catch (Exception | OutOfMemoryError e) {
                    rows.put(c, failure(c, w, e));
                }
            }
            // 2. do they agree?
            List<Agreement.Entry> entries = new ArrayList<>();
            checks.forEach((c, check) -> entries.add(new Agreement.Entry(c.label(), check.outputs())));
            entries.sort(java.util.Comparator.comparingInt(e -> Agreement.preference(e.label())));
            Map<String, Agreement.Verdict> verdicts = new LinkedHashMap<>();
            if (!entries.isEmpty()) {
                Agreement.judge(entries).forEach(v -> verdicts.put(v.label(), v));
            }
            List<Contender> checked = new ArrayList<>(checks.keySet());
            Map<Contender, double[]> checkPeaks = new LinkedHashMap<>(); // {growth, total}
            checks.forEach((c, check) -> checkPeaks.put(c, new double[] {check.peakRssMb(), check.peakRssTotalMb()}));
            checks.clear(); // the outputs are not needed any more: let them go before timing
            // 3. this machine's GEMM rate now (where anything is to be timed), then time those that agree
            double gemmGflops = checked.isEmpty() ? Double.NaN : gemmProbe.getAsDouble();
            gemmRates.add(gemmGflops);
            for (Contender c : checked) {
                Agreement.Verdict v = verdicts.get(c.label());
                double[] checkPeak = checkPeaks.get(c);
                if (!v.ok()) {
                    rows.put(c, notTimed(c, w, checkPeak[0], checkPeak[1], v.maxAbsDiff(), v.against(), "FAILED", String.format(
                            "outputs differ from %s's by up to %.3g (more than the tolerance): not timed", v.against(), v.maxAbsDiff())));
                    continue;
                }
                try {
                    rows.put(c, timed(c, w, in, checkPeak, v, gemmGflops));
                } catch (Exception | OutOfMemoryError e) {
                    rows.put(c, failure(c, w, e));
                }
            }
        }
        return new ArrayList<>(rows.values());
    }

    private Row timed(Contender c, Workload w, BenchInputs in, double[] checkPeak, Agreement.Verdict v, double gemmGflops)
            throws Exception {
        int repeat = Math.min(options.repeatFor(w), c.repeatCap());
        Contender.Timing t = null;
        int attempts = 0;
        do {
            if (options.waitQuiet() > 0) {
                CpuMeter.waitQuiet(options.waitQuiet());
            }
            Progress.Task task = progress.task(c.label() + " " + w + " timing", w.usefulFlops());
            t = c.time(in, options.warmup(), repeat, task);
            attempts++;
        } while (CpuMeter.isBusy(t.otherBusyPercent()) && attempts <= options.retryBusy());
        Stats s = Stats.of(t.ms());
        double gflops = w.usefulFlops() / (s.median() * 1e6);
        String note = "";
        if (repeat < options.repeatFor(w)) {
            note = repeat + " timed run(s) only: the " + c.label() + " is slow";
        }
        if (unchecked(v)) {
            note = (note.isEmpty() ? "" : note + "; ") + "outputs unchecked: no other contender ran at this size";
        }
        if (attempts > 1) {
            note = (note.isEmpty() ? "" : note + "; ") + "timed " + attempts + " times, others were busy";
        }
        return new Row(c.name(), c.variant(), w.i(), w.j(), w.batch(), options.threads(), s.count(), s.median(), s.min(),
                s.max(), w.usefulFlops() / 1e9, gflops, 100 * gflops / gemmGflops, Math.max(checkPeak[0], t.peakRssMb()),
                Math.max(checkPeak[1], t.peakRssTotalMb()), v.maxAbsDiff(), v.against(), t.otherBusyPercent(), "ok", note);
    }

    /** True when the verdict is the lone contender's (nothing to compare with). */
    private static boolean unchecked(Agreement.Verdict v) {
        return Double.isNaN(v.maxAbsDiff()) && v.ok();
    }

    private Row failure(Contender c, Workload w, Throwable e) {
        String status = e instanceof ContenderFailure f ? f.status() : "error";
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        if (e instanceof ContenderFailure) {
            message = e.getMessage();
        }
        return notTimed(c, w, Double.NaN, Double.NaN, Double.NaN, "", status, message);
    }

    private Row notTimed(Contender c, Workload w, double peakMb, double peakTotalMb, double diff, String against,
                         String status, String note) {
        return Row.notTimed(c.name(), c.variant(), w.i(), w.j(), w.batch(), options.threads(), w.usefulFlops() / 1e9, peakMb,
                peakTotalMb, diff, against, status, note);
    }
}
