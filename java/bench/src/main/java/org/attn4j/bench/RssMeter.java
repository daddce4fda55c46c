package org.attn4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident-memory growth of this process over a region. Where Linux lets us, it resets the
 * high-water mark (write "5" to /proc/self/clear_refs) and reads VmHWM at the end, which sees
 * every peak however short; otherwise a daemon thread samples VmRSS every millisecond.
 */
public final class RssMeter implements AutoCloseable {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private final long baselineKb;
    private final boolean highWaterMark;
    private final Thread sampler;
    private volatile long sampledPeakKb;
    private volatile boolean running = true;
    private long peakGrowthKb = -1;
    private long peakKb;

    private RssMeter() {
        baselineKb = readKb("VmRSS");
        highWaterMark = resetHighWaterMark();
        sampledPeakKb = baselineKb;
        if (highWaterMark) {
            sampler = null;
        } else {
            sampler = Thread.ofPlatform().daemon().name("attn4j-bench-rss").start(this::sample);
        }
    }

    /** Starts measuring now; the current RSS is the baseline. */
    public static RssMeter start() {
        return new RssMeter();
    }

    /** How the peak is found, for the report. */
    public String method() {
        return highWaterMark ? "VmHWM after clear_refs" : "VmRSS sampled every 1 ms";
    }

    /** Stops (once) and returns the peak growth over the baseline in MiB (0 if /proc is unreadable). */
    public double stopMb() {
        if (peakGrowthKb < 0) {
            running = false;
            long peak;
            if (highWaterMark) {
                peak = readKb("VmHWM");
            } else {
                try {
                    sampler.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                peak = Math.max(sampledPeakKb, readKb("VmRSS"));
            }
            peakKb = peak;
            peakGrowthKb = Math.max(0, peak - baselineKb);
        }
        return peakGrowthKb / 1024.0;
    }

    /** The process's peak resident memory over the region in MiB (stops the meter if running). */
    public double peakTotalMb() {
        stopMb();
        return peakKb / 1024.0;
    }

    @Override
    public void close() {
        stopMb();
    }

    private void sample() {
        while (running) {
            sampledPeakKb = Math.max(sampledPeakKb, readKb("VmRSS"));
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A "Field:   123 kB" value of /proc/self/status in kB, 0 when absent or unreadable. */
    static long readKb(String field) {
        try {
            return parseKb(Files.readString(STATUS), field);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Parses one kB field out of a /proc/self/status text (package-private for tests). */
    static long parseKb(String status, String field) {
        for (String line : status.split("\n")) {
            if (line.startsWith(field + ":")) {
                String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                return Long.parseLong(parts[0]);
            }
        }
        return 0;
    }

    private static boolean resetHighWaterMark() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return readKb("VmHWM") > 0;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
