package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.attn4j.internal.backend.NativeBackend;
import org.junit.jupiter.api.Test;

/** Creating, choosing, using and closing backends. */
class BackendLifecycleTest {

    @OnBothBackends
    void useAfterCloseAndSecondCloseThrow(String name) {
        Backend backend = name.equals("native") ? Backends.nativeBackend(1) : Backends.javaReference();
        assertEquals(name, backend.name());
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, new float[] {1, 2}, 2);
            backend.gelu(x, x);
            backend.close();
            IllegalStateException use = assertThrows(IllegalStateException.class, () -> backend.gelu(x, x));
            assertTrue(use.getMessage().contains("closed"), use.getMessage());
            IllegalStateException again = assertThrows(IllegalStateException.class, backend::close);
            assertTrue(again.getMessage().contains("already closed"), again.getMessage());
        }
    }

    @Test
    void threadCounts() {
        try (Backend one = Backends.nativeBackend(1); Backend all = Backends.nativeBackend(0)) {
            assertEquals(1, one.threads());
            assertTrue(all.threads() >= 1, "0 resolves to the cores: " + all.threads());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.nativeBackend(-1));
        assertTrue(e.getMessage().contains("threads: expected 0..4096"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.nativeBackend(NativeBackend.MAX_THREADS + 1));
        try (Backend java = Backends.javaReference()) {
            assertEquals(1, java.threads());
        }
    }

    @Test
    void defaultBackendIsSharedAndCannotBeClosed() {
        Backend shared = Backends.defaultBackend();
        assertSame(shared, Backends.defaultBackend());
        IllegalStateException e = assertThrows(IllegalStateException.class, shared::close);
        assertTrue(e.getMessage().contains("shared"), e.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, new float[] {0}, 1);
            shared.gelu(x, x); // still usable after the refused close
            assertEquals(0f, x.getFloat(0));
        }
    }

    @Test
    void propertiesChooseTheBackend() {
        try (Backend b = Backends.fromProperties(null, null)) {
            assertEquals("native", b.name());
        }
        try (Backend b = Backends.fromProperties("java", "3")) {
            assertEquals("java", b.name());
        }
        try (Backend b = Backends.fromProperties(" native ", "2")) {
            assertEquals(2, b.threads());
        }
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> Backends.fromProperties("gpu", null));
        assertEquals("-Dattn4j.backend: expected native or java, got gpu", kind.getMessage());
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class, () -> Backends.fromProperties("java", "many"));
        assertEquals("-Dattn4j.threads: expected an integer >= 0 (0 = all cores), got many", threads.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.parseThreads("-2"));
        assertEquals(0, Backends.parseThreads(""));
    }

    @Test
    void backendsWorkFromManyThreadsAtOnce() throws InterruptedException {
        try (Backend backend = Backends.nativeBackend(1); Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.randn(arena, 1, 64, 48);
            Tensor w = Tensor.randn(arena, 2, 32, 48);
            Tensor expected = Tensor.zeros(arena, DType.F32, 64, 32);
            backend.linear(x, w, null, expected);
            Thread[] threads = new Thread[4];
            Throwable[] failures = new Throwable[threads.length];
            for (int t = 0; t < threads.length; t++) {
                int id = t;
                threads[t] = new Thread(() -> {
                    try (Arena mine = Arena.ofConfined()) {
                        for (int r = 0; r < 50; r++) {
                            Tensor y = Tensor.zeros(mine, DType.F32, 64, 32);
                            backend.linear(x, w, null, y);
                            Layouts.assertClose(expected, y, 0, 0, "thread " + id);
                        }
                    } catch (Throwable e) {
                        failures[id] = e;
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            for (Throwable f : failures) {
                if (f != null) {
                    throw new AssertionError(f);
                }
            }
        }
    }

    @Test
    void closeRacingRunningOperationsNeverFreesTheContextUnderThem() throws InterruptedException {
        Backend backend = Backends.nativeBackend(1);
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.randn(arena, 1, 256, 256);
            Tensor w = Tensor.randn(arena, 2, 256, 256);
            Throwable[] ended = new Throwable[1];
            Thread worker = new Thread(() -> {
                try (Arena mine = Arena.ofConfined()) {
                    Tensor y = Tensor.zeros(mine, DType.F32, 256, 256);
                    while (true) {
                        backend.linear(x, w, null, y); // until the backend is closed under the loop
                    }
                } catch (Throwable t) {
                    ended[0] = t;
                }
            });
            worker.start();
            int refused = 0;
            while (true) { // whatever the interleaving: close is refused while a call runs, or succeeds between calls
                try {
                    backend.close();
                    break;
                } catch (IllegalStateException busy) {
                    assertTrue(busy.getMessage().contains("while an operation is running"), busy.getMessage());
                    refused++;
                }
            }
            worker.join();
            assertTrue(ended[0] instanceof IllegalStateException, "worker ended with " + ended[0] + " after " + refused + " refusals");
            assertTrue(ended[0].getMessage().contains("closed"), ended[0].getMessage());
        }
    }
}
