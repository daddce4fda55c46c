package org.attn4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad arguments on both backends: wrong rank, mismatched dims, wrong dtype, closed arena,
 * too-small segment, misaligned address, overlapping or read-only or broadcast outputs. Each
 * is refused with IllegalArgumentException or IllegalStateException whose message names the
 * argument and says what was expected and what came; nothing reaches native code.
 */
class BadInputTest {

    private static void refused(Class<? extends RuntimeException> type, String fragment, Executable call) {
        RuntimeException e = assertThrows(type, call);
        String m = e.getMessage();
        assertTrue(m.contains("expected") && m.contains("got"), "message lacks expected/got: " + m);
        assertTrue(m.contains(fragment), "message lacks \"" + fragment + "\": " + m);
    }

    @OnBothBackends
    void shapeMismatchSaysExpectedAndGot(String name) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.zeros(arena, DType.F32, 2, 7, 32);
            Tensor y = Tensor.zeros(arena, DType.F32, 2, 7, 31);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.gelu(x, y));
            assertEquals("y: expected [2, 7, 32], got [2, 7, 31]", e.getMessage());
            Tensor w = Tensor.zeros(arena, DType.F32, 5, 31);
            refused(IllegalArgumentException.class, "weight: expected [5, 32], got [5, 31]",
                    () -> backend.linear(x, w, null, Tensor.zeros(arena, DType.F32, 2, 7, 5)));
            refused(IllegalArgumentException.class, "b: expected [3, 32, 4]",
                    () -> backend.matmul(x.reshape(7, 2, 32), false, Tensor.zeros(arena, DType.F32, 3, 31, 4), false, 1f,
                            Tensor.zeros(arena, DType.F32, 7, 2, 4)));
        }
    }

    @OnBothBackends
    void wrongRank(String name) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor sim = Tensor.zeros(arena, DType.F32, 2, 3, 4);
            refused(IllegalArgumentException.class, "sim: expected rank 4, got rank 3",
                    () -> backend.bcaSoftmax(sim, null, null, null, sim, Tensor.zeros(arena, DType.F32, 2, 3, 4)));
            refused(IllegalArgumentException.class, "weight: expected rank 2",
                    () -> backend.linear(Tensor.zeros(arena, DType.F32, 3), Tensor.zeros(arena, DType.F32, 3), null,
                            Tensor.zeros(arena, DType.F32, 3)));
            refused(IllegalArgumentException.class, "x: expected rank >= 2",
                    () -> backend.softmax(Tensor.zeros(arena, DType.F32, 3), -2, Tensor.zeros(arena, DType.F32, 3)));
            refused(IllegalArgumentException.class, "axis: expected -1 or -2, got 0",
                    () -> backend.softmax(sim, 0, Tensor.zeros(arena, DType.F32, 2, 3, 4)));
            refused(IllegalArgumentException.class, "qk: expected rank 4",
                    () -> fused(backend, arena, Tensor.zeros(arena, DType.F32, 1, 2, 3), null, null, null));
        }
    }

    @OnBothBackends
    void mismatchedAttentionDims(String name) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor sim = Tensor.zeros(arena, DType.F32, 2, 3, 5, 7);
            Tensor attn = Tensor.zeros(arena, DType.F32, 2, 3, 5, 7);
            Tensor contextAttn = Tensor.zeros(arena, DType.F32, 2, 3, 5, 7);
            refused(IllegalArgumentException.class, "mask: expected [2, 5], got [2, 7]",
                    () -> backend.bcaSoftmax(sim, null, Tensor.zeros(arena, DType.BOOL, 2, 7), null, attn, contextAttn));
            refused(IllegalArgumentException.class, "relPosBias: expected a shape that broadcasts to [2, 3, 5, 7], got [3, 7, 5]",
                    () -> backend.bcaSoftmax(sim, Tensor.zeros(arena, DType.F32, 3, 7, 5), null, null, attn, contextAttn));
            refused(IllegalArgumentException.class, "contextAttn: expected [2, 3, 5, 7], got [2, 3, 7, 5]",
                    () -> backend.bcaSoftmax(sim, null, null, null, attn, Tensor.zeros(arena, DType.F32, 2, 3, 7, 5)));
            refused(IllegalArgumentException.class, "weight: expected [3, 3], got [3, 2]",
                    () -> backend.headMix(sim, Tensor.zeros(arena, DType.F32, 3, 2), attn));
            refused(IllegalArgumentException.class, "contextV: expected [1, 2, 4, 8], got [1, 2, 4, 9]",
                    () -> fused(backend, arena, Tensor.zeros(arena, DType.F32, 1, 2, 3, 8), Tensor.zeros(arena, DType.F32, 1, 2, 4, 9),
                            null, null));
            refused(IllegalArgumentException.class, "talkingHeads: expected [2, 2], got [3, 3]",
                    () -> fused(backend, arena, Tensor.zeros(arena, DType.F32, 1, 2, 3, 8), null,
                            Tensor.zeros(arena, DType.F32, 3, 3), null));
        }
    }

    @OnBothBackends
    void wrongDtype(String name) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor sim = Tensor.zeros(arena, DType.F32, 1, 1, 2, 3);
            refused(IllegalArgumentException.class, "mask: expected dtype BOOL, got F32",
                    () -> backend.bcaSoftmax(sim, null, Tensor.zeros(arena, DType.F32, 1, 2), null,
                            Tensor.zeros(arena, DType.F32, 1, 1, 2, 3), Tensor.zeros(arena, DType.F32, 1, 1, 2, 3)));
            refused(IllegalArgumentException.class, "x: expected dtype F32, got BF16",
                    () -> backend.gelu(Tensor.zeros(arena, DType.BF16, 4), Tensor.zeros(arena, DType.F32, 4)));
            refused(IllegalArgumentException.class, "y: expected dtype F32, got F64",
                    () -> backend.gelu(Tensor.zeros(arena, DType.F32, 4), Tensor.zeros(arena, DType.F64, 4)));
        }
    }

    @OnBothBackends
    void closedArena(String name) {
        Backend backend = TestBackends.named(name);
        Tensor dead;
        try (Arena arena = Arena.ofConfined()) {
            dead = Tensor.zeros(arena, DType.F32, 4);
        }
        try (Arena arena = Arena.ofConfined()) {
            Tensor live = Tensor.zeros(arena, DType.F32, 4);
            refused(IllegalStateException.class, "x: expected a live tensor, got one whose arena is closed",
                    () -> backend.gelu(dead, live));
            refused(IllegalStateException.class, "y: expected a live tensor",
                    () -> backend.gelu(live, dead));
        }
    }

    @OnBothBackends
    void otherThreadsConfinedArena(String name) throws Exception {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.zeros(arena, DType.F32, 4);
            Tensor y = Tensor.zeros(arena, DType.F32, 4);
            Throwable[] thrown = new Throwable[1];
            Thread other = new Thread(() -> {
                try {
                    backend.gelu(x, y);
                } catch (Throwable t) {
                    thrown[0] = t;
                }
            });
            other.start();
            other.join();
            assertTrue(thrown[0] instanceof IllegalStateException, "got " + thrown[0]);
            assertTrue(thrown[0].getMessage().contains("x: expected a segment this thread may access"), thrown[0].getMessage());
        }
    }

    // the native backend's packed copies: another weight's, a strided view, a weight of rank 1
    @Test
    void packedWeightThatDoesNotFitIsRefused() {
        Backend backend = TestBackends.named("native");
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.zeros(arena, DType.F32, 2, 32);
            Tensor w = Tensor.zeros(arena, DType.F32, 17, 32); // 2 panels of 16 outputs: 1024 floats
            Tensor y = Tensor.zeros(arena, DType.F32, 2, 17);
            Tensor other = backend.packLinearWeight(Tensor.zeros(arena, DType.F32, 16, 32), arena);
            refused(IllegalArgumentException.class, "packed: expected [1024], got [512]",
                    () -> backend.linear(x, w, other, null, y));
            Tensor strided = Tensor.zeros(arena, DType.F32, 1024, 2).select(1, 0);
            refused(IllegalArgumentException.class, "packed: expected a contiguous tensor",
                    () -> backend.linearGelu(x, w, strided, null, y));
            refused(IllegalArgumentException.class, "weight: expected rank 2",
                    () -> backend.packLinearWeight(Tensor.zeros(arena, DType.F32, 32), arena));
        }
    }

    @Test
    void tooSmallSegmentIsRefusedWhenWrapped() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(4 * 11, 64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.wrap(segment, DType.F32, 3, 4));
            assertTrue(e.getMessage().contains("expected at least 48 bytes, got 44"), e.getMessage());
        }
    }

    @OnBothBackends
    void misalignedAddress(String name) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(64, 64);
            Tensor odd = Tensor.wrap(bytes.asSlice(1), DType.F32, 4); // starts 1 byte past a 64-byte boundary
            refused(IllegalArgumentException.class, "x: expected a 4-byte aligned address for F32",
                    () -> backend.gelu(odd, Tensor.zeros(arena, DType.F32, 4)));
        }
    }

    @OnBothBackends
    void outputsThatCannotBeWritten(String name) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.zeros(arena, DType.F32, 3, 4);
            Tensor readOnly = Tensor.wrap(arena.allocate(48, 64).asReadOnly(), DType.F32, 3, 4);
            refused(IllegalArgumentException.class, "y: expected a writable segment, got a read-only one",
                    () -> backend.gelu(x, readOnly));
            Tensor broadcast = Tensor.zeros(arena, DType.F32, 4).expand(3, 4); // stride 0: three rows on one
            refused(IllegalArgumentException.class, "y: expected strides whose elements do not overlap",
                    () -> backend.gelu(x, broadcast));
        }
    }

    @OnBothBackends
    void aliasing(String name) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor buffer = Tensor.zeros(arena, DType.F32, 2, 8);
            Tensor x = buffer.slice(1, 0, 6);
            Tensor shifted = buffer.slice(1, 2, 8); // overlaps x, not the same view
            refused(IllegalArgumentException.class, "y: expected memory disjoint from x (or exactly x itself",
                    () -> backend.gelu(x, shifted));
            Tensor w = Tensor.zeros(arena, DType.F32, 6, 6);
            refused(IllegalArgumentException.class, "y: expected memory disjoint from x, got an overlapping view",
                    () -> backend.linear(x, w, null, x));
            Tensor x4 = Tensor.zeros(arena, DType.F32, 1, 2, 3, 3);
            refused(IllegalArgumentException.class, "y: expected memory disjoint from x",
                    () -> backend.headMix(x4, Tensor.zeros(arena, DType.F32, 2, 2), x4));
            refused(IllegalArgumentException.class, "contextAttn: expected memory disjoint from sim",
                    () -> backend.bcaSoftmax(x4, null, null, null, Tensor.zeros(arena, DType.F32, 1, 2, 3, 3), x4));
        }
    }

    @OnBothBackends
    void nullsAndValues(String name) {
        Backend backend = TestBackends.named(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.zeros(arena, DType.F32, 3, 4);
            refused(IllegalArgumentException.class, "x: expected a tensor, got null", () -> backend.gelu(null, x));
            refused(IllegalArgumentException.class, "weight: expected a tensor, got null", () -> backend.rmsNorm(x, null, 1e-6f, x));
            refused(IllegalArgumentException.class, "eps: expected a finite value >= 0, got -1.0",
                    () -> backend.rmsNorm(x, Tensor.zeros(arena, DType.F32, 4), -1f, x));
            refused(IllegalArgumentException.class, "eps: expected a finite value >= 0, got NaN",
                    () -> backend.layerNorm(x, null, null, Float.NaN, x));
            refused(IllegalArgumentException.class, "b: expected a shape that broadcasts to [3, 4], got [2]",
                    () -> backend.add(x, Tensor.zeros(arena, DType.F32, 2), x));
            refused(IllegalArgumentException.class, "scale: expected a finite value, got Infinity",
                    () -> backend.bcaFused(Tensor.zeros(arena, DType.F32, 1, 1, 2, 2), Tensor.zeros(arena, DType.F32, 1, 1, 2, 2),
                            Tensor.zeros(arena, DType.F32, 1, 1, 2, 2), Tensor.zeros(arena, DType.F32, 1, 1, 2, 2), null, null,
                            null, null, null, Float.POSITIVE_INFINITY, Tensor.zeros(arena, DType.F32, 1, 1, 2, 2),
                            Tensor.zeros(arena, DType.F32, 1, 1, 2, 2)));
        }
    }

    @Test
    void nativeBackendRefusesHeapSegments() {
        Backend backend = TestBackends.named("native");
        Tensor heap = Tensor.wrap(MemorySegment.ofArray(new float[4]), DType.F32, 4);
        try (Arena arena = Arena.ofConfined()) {
            refused(IllegalArgumentException.class, "x: expected an off-heap (native) segment",
                    () -> backend.gelu(heap, Tensor.zeros(arena, DType.F32, 4)));
        }
        // the reference computes on heap segments as on any other
        Tensor out = Tensor.wrap(MemorySegment.ofArray(new float[4]), DType.F32, 4);
        TestBackends.named("java").gelu(heap, out);
        assertEquals(0f, out.getFloat(2));
    }

    /** bcaFused on qk [b, h, i, d] with the other inputs made to fit unless given. */
    private static void fused(Backend backend, Arena arena, Tensor qk, Tensor contextV, Tensor talkingHeads, Tensor mask) {
        long[] s = qk.shape();
        long b = s[0];
        long h = s.length > 1 ? s[1] : 1;
        long i = s.length > 2 ? s[2] : 1;
        long d = s.length > 3 ? s[3] : 1;
        long j = 4;
        Tensor cqk = Tensor.zeros(arena, DType.F32, b, h, j, d);
        Tensor v = Tensor.zeros(arena, DType.F32, b, h, i, d);
        Tensor cv = contextV != null ? contextV : Tensor.zeros(arena, DType.F32, b, h, j, d);
        backend.bcaFused(qk, cqk, v, cv, null, mask, null, talkingHeads, null, 1f, Tensor.zeros(arena, DType.F32, b, h, i, d),
                Tensor.zeros(arena, DType.F32, b, h, j, d));
    }
}
