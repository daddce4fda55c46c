package org.attn4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * This machine's memory bandwidth as a plain copy measures it, in the same run as what it is
 * compared with: {@code threads} threads each copy their share of a buffer (MemorySegment.copy,
 * i.e. memmove). The rate is bytes copied per second (each byte read once and written once); the
 * median of several rounds after a warm-up. {@link #measure(int)} copies a buffer far larger than
 * the caches (main memory); {@link #measure(int, long)} one of a given size, which streams from
 * whichever cache level that size fits in, as data of that size does when it is read again and again.
 */
final class CopyBandwidth {
    /** Bytes per buffer: far above any last-level cache, so the copy streams from memory. */
    static final long BYTES = 256L << 20;
    static final int ROUNDS = 7;

    private CopyBandwidth() {
    }

    /** Bytes copied per second (GB/s × 1e9) with {@code threads} threads, from main memory. */
    static double measure(int threads) throws InterruptedException {
        return measure(threads, BYTES, ROUNDS);
    }

    /** Bytes copied per second copying {@code bytes} again and again (the median of many rounds). */
    static double measure(int threads, long bytes) throws InterruptedException {
        return measure(threads, bytes, (int) Math.max(ROUNDS, Math.min(200, (BYTES / 4) / bytes)));
    }

    /**
     * The threads start once and copy their shares round after round between two barriers, so
     * that small copies are not charged a thread start each; the calling thread takes share 0
     * and times the rounds.
     */
    private static double measure(int threads, long bytes, int rounds) throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment from = arena.allocate(bytes, 64);
            MemorySegment to = arena.allocate(bytes, 64);
            from.fill((byte) 1); // touch every page before timing
            to.fill((byte) 2);
            long share = bytes / threads / 64 * 64;
            CyclicBarrier barrier = new CyclicBarrier(threads);
            List<Thread> workers = new ArrayList<>();
            for (int t = 1; t < threads; t++) {
                long start = t * share;
                long length = t == threads - 1 ? bytes - start : share;
                workers.add(Thread.ofPlatform().daemon().start(() -> {
                    try {
                        for (int r = -1; r < rounds; r++) {
                            barrier.await();
                            MemorySegment.copy(from, start, to, start, length);
                            barrier.await();
                        }
                    } catch (InterruptedException | BrokenBarrierException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            double[] ms = new double[rounds];
            long first = threads == 1 ? bytes : share;
            try {
                for (int r = -1; r < rounds; r++) { // round -1 warms up
                    barrier.await();
                    long t0 = System.nanoTime();
                    MemorySegment.copy(from, 0, to, 0, first);
                    barrier.await();
                    double elapsed = (System.nanoTime() - t0) / 1e6;
                    if (r >= 0) {
                        ms[r] = elapsed;
                    }
                }
            } catch (BrokenBarrierException e) {
                throw new IllegalStateException("a copying thread failed", e);
            }
            for (Thread w : workers) {
                w.join();
            }
            return bytes / (Stats.of(ms).median() / 1e3);
        }
    }
}
