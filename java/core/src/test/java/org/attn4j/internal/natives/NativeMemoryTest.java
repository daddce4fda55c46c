package org.attn4j.internal.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.attn4j.Attn4jNativeException;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;

/** attn4j_alloc through NativeMemory: alignment, lifetime, bad arguments, exhaustion. */
class NativeMemoryTest {

    @Test
    void allocatesAlignedWritableMemoryFreedWithTheArena() {
        MemorySegment kept;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = NativeMemory.allocate(arena, 1000);
            assertEquals(1000, s.byteSize());
            assertEquals(0, s.address() % 64);
            s.set(ValueLayout.JAVA_BYTE, 999, (byte) 7);
            assertEquals(7, s.get(ValueLayout.JAVA_BYTE, 999));
            assertEquals(0, NativeMemory.allocate(arena, 0).byteSize());
            kept = s;
        }
        assertFalse(kept.scope().isAlive());
    }

    @Test
    void emptyTensorsHoldTheirShape() {
        try (Arena arena = Arena.ofShared()) {
            Tensor t = NativeMemory.empty(arena, DType.F32, 3, 5, 7);
            assertEquals(3 * 5 * 7 * 4, t.segment().byteSize());
            assertTrue(t.isContiguous());
            t.setFloat(2.5f, 2, 4, 6);
            assertEquals(2.5f, t.getFloat(2, 4, 6));
        }
    }

    @Test
    void badArguments() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NativeMemory.allocate(arena, -1));
            assertEquals("bytes: expected >= 0, got -1", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> NativeMemory.empty(arena, DType.F32, 2, -3));
            assertThrows(IllegalArgumentException.class, () -> NativeMemory.empty(arena, DType.F64, Long.MAX_VALUE / 4, 4));
        }
        Arena closed = Arena.ofConfined();
        closed.close();
        assertThrows(IllegalStateException.class, () -> NativeMemory.allocate(closed, 8));
    }

    @Test
    void exhaustionIsAnOutOfMemoryErrorWithTheNativeStatus() {
        try (Arena arena = Arena.ofConfined()) {
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> NativeMemory.allocate(arena, Long.MAX_VALUE / 2));
            assertTrue(e.getMessage().contains("attn4j_alloc"), e.getMessage());
            assertTrue(e.getCause() instanceof Attn4jNativeException n && n.statusName().equals("ATTN4J_ERR_OUT_OF_MEMORY"),
                    String.valueOf(e.getCause()));
        }
    }
}
