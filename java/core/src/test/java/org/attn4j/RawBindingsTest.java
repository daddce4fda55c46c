package org.attn4j;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.attn4j.bindings.attn4j_h;
import org.attn4j.bindings.attn4j_tensor;
import org.attn4j.internal.natives.NativeLibrary;
import org.attn4j.internal.natives.NativeStatus;
import org.attn4j.internal.tensor.Shapes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated bindings called directly with invalid arguments (what the safe layer never
 * sends): NULL pointers, negative or overflowing dims, bad ranks and dtypes. Each call returns
 * an error status with a message, and the JVM survives.
 */
@SuppressWarnings("restricted") // reads the library's C strings
class RawBindingsTest {
    private static final MemorySegment NULL = MemorySegment.NULL;
    private static Arena arena;
    private static MemorySegment ctx;

    @BeforeAll
    static void context() {
        NativeLibrary.load();
        arena = Arena.ofConfined();
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        assertEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_context_create(1, out));
        ctx = out.get(ValueLayout.ADDRESS, 0);
    }

    @AfterAll
    static void destroy() {
        assertEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_context_destroy(ctx));
        arena.close();
    }

    private static String lastError() {
        return attn4j_h.attn4j_last_error().reinterpret(1 << 16).getString(0);
    }

    private static void assertFails(int expected, int status, String fragment) {
        assertEquals(expected, status, "status (" + lastError() + ")");
        String message = lastError();
        assertTrue(message.contains(fragment), "message \"" + message + "\" lacks \"" + fragment + "\"");
    }

    /** A valid F32 descriptor of the given shape over fresh zeroed memory. */
    private static MemorySegment tensor(long... shape) {
        MemorySegment t = attn4j_tensor.allocate(arena);
        long n = Shapes.product(shape);
        attn4j_tensor.data(t, arena.allocate(Math.max(4 * n, 4), 64));
        attn4j_tensor.dtype(t, attn4j_h.ATTN4J_DTYPE_F32());
        attn4j_tensor.ndim(t, shape.length);
        long[] strides = Shapes.contiguousStrides(shape);
        for (int k = 0; k < shape.length; k++) {
            attn4j_tensor.shape(t).setAtIndex(JAVA_LONG, k, shape[k]);
            attn4j_tensor.strides(t).setAtIndex(JAVA_LONG, k, strides[k]);
        }
        return t;
    }

    @Test
    void nullPointers() {
        MemorySegment x = tensor(2, 3);
        assertFails(attn4j_h.ATTN4J_ERR_NULL_ARGUMENT(), attn4j_h.attn4j_linear(NULL, x, tensor(4, 3), NULL, tensor(2, 4)), "");
        assertFails(attn4j_h.ATTN4J_ERR_NULL_ARGUMENT(), attn4j_h.attn4j_linear(ctx, NULL, tensor(4, 3), NULL, tensor(2, 4)), "x");
        assertFails(attn4j_h.ATTN4J_ERR_NULL_ARGUMENT(), attn4j_h.attn4j_gelu(ctx, x, NULL), "y");
        assertFails(attn4j_h.ATTN4J_ERR_NULL_ARGUMENT(), attn4j_h.attn4j_get_info(NULL), "out");
        assertFails(attn4j_h.ATTN4J_ERR_NULL_ARGUMENT(), attn4j_h.attn4j_context_create(1, NULL), "out");
        assertFails(attn4j_h.ATTN4J_ERR_NULL_ARGUMENT(), attn4j_h.attn4j_alloc(16, NULL), "out");
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_context_destroy(NULL));
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_context_threads(NULL, arena.allocate(4)));
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_bca_softmax(ctx, NULL, NULL, NULL, NULL, NULL, NULL));
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_head_mix(ctx, NULL, NULL, NULL));
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_matmul(ctx, NULL, 0, NULL, 0, 1f, NULL));
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_softmax(ctx, NULL, -1, NULL));
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_rms_norm(ctx, NULL, NULL, 0f, NULL));
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_layer_norm(ctx, NULL, NULL, NULL, 0f, NULL));
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_add(ctx, NULL, NULL, NULL));
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_bca_fused(ctx, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                NULL, 1f, NULL, NULL));
        assertEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_free(NULL), "attn4j_free(NULL) is allowed");
    }

    @Test
    void badDimsRanksAndDtypes() {
        MemorySegment y = tensor(2, 3);
        MemorySegment negative = tensor(2, 3);
        attn4j_tensor.shape(negative).setAtIndex(JAVA_LONG, 0, -2);
        assertFails(attn4j_h.ATTN4J_ERR_INVALID_ARG(), attn4j_h.attn4j_gelu(ctx, negative, y), "x");
        MemorySegment negativeStride = tensor(2, 3);
        attn4j_tensor.strides(negativeStride).setAtIndex(JAVA_LONG, 1, -1);
        assertFails(attn4j_h.ATTN4J_ERR_INVALID_ARG(), attn4j_h.attn4j_gelu(ctx, negativeStride, y), "x");
        MemorySegment tooManyDims = tensor(2, 3);
        attn4j_tensor.ndim(tooManyDims, 9);
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_gelu(ctx, tooManyDims, y));
        attn4j_tensor.ndim(tooManyDims, -1);
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_gelu(ctx, tooManyDims, y));
        MemorySegment huge = tensor(2, 3);
        attn4j_tensor.shape(huge).setAtIndex(JAVA_LONG, 0, Long.MAX_VALUE / 2);
        attn4j_tensor.shape(huge).setAtIndex(JAVA_LONG, 1, 4);
        assertFails(attn4j_h.ATTN4J_ERR_OVERFLOW(), attn4j_h.attn4j_gelu(ctx, huge, y), "x");
        MemorySegment boolX = tensor(2, 3);
        attn4j_tensor.dtype(boolX, attn4j_h.ATTN4J_DTYPE_BOOL());
        assertFails(attn4j_h.ATTN4J_ERR_DTYPE(), attn4j_h.attn4j_gelu(ctx, boolX, y), "x");
        MemorySegment noData = tensor(2, 3);
        attn4j_tensor.data(noData, NULL);
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_gelu(ctx, noData, y));
        assertFails(attn4j_h.ATTN4J_ERR_SHAPE_MISMATCH(), attn4j_h.attn4j_gelu(ctx, tensor(2, 4), y), "y");
        assertFails(attn4j_h.ATTN4J_ERR_INVALID_ARG(), attn4j_h.attn4j_softmax(ctx, y, 3, tensor(2, 3)), "axis");
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_alloc(-1, arena.allocate(8)));
        assertNotEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_context_create(-3, arena.allocate(8)));
    }

    @Test
    void statusStringsAndMessages() {
        assertEquals("ATTN4J_OK", attn4j_h.attn4j_status_string(0).reinterpret(64).getString(0));
        assertEquals("ATTN4J_ERR_SHAPE_MISMATCH", attn4j_h.attn4j_status_string(3).reinterpret(64).getString(0));
        assertEquals("ATTN4J_ERR_UNKNOWN", attn4j_h.attn4j_status_string(999).reinterpret(64).getString(0));
        attn4j_h.attn4j_gelu(ctx, NULL, NULL);
        assertFalse(lastError().isEmpty(), "a failed call leaves a message");
        assertEquals(attn4j_h.ATTN4J_OK(), attn4j_h.attn4j_ping());
    }

    @Test
    void statusesBecomeExceptionsCarryingTheNativeMessage() {
        Attn4jNativeException e = org.junit.jupiter.api.Assertions.assertThrows(Attn4jNativeException.class,
                () -> NativeStatus.check(attn4j_h.attn4j_gelu(ctx, NULL, tensor(2)), "attn4j_gelu"));
        assertEquals(attn4j_h.ATTN4J_ERR_NULL_ARGUMENT(), e.status());
        assertEquals("ATTN4J_ERR_NULL_ARGUMENT", e.statusName());
        assertEquals("attn4j_gelu", e.function());
        assertTrue(e.getMessage().startsWith("attn4j_gelu failed with ATTN4J_ERR_NULL_ARGUMENT (1): x"), e.getMessage());
        OutOfMemoryError oom = org.junit.jupiter.api.Assertions.assertThrows(OutOfMemoryError.class,
                () -> NativeStatus.check(attn4j_h.attn4j_alloc(Long.MAX_VALUE / 2, arena.allocate(8)), "attn4j_alloc"));
        assertTrue(oom.getCause() instanceof Attn4jNativeException, String.valueOf(oom.getCause()));
    }
}
