package org.attn4j.internal.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.tensor.Shapes;
import org.junit.jupiter.api.Test;

/** The layout predicates behind the output and aliasing rules. */
class ChecksTest {

    @Test
    void distinctElementsIsTheNativeRuleAndIsSound() {
        SplittableRandom random = new SplittableRandom(42);
        MemorySegment big = MemorySegment.ofArray(new float[4096]);
        for (int trial = 0; trial < 20_000; trial++) {
            int rank = 1 + random.nextInt(4);
            long[] shape = new long[rank];
            long[] strides = new long[rank];
            for (int k = 0; k < rank; k++) {
                shape[k] = random.nextInt(5);        // 0..4, 0 and 1 included
                strides[k] = random.nextInt(13);     // 0 (broadcast) .. 12
            }
            Tensor t = Tensor.wrap(big, DType.F32, shape, strides);
            boolean fast = Checks.distinctElements(t);
            assertEquals(sortedRule(shape, strides), fast, Arrays.toString(shape) + " " + Arrays.toString(strides));
            if (fast) {
                assertTrue(bruteForceDistinct(shape, strides), "claimed distinct: " + Arrays.toString(shape) + " "
                        + Arrays.toString(strides));
            }
        }
    }

    @Test
    void ordinaryViewsAreDistinctAndBroadcastsAreNot() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.zeros(arena, DType.F32, 3, 5, 7);
            assertTrue(Checks.distinctElements(t));
            assertTrue(Checks.distinctElements(t.permute(2, 0, 1)));
            assertTrue(Checks.distinctElements(t.slice(2, 1, 4)));
            assertFalse(Checks.distinctElements(t.select(0, 0).unsqueeze(0).expand(4, 5, 7)));
        }
    }

    @Test
    void overlapAndSameView() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor buffer = Tensor.zeros(arena, DType.F32, 4, 8);
            Tensor left = buffer.slice(1, 0, 4);
            Tensor right = buffer.slice(1, 4, 8);
            assertTrue(Checks.overlaps(left, right), "interleaved rows span each other's bytes: judged overlapping");
            assertFalse(Checks.overlaps(buffer.slice(0, 0, 2), buffer.slice(0, 2, 4)));
            assertTrue(Checks.sameView(left, buffer.slice(1, 0, 4)));
            assertFalse(Checks.sameView(left, right));
            assertFalse(Checks.overlaps(buffer, Tensor.zeros(arena, DType.F32, 4, 8)));
            Tensor empty = buffer.slice(0, 1, 1);
            assertFalse(Checks.overlaps(empty, buffer));
        }
        float[] array = new float[16];
        Tensor a = Tensor.wrap(MemorySegment.ofArray(array), DType.F32, 16);
        Tensor b = Tensor.wrap(MemorySegment.ofArray(array).asSlice(32), DType.F32, 8);
        Tensor other = Tensor.wrap(MemorySegment.ofArray(new float[16]), DType.F32, 16);
        assertTrue(Checks.overlaps(a, b));
        assertFalse(Checks.overlaps(a, other), "same offsets, different arrays");
        assertFalse(Checks.sameView(a, other));
    }

    // The native side's formulation: sort axes of size > 1 by (stride, size), chain the extents.
    private static boolean sortedRule(long[] shape, long[] strides) {
        Integer[] order = new Integer[shape.length];
        int n = 0;
        for (int k = 0; k < shape.length; k++) {
            if (shape[k] == 0) {
                return true;
            }
            if (shape[k] > 1) {
                order[n++] = k;
            }
        }
        Integer[] axes = Arrays.copyOf(order, n);
        Arrays.sort(axes, (p, q) -> strides[p] != strides[q] ? Long.compare(strides[p], strides[q])
                : shape[p] != shape[q] ? Long.compare(shape[p], shape[q]) : Integer.compare(p, q));
        long min = 1;
        for (int axis : axes) {
            if (strides[axis] < min) {
                return false;
            }
            min = strides[axis] * shape[axis];
        }
        return true;
    }

    private static boolean bruteForceDistinct(long[] shape, long[] strides) {
        long count = Shapes.product(shape);
        Set<Long> seen = new HashSet<>();
        long[] index = new long[shape.length];
        for (long e = 0; e < count; e++) {
            long off = 0;
            for (int k = 0; k < shape.length; k++) {
                off += index[k] * strides[k];
            }
            if (!seen.add(off)) {
                return false;
            }
            Shapes.increment(index, shape);
        }
        return true;
    }
}
