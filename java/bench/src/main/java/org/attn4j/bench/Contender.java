package org.attn4j.bench;

/**
 * One implementation under comparison (one row per size in the report). A contender first
 * computes the outputs once for the agreement check; only if they agree is it timed.
 */
public abstract class Contender {
    private final String name;
    private final String variant;

    protected Contender(String name, String variant) {
        this.name = name;
        this.variant = variant;
    }

    /** "attn4j", "java", "onnxruntime" or "pytorch". */
    public final String name() {
        return name;
    }

    /** Which way it computes: "fused", "materialised", "reference", "cpu", "eager". */
    public final String variant() {
        return variant;
    }

    /** "name variant": the label in tables, legends and progress. */
    public final String label() {
        return variant.isEmpty() ? name : name + " " + variant;
    }

    /**
     * Why this contender cannot run the workload (the row then says so and the run goes on), or
     * null when it can.
     */
    public abstract Unavailable unavailable(Workload w);

    /** Computes the outputs once, measuring the peak memory growth it took. */
    public abstract Check check(BenchInputs in, Progress.Task task) throws Exception;

    /** Warm-up runs, then {@code repeat} timed ones. */
    public abstract Timing time(BenchInputs in, int warmup, int repeat, Progress.Task task) throws Exception;

    /** Most timed runs worth making per size (the plain Java reference takes seconds per run). */
    public int repeatCap() {
        return Integer.MAX_VALUE;
    }

    /** Versions and settings for the report's notes ("ONNX Runtime 1.29.0, 2 intra-op threads"). */
    public abstract String describe();

    /** Not run: status is "skipped" or "not installed"; reason says why, for a human. */
    public record Unavailable(String status, String reason) {
        static Unavailable skipped(String reason) {
            return new Unavailable("skipped", reason);
        }

        static Unavailable notInstalled(String reason) {
            return new Unavailable("not installed", reason);
        }
    }

    /** The outputs of one forward pass, the peak resident-memory growth it took and the process's peak (MiB). */
    public record Check(Outputs outputs, double peakRssMb, double peakRssTotalMb) {
    }

    /**
     * Timed runs in milliseconds, the peak memory growth over warm-up and timed runs and the
     * process's peak resident memory (MiB), and
     * the share of the machine other processes used during the timed runs (percent).
     */
    public record Timing(double[] ms, double peakRssMb, double peakRssTotalMb, double otherBusyPercent) {
    }
}
