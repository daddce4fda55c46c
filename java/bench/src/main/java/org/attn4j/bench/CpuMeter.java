package org.attn4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells whether other processes used the CPU during a timed region: the machine's busy ticks
 * from /proc/stat minus this process's own ticks from /proc/self/stat, as a share of all the
 * machine's ticks (cores × wall time). Off Linux every reading is empty and nothing is flagged.
 */
public final class CpuMeter {
    /** Above this share of the machine, a timing is reported as taken while others were busy. */
    public static final double BUSY_THRESHOLD_PERCENT = 5.0;

    private static final Path PROC_STAT = Path.of("/proc/stat");
    private static final Path SELF_STAT = Path.of("/proc/self/stat");

    private CpuMeter() {
    }

    /** One reading: machine busy ticks, machine total ticks, this process's ticks (user + system). */
    public record Ticks(long busy, long total, long own) {
    }

    /** Reads the counters now, or null when /proc is not readable. */
    public static Ticks read() {
        try {
            return parse(Files.readString(PROC_STAT), Files.readString(SELF_STAT));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Share (0..100) of the machine's CPU time that other processes used between two readings;
     * 0 when either reading is missing or no tick passed.
     */
    public static double otherBusyPercent(Ticks before, Ticks after) {
        if (before == null || after == null) {
            return 0;
        }
        long total = after.total - before.total;
        if (total <= 0) {
            return 0;
        }
        long others = (after.busy - before.busy) - (after.own - before.own);
        return Math.max(0, 100.0 * others / total);
    }

    /** True when {@code percent} is above {@link #BUSY_THRESHOLD_PERCENT}. */
    public static boolean isBusy(double percent) {
        return percent > BUSY_THRESHOLD_PERCENT;
    }

    /**
     * Waits, in one-second windows, until other processes use at most the threshold share of the
     * machine, or {@code maxSeconds} have passed; returns the last window's share (0 at once
     * when maxSeconds is 0 or /proc is unreadable).
     */
    public static double waitQuiet(double maxSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
        double percent = 0;
        while (System.nanoTime() < deadline) {
            Ticks before = read();
            Thread.sleep(1000);
            percent = otherBusyPercent(before, read());
            if (before == null || !isBusy(percent)) {
                break;
            }
        }
        return percent;
    }

    /** Parses the texts of /proc/stat and /proc/self/stat (package-private for tests). */
    static Ticks parse(String procStat, String selfStat) {
        // first line: "cpu  user nice system idle iowait irq softirq steal guest guest_nice";
        // guest time is already inside user/nice, so only the first eight count
        String first = procStat.lines().findFirst().orElseThrow();
        String[] f = first.trim().split("\\s+");
        if (!f[0].equals("cpu") || f.length < 9) {
            throw new IllegalArgumentException("/proc/stat: expected a 'cpu' line with 8 counters, got " + first);
        }
        long total = 0;
        for (int k = 1; k <= 8; k++) {
            total += Long.parseLong(f[k]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
        // /proc/self/stat: "pid (comm) state ..." where comm may hold spaces and parentheses,
        // so fields are counted after the last ')': utime is field 14, stime 15 (1-based)
        String rest = selfStat.substring(selfStat.lastIndexOf(')') + 1).trim();
        String[] s = rest.split("\\s+");
        long own = Long.parseLong(s[11]) + Long.parseLong(s[12]);
        return new Ticks(total - idle, total, own);
    }
}
