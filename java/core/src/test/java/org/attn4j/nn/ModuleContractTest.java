package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.attn4j.Backend;
import org.attn4j.TestBackends;
import org.attn4j.Tensor;
import org.attn4j.internal.tensor.Shapes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every promise of {@link Module}, on every module class of {@link ModuleRegistry}: a close racing
 * running forwards on memory-mapped weights, 16 threads bit-identical to one, forward after close,
 * save → load equal through {@link Models#load}, inputs from a closed arena, wrong shapes, NaN
 * propagation. On the native backend (the one whose kernels hold raw addresses).
 */
class ModuleContractTest {
    private static final Backend BACKEND = TestBackends.nativeBackend();
    private static final Backend REFERENCE = TestBackends.javaReference();
    private static final List<ModuleRegistry.Case> CASES = ModuleRegistry.CASES;

    @TempDir
    Path tmp;

    private static Tensor[] inputs(ModuleRegistry.Case c, Arena arena, long seed) {
        Tensor[] in = new Tensor[c.inputs().length];
        for (int k = 0; k < in.length; k++) {
            in[k] = Tensor.randn(arena, seed + k, c.inputs()[k]);
        }
        return in;
    }

    private static float[][] values(Tensor[] out) {
        float[][] v = new float[out.length][];
        for (int k = 0; k < out.length; k++) {
            v[k] = out[k].toFloatArray();
        }
        return v;
    }

    private static void assertBitEqual(float[][] expected, float[][] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k].length, actual[k].length, what);
            for (int e = 0; e < expected[k].length; e++) {
                if (Float.floatToRawIntBits(expected[k][e]) != Float.floatToRawIntBits(actual[k][e])) {
                    throw new AssertionError(what + ": output " + k + " element " + e + ": " + expected[k][e] + " vs " + actual[k][e]);
                }
            }
        }
    }

    private Path saved(ModuleRegistry.Case c) throws IOException {
        Path file = tmp.resolve(c.name() + ".safetensors");
        try (Module m = c.build().apply(BACKEND)) {
            m.save(file);
        }
        return file;
    }

    /** The registry covers every module class Models.load and attn4j run know. */
    @org.junit.jupiter.api.Test
    void registryCoversEveryModuleClass() {
        java.util.Set<String> registered = new java.util.TreeSet<>();
        CASES.forEach(c -> registered.add(c.name()));
        assertEquals(ModuleClasses.names(), registered);
        assertEquals(ModuleClasses.names(), Models.classNames());
        // model files name a module by its class's simple name (what ConfiguredModule writes)
        ModuleClasses.all().forEach(mc -> assertEquals(mc.type().getSimpleName(), mc.name()));
    }

    /** 20 closes racing 4 forwarding threads on memory-mapped weights: results or IllegalStateException, never a crash. */
    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void closeRacingForwards(ModuleRegistry.Case c) throws Exception {
        Path file = saved(c);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Arena inputs = Arena.ofShared()) {
            Tensor[] in = inputs(c, inputs, 1);
            for (int race = 0; race < 20; race++) {
                Module m = Models.load(file, BACKEND);
                Tensor weight = m.stateDict().values().iterator().next();
                CountDownLatch started = new CountDownLatch(4);
                AtomicInteger done = new AtomicInteger();
                List<Future<?>> calls = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    calls.add(pool.submit(() -> {
                        started.countDown();
                        for (;;) {
                            try (Arena out = Arena.ofConfined()) {
                                c.forward().run(m, out, in);
                                done.incrementAndGet();
                            } catch (IllegalStateException closed) {
                                return null; // the close won: the only failure a caller may see
                            }
                        }
                    }));
                }
                started.await();
                Thread.sleep(race % 4); // close at different points of the forwards
                m.close();
                for (Future<?> f : calls) {
                    f.get(); // rethrows anything but IllegalStateException (a crash never gets here)
                }
                assertFalse(weight.segment().scope().isAlive(), c + ": weights still allocated after the last forward");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** 16 threads on one module give the bits one thread gives. */
    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void sixteenThreadsBitIdenticalToOne(ModuleRegistry.Case c) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (Module m = c.build().apply(BACKEND); Arena inputs = Arena.ofShared()) {
            Tensor[] in = inputs(c, inputs, 2);
            float[][] expected;
            try (Arena out = Arena.ofConfined()) {
                expected = values(c.forward().run(m, out, in));
            }
            List<Future<float[][]>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                results.add(pool.submit(() -> {
                    try (Arena out = Arena.ofConfined()) {
                        return values(c.forward().run(m, out, in));
                    }
                }));
            }
            for (Future<float[][]> r : results) {
                assertBitEqual(expected, r.get(), c + ", 16 threads");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void forwardAfterCloseThrows(ModuleRegistry.Case c) {
        Module m = c.build().apply(BACKEND);
        m.close();
        try (Arena arena = Arena.ofConfined()) {
            Tensor[] in = inputs(c, arena, 3);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.forward().run(m, arena, in));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
        assertThrows(IllegalStateException.class, m::close, "a second close is a bug that surfaces");
    }

    /** save → Models.load gives the same class, metadata, state dict and outputs. */
    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void saveLoadEqual(ModuleRegistry.Case c) throws IOException {
        Path file = tmp.resolve("m.safetensors");
        try (Module m = c.build().apply(BACKEND); Arena arena = Arena.ofConfined()) {
            m.save(file);
            assertEquals(c.name(), Models.className(file));
            try (Module loaded = Models.load(file, BACKEND); Module typed = Models.load(file, m.getClass(), BACKEND)) {
                assertEquals(m.getClass(), loaded.getClass());
                assertEquals(m.metadata(), typed.metadata());
                Class<? extends Module> other = m instanceof LinearAttention ? MultiheadAttention.class : LinearAttention.class;
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Models.load(file, other, BACKEND));
                assertTrue(e.getMessage().contains(c.name()), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> Models.load(file, Module.class, BACKEND));
                assertEquals(m.metadata(), loaded.metadata());
                Map<String, Tensor> a = m.stateDict();
                Map<String, Tensor> b = loaded.stateDict();
                assertEquals(List.copyOf(a.keySet()), List.copyOf(b.keySet()));
                for (String k : a.keySet()) {
                    assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
                }
                Tensor[] in = inputs(c, arena, 4);
                assertBitEqual(values(c.forward().run(m, arena, in)), values(c.forward().run(loaded, arena, in)),
                        c + ", loaded");
            }
        }
        assertTrue(Files.size(file) > 0);
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void inputsFromAClosedArenaThrow(ModuleRegistry.Case c) {
        try (Module m = c.build().apply(BACKEND)) {
            Arena arena = Arena.ofConfined();
            Tensor[] in = inputs(c, arena, 5);
            arena.close();
            try (Arena out = Arena.ofConfined()) {
                assertThrows(IllegalStateException.class, () -> c.forward().run(m, out, in));
            }
        }
    }

    /** A wrong last dimension of each input: IllegalArgumentException naming the argument and the shape given. */
    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void wrongShapesNameTheArgument(ModuleRegistry.Case c) {
        try (Module m = c.build().apply(BACKEND); Arena arena = Arena.ofConfined()) {
            for (int k = 0; k < c.inputs().length; k++) {
                Tensor[] in = inputs(c, arena, 6);
                long[] bad = c.inputs()[k].clone();
                // the features axis; for values (whose feature count is free) the positions, which must match keys'
                bad[c.names()[k].equals("values") ? 1 : bad.length - 1] += 1;
                in[k] = Tensor.randn(arena, 7, bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.forward().run(m, arena, in),
                        c + ": " + c.names()[k]);
                assertTrue(e.getMessage().contains(c.names()[k]), c + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(Shapes.toString(bad)), c + ": " + e.getMessage());
            }
        }
    }

    /**
     * A NaN in an input reaches the outputs (no kernel hides it) exactly where it reaches them on
     * the Java reference (PyTorch's propagation: a NaN query's row, every row that sees a NaN key):
     * in the first input's first element, and in the last input at the last position of the
     * first 64-key tile (native/test/test_sdpa.c has the kernel-level cases).
     */
    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void nanPropagatesAsOnTheReference(ModuleRegistry.Case c) {
        try (Module m = c.build().apply(BACKEND); Module ref = c.build().apply(REFERENCE); Arena arena = Arena.ofConfined()) {
            int last = c.inputs().length - 1;
            long[] tileEnd = {c.inputs()[last][0] - 1, Math.min(63, c.inputs()[last][1] - 1), 0};
            for (int k : new int[] {0, last}) {
                Tensor[] in = inputs(c, arena, 8);
                in[k].setFloat(Float.NaN, k == 0 ? new long[in[0].rank()] : tileEnd);
                float[][] got = values(c.forward().run(m, arena, in));
                float[][] want = values(c.forward().run(ref, arena, in));
                int nans = 0;
                for (int o = 0; o < want.length; o++) {
                    for (int e = 0; e < want[o].length; e++) {
                        if (Float.isNaN(want[o][e]) != Float.isNaN(got[o][e])) {
                            throw new AssertionError(c + ", NaN in " + c.names()[k] + ": output " + o + " element " + e
                                    + ": native " + got[o][e] + ", reference " + want[o][e]);
                        }
                        nans += Float.isNaN(want[o][e]) ? 1 : 0;
                    }
                }
                assertTrue(nans > 0, c + ": a NaN in " + c.names()[k] + " gave no NaN output");
            }
        }
    }
}
