package org.attn4j.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * The untimed runs of an in-process contender (attn4j, ONNX Runtime's Java API): at least the
 * asked count and at least {@link #MIN_SECONDS}, then on until the JIT is quiet (it compiled for
 * less than {@link #QUIET_SHARE} of the last {@link #WINDOW_NANOS}), at most {@link #MAX_SECONDS}
 * in all. Why: a forward's Java side runs interpreted for its first thousands of calls, and the
 * JIT's compiler threads take CPU beside it; on 2 cores a compiler thread holds the core the
 * forward's second thread would use. After the one warm-up run of old, the README module at
 * 16 × 16 timed 0.54 ms in attn4j, 0.23–0.30 after 1 s of runs, while JMH's 0.5 s warm-up
 * iterations of it read 460, 369, 249, 243, 298, 304 µs and then 200 and 212 in the timed ones
 * (ForwardPartsBenchmark.forwardFused): a fixed time is too short on one machine and wasted on
 * another. MultiheadAttention at n = 4096 took 160–177 ms in `bench peers` after one warm-up run,
 * 133–136 in a loop of 30. ONNX Runtime's thin JNI layer hardly changes, so short warm-ups
 * compared warm-up, not libraries.
 */
final class WarmUp {
    static final int MIN_SECONDS = 1;
    static final int MAX_SECONDS = 10;
    static final long WINDOW_NANOS = 500_000_000L;
    static final double QUIET_SHARE = 0.01;
    /** At most this many runs (a 16 × 16 forward is ≈ 0.2 ms). */
    static final int MAX_RUNS = 100_000;

    /** How long the warm-up lasts, for the reports: "1–10 s in all, until the JIT compiles no more". */
    static String describe() {
        return MIN_SECONDS + "–" + MAX_SECONDS + " s in all, until the JIT compiles no more";
    }

    /** One untimed call. */
    interface Call {
        void run() throws Exception;
    }

    private WarmUp() {
    }

    /** Calls {@code call} at least {@code runs} times, then while the JIT is busy (see above). */
    static void run(int runs, Call call) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean watch = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        long windowStart = start;
        long compiledAtWindowStart = watch ? jit.getTotalCompilationTime() : 0;
        boolean quiet = false;
        for (int k = 0; k < runs || (k < MAX_RUNS && !quiet); k++) {
            call.run();
            long now = System.nanoTime();
            if (now - start >= MAX_SECONDS * 1_000_000_000L) {
                quiet = true;
            } else if (now - windowStart >= WINDOW_NANOS) {
                long compiled = watch ? jit.getTotalCompilationTime() : 0; // ms, all compiler threads
                quiet = now - start >= MIN_SECONDS * 1_000_000_000L
                        && (!watch || (compiled - compiledAtWindowStart) * 1e6 < QUIET_SHARE * (now - windowStart));
                windowStart = now;
                compiledAtWindowStart = compiled;
            }
        }
    }
}
