package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.attn4j.Backend;
import org.attn4j.OnBothBackends;
import org.attn4j.Tensor;
import org.attn4j.TestBackends;

/**
 * One module shared by many threads: results bit-identical to a single thread on both paths
 * (with masks, bias and talking heads), a close racing running forwards (they finish, later ones
 * get IllegalStateException, the weights are released by the last one out), and inputs a
 * thread may not use (closed arena, another thread's confined arena) rejected cleanly. The full
 * 16 × 625 = 10,000-forward run is org.attn4j.bench.Soak (java/bench).
 */
class ThreadSafetyTest {
    private static final Backend NATIVE = TestBackends.nativeBackend();
    private static final Backend JAVA = TestBackends.javaReference();
    private static final int THREADS = 16;

    private static Backend backend(String name) {
        return name.equals("native") ? NATIVE : JAVA;
    }

    private static BidirectionalCrossAttention module(Backend backend) {
        return BidirectionalCrossAttention.builder().dim(32).contextDim(24).heads(4).dimHead(8).talkingHeads(true)
                .build(backend, 42);
    }

    /** out and contextOut as raw float bits, so that the comparison is exact (NaN included). */
    private static int[][] bits(BidirectionalOutput o) {
        return new int[][] {bits(o.out().toFloatArray()), bits(o.contextOut().toFloatArray())};
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int k = 0; k < f.length; k++) {
            b[k] = Float.floatToRawIntBits(f[k]);
        }
        return b;
    }

    @OnBothBackends
    void sixteenThreadsGiveSingleThreadBits(String backendName) throws Exception {
        int perThread = backendName.equals("native") ? 100 : 5; // the reference is ~100x slower
        AttentionPath[] paths = {AttentionPath.FUSED, AttentionPath.MATERIALISED};
        try (Arena shared = Arena.ofShared(); BidirectionalCrossAttention m = module(backend(backendName))) {
            List<ForwardCase> cases = ForwardCase.all(shared);
            int[][][][] want = new int[cases.size()][paths.length][][];
            try (Arena arena = Arena.ofConfined()) {
                for (int c = 0; c < cases.size(); c++) {
                    for (int p = 0; p < paths.length; p++) {
                        ForwardCase k = cases.get(c);
                        want[c][p] = bits(m.forward(arena, k.x(), k.context(), k.on(paths[p])));
                    }
                }
            }
            CyclicBarrier start = new CyclicBarrier(THREADS); // all threads in forward at once
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger compared = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        for (int n = 0; n < perThread; n++) {
                            int c = (id + n) % cases.size();
                            int p = (id / 2 + n) % paths.length;
                            ForwardCase k = cases.get(c);
                            try (Arena arena = Arena.ofConfined()) {
                                int[][] got = bits(m.forward(arena, k.x(), k.context(), k.on(paths[p])));
                                assertArrayEquals(want[c][p][0], got[0], "thread " + id + " call " + n + " out");
                                assertArrayEquals(want[c][p][1], got[1], "thread " + id + " call " + n + " context_out");
                            }
                            compared.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            if (!failures.isEmpty()) {
                throw new AssertionError(failures.size() + " threads failed, first: " + failures.peek(), failures.peek());
            }
            assertEquals(THREADS * perThread, compared.get());
        }
    }

    @OnBothBackends
    void closeWhileOtherThreadsAreInForward(String backendName) throws Exception {
        int workers = 8;
        BidirectionalCrossAttention m = module(backend(backendName));
        List<Tensor> weights = List.copyOf(m.stateDict().values());
        try (Arena shared = Arena.ofShared()) {
            ForwardCase k = ForwardCase.all(shared).get(3);
            int[][] want;
            try (Arena arena = Arena.ofConfined()) {
                want = bits(m.forward(arena, k.x(), k.context(), k.options()));
            }
            CountDownLatch running = new CountDownLatch(workers * 3); // every worker has done ~3 forwards
            ConcurrentLinkedQueue<Throwable> endings = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < workers; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (;;) {
                            try (Arena arena = Arena.ofConfined()) {
                                int[][] got = bits(m.forward(arena, k.x(), k.context(), k.options()));
                                assertArrayEquals(want[0], got[0]);
                                assertArrayEquals(want[1], got[1]);
                            }
                            running.countDown();
                        }
                    } catch (IllegalStateException e) {
                        endings.add(e); // the expected end: forward on a closed module
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            running.await();
            m.close(); // while the workers are (most likely) inside forward
            for (Thread t : threads) {
                t.join();
            }
            if (!failures.isEmpty()) {
                throw new AssertionError("a worker failed: " + failures.peek(), failures.peek());
            }
            assertEquals(workers, endings.size());
            for (Throwable e : endings) {
                assertEquals("BidirectionalCrossAttention is closed", e.getMessage());
            }
            for (Tensor w : weights) {
                assertFalse(w.isAlive(), "the last forward out releases the weights");
            }
            assertThrows(IllegalStateException.class, m::close);
        }
    }

    @OnBothBackends
    void unusableInputsAreCleanExceptions(String backendName) throws Exception {
        try (BidirectionalCrossAttention m = module(backend(backendName)); Arena arena = Arena.ofConfined()) {
            Tensor context = Tensor.randn(arena, 2, 1, 5, 24);

            Arena closed = Arena.ofConfined();
            Tensor dead = Tensor.randn(closed, 1, 1, 3, 32);
            closed.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.forward(arena, dead, context));
            assertTrue(e.getMessage().startsWith("x: "), e.getMessage());

            Arena closedMask = Arena.ofConfined();
            Tensor deadMask = Tensor.ofBooleans(closedMask, new boolean[] {true, false, true}, 1, 3);
            closedMask.close();
            Tensor x = Tensor.randn(arena, 1, 1, 3, 32);
            e = assertThrows(IllegalStateException.class,
                    () -> m.forward(arena, x, context, BidirectionalOptions.builder().mask(deadMask).build()));
            assertTrue(e.getMessage().startsWith("mask: "), e.getMessage());

            // x is confined to this thread: another thread must get a clean exception, not a read of it.
            Throwable[] other = new Throwable[1];
            Thread t = Thread.ofPlatform().start(() -> {
                try (Arena own = Arena.ofConfined()) {
                    m.forward(own, x, context);
                } catch (Throwable thrown) {
                    other[0] = thrown;
                }
            });
            t.join();
            assertTrue(other[0] instanceof IllegalStateException, "got " + other[0]);
            assertTrue(other[0].getMessage().startsWith("x: "), other[0].getMessage());
        }
    }

    @OnBothBackends
    void forwardAfterCloseAndDoubleClose(String backendName) {
        BidirectionalCrossAttention m = module(backend(backendName));
        m.close();
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.randn(arena, 1, 1, 3, 32);
            Tensor context = Tensor.randn(arena, 2, 1, 5, 24);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.forward(arena, x, context));
            assertEquals("BidirectionalCrossAttention is closed", e.getMessage());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, m::close);
        assertEquals("BidirectionalCrossAttention is already closed", e.getMessage());
    }
}
