package org.attn4j.bench;

/**
 * The untimed runs of an in-process contender (attn4j, ONNX Runtime's Java API): at least the
 * asked count, and at least {@link #MIN_NANOS} of them. Why: a forward's Java side runs
 * interpreted for its first thousands of calls and the JIT's compiler threads take CPU beside
 * it; after the one warm-up run of old, the README module at 16 × 16 timed 0.54 ms in attn4j
 * against 0.32 after 1 s of runs, and MultiheadAttention at n = 4096 160–177 ms in `bench
 * peers` (1 warm-up, 3 timed runs) against 133–136 in a loop of 30 (ONNX Runtime's thin JNI
 * layer hardly changes), so the tables compared warm-up, not libraries.
 */
final class WarmUp {
    static final long MIN_NANOS = 1_000_000_000L;
    /** At most this many runs (a 16 × 16 forward is ≈ 0.3 ms). */
    static final int MAX_RUNS = 5_000;

    /** One untimed call. */
    interface Call {
        void run() throws Exception;
    }

    private WarmUp() {
    }

    /** Calls {@code call} at least {@code runs} times and for at least MIN_NANOS (up to MAX_RUNS calls). */
    static void run(int runs, Call call) throws Exception {
        long start = System.nanoTime();
        for (int k = 0; k < runs || (k < MAX_RUNS && System.nanoTime() - start < MIN_NANOS); k++) {
            call.run();
        }
    }
}
