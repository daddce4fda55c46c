package org.attn4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * This machine's memory bandwidth as a plain copy measures it, in the same run as what it is
 * compared with: {@code threads} threads each copy their share of a buffer much larger than the
 * caches (MemorySegment.copy, i.e. memmove). The rate is bytes copied per second (each byte read
 * once and written once); the median of a few rounds after a warm-up.
 */
final class CopyBandwidth {
    /** Bytes per buffer: far above any last-level cache, so the copy streams from memory. */
    static final long BYTES = 256L << 20;
    static final int ROUNDS = 7;

    private CopyBandwidth() {
    }

    /** Bytes copied per second (GB/s × 1e9) with {@code threads} threads. */
    static double measure(int threads) throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment from = arena.allocate(BYTES, 64);
            MemorySegment to = arena.allocate(BYTES, 64);
            from.fill((byte) 1); // touch every page before timing
            to.fill((byte) 2);
            double[] ms = new double[ROUNDS];
            for (int r = -1; r < ROUNDS; r++) { // round -1 warms up
                long t0 = System.nanoTime();
                copy(from, to, threads);
                double elapsed = (System.nanoTime() - t0) / 1e6;
                if (r >= 0) {
                    ms[r] = elapsed;
                }
            }
            return BYTES / (Stats.of(ms).median() / 1e3);
        }
    }

    private static void copy(MemorySegment from, MemorySegment to, int threads) throws InterruptedException {
        long share = BYTES / threads / 64 * 64;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long start = t * share;
            long length = t == threads - 1 ? BYTES - start : share;
            workers.add(Thread.ofPlatform().start(() -> MemorySegment.copy(from, start, to, start, length)));
        }
        for (Thread w : workers) {
            w.join();
        }
    }
}
