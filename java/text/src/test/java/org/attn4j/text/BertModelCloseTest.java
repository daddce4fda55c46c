package org.attn4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.attn4j.Backends;
import org.junit.jupiter.api.Test;

/**
 * BertModel keeps the module protocol for its workspaces too: a close racing running forwards
 * only marks the model closed, the forwards finish with correct results (or get
 * IllegalStateException once closed), and the workspaces they hand back are freed after the last
 * of them leaves, none left behind.
 */
class BertModelCloseTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 3;

    @Test
    void closeRacingForwardsFreesEveryWorkspaceAfterTheLastForward() throws Exception {
        // 6 sentences of 40 tokens (the tiny model's max positions), lengths 1..40
        int b = 6;
        int s = 40;
        int[] ids = new int[b * s];
        int[] lengths = {40, 1, 17, 40, 33, 8};
        for (int k = 0; k < ids.length; k++) {
            ids[k] = (k * 37 + 11) % 1000;
        }
        TokenBatch batch = new TokenBatch(b, s, ids, new int[b * s], lengths);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                race(batch, pool);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void race(TokenBatch batch, ExecutorService pool) throws Exception {
        BertModel model = load();
        float[] expected;
        try (Arena arena = Arena.ofConfined()) {
            expected = model.lastHiddenState(arena, batch).toFloatArray();
        }
        CountDownLatch running = new CountDownLatch(THREADS);
        AtomicInteger done = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            futures.add(pool.submit(() -> {
                running.countDown();
                for (;;) {
                    try (Arena arena = Arena.ofConfined()) {
                        float[] got = model.lastHiddenState(arena, batch).toFloatArray();
                        assertArrayEquals(expected, got, 0f, "a forward racing close");
                        done.incrementAndGet();
                    } catch (IllegalStateException closed) {
                        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
                        return null;
                    }
                }
            }));
        }
        running.await();
        while (done.get() < THREADS) {
            Thread.onSpinWait(); // every thread has finished a forward: workspaces are in use now
        }
        model.close();
        for (Future<?> f : futures) {
            f.get();
        }
        assertEquals(0, model.workspacesAllocated(), "workspaces left allocated after close and the last forward");
        assertThrows(IllegalStateException.class, model::close);
    }

    private static BertModel load() throws IOException {
        return BertModel.fromSafeTensors(BertFilesTest.fixture("model.safetensors").getParent(), Backends.defaultBackend());
    }
}
