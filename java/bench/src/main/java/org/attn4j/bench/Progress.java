package org.attn4j.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A progress bar on stderr for long runs. Work is counted in floating-point operations, so the
 * bar and its estimate of the time left follow the big sizes rather than the number of runs.
 * Nothing is drawn during the first few seconds (short runs stay quiet); on a terminal the bar
 * redraws in place, otherwise a plain line is printed now and then.
 */
final class Progress {
    private static final long QUIET_NANOS = 3_000_000_000L;
    private static final long TTY_REDRAW_NANOS = 200_000_000L;
    private static final long LINE_EVERY_NANOS = 15_000_000_000L;
    private static final int WIDTH = 28;

    private final PrintStream err;
    private final boolean enabled;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private final double total;
    private double done;
    private long lastDraw;
    private boolean drawn;
    private String label = "";

    Progress(PrintStream err, double totalWork, boolean enabled) {
        this.err = err;
        this.total = Math.max(totalWork, 1);
        this.enabled = enabled;
        this.terminal = stderrIsTerminal();
    }

    /** A stretch of work (one contender at one size): each step is worth {@code workPerStep}. */
    Task task(String label, double workPerStep) {
        return new Task(label, workPerStep);
    }

    /** Steps of one task; {@link #advance} and {@link #advanceTo} move the bar. */
    final class Task {
        private final String label;
        private final double workPerStep;
        private int steps;

        private Task(String label, double workPerStep) {
            this.label = label;
            this.workPerStep = workPerStep;
        }

        void advance(int n) {
            advanceTo(steps + n);
        }

        /** Sets the number of steps done (for a subprocess that reports its own count). */
        void advanceTo(int stepsDone) {
            if (stepsDone > steps) {
                update(label, (stepsDone - steps) * workPerStep);
                steps = stepsDone;
            }
        }
    }

    /** Removes the bar so that what follows starts on a clean line. */
    void finish() {
        if (drawn && terminal) {
            err.print("\r" + " ".repeat(WIDTH + 70) + "\r");
            err.flush();
        }
    }

    private synchronized void update(String taskLabel, double work) {
        done = Math.min(total, done + work);
        label = taskLabel;
        long now = System.nanoTime();
        if (!enabled || now - start < QUIET_NANOS || now - lastDraw < (terminal ? TTY_REDRAW_NANOS : LINE_EVERY_NANOS)) {
            return;
        }
        lastDraw = now;
        drawn = true;
        String text = render(done / total, (now - start) / 1e9, label);
        if (terminal) {
            err.print("\r" + text);
        } else {
            err.println(text);
        }
        err.flush();
    }

    /** "[#####.....]  50%  label  elapsed 0:10  left ~0:10" (package-private for tests). */
    static String render(double fraction, double elapsedSeconds, String label) {
        double f = Math.max(0, Math.min(1, fraction));
        int filled = (int) Math.round(f * WIDTH);
        StringBuilder b = new StringBuilder("[").append("#".repeat(filled)).append(".".repeat(WIDTH - filled)).append("] ");
        b.append(String.format("%3d%%  ", Math.round(100 * f)));
        b.append(label.length() > 34 ? label.substring(0, 34) : String.format("%-34s", label));
        b.append("  ").append(clock(elapsedSeconds));
        if (f > 0.02 && f < 1) {
            b.append("  left ~").append(clock(elapsedSeconds * (1 - f) / f));
        }
        return b.toString();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }

    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false;
        }
    }
}
