package org.attn4j.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.params.provider.Arguments;

/** Test helpers: tensors with recognisable values, byte views, the golden folder. */
final class TestTensors {
    private TestTensors() {
    }

    /** Shapes a reader and writer must round-trip: a scalar, empty dimensions, ones, odd and prime sizes, rank 8. */
    private static final long[][] SHAPES = {{}, {0}, {1}, {7}, {3, 0, 2}, {2, 3, 5}, {13, 1, 7}, {1, 1, 1, 1},
        {2, 1, 2, 1, 2, 1, 2, 3}};

    /** Every dtype of {@code dtypes} with every shape of {@link #SHAPES}: (DType, long[]) arguments. */
    static Stream<Arguments> dtypesAndShapes(List<DType> dtypes) {
        List<Arguments> out = new ArrayList<>();
        for (DType dtype : dtypes) {
            for (long[] shape : SHAPES) {
                out.add(Arguments.of(dtype, shape));
            }
        }
        return out.stream();
    }

    /** A contiguous tensor whose element k (row-major) is a distinct value exact in every dtype. */
    static Tensor filled(Arena arena, DType dtype, long... shape) {
        Tensor t = Tensor.zeros(arena, dtype, shape);
        long n = t.numel();
        long[] index = new long[shape.length];
        for (long k = 0; k < n; k++) {
            // Small multiples of 1/8 with a sign: exact in BF16 (8-bit mantissa) up to k ~ 2000.
            float v = dtype == DType.BOOL ? (k % 3 == 0 ? 1 : 0) : (float) (((k * 37) % 255) - 127) / 8f;
            t.setFloat(v, index);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return t;
    }

    /** The row-major bytes of any tensor (a contiguous copy first when strided). */
    static byte[] bytes(Arena arena, Tensor t) {
        Tensor c = t.contiguous(arena);
        return c.segment().asSlice(0, c.byteSize()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    static void assertSameBytes(Arena arena, Tensor expected, Tensor actual) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.dtype(), actual.dtype());
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.shape(), actual.shape(), "shape");
        byte[] e = bytes(arena, expected);
        byte[] a = bytes(arena, actual);
        org.junit.jupiter.api.Assertions.assertEquals(-1, MemorySegment.ofArray(e).mismatch(MemorySegment.ofArray(a)),
                () -> "bytes differ for " + expected + ": " + Arrays.toString(e) + " vs " + Arrays.toString(a));
    }

    /** A reader of tensor files ({@code Npy::read}, {@code SafeTensors::open}). */
    @FunctionalInterface
    interface Reader {
        Object read(Path file, Arena arena) throws IOException;
    }

    /**
     * Reads {@code file} expecting a format error of {@code type}: its message is one line that
     * starts with the file and contains every fragment, and it names the file.
     */
    static <E extends TensorFormatException> E rejected(Class<E> type, Reader reader, Path file, String... fragments) {
        try (Arena arena = Arena.ofConfined()) {
            E e = Assertions.assertThrows(type, () -> reader.read(file, arena));
            for (String f : fragments) {
                Assertions.assertTrue(e.getMessage().contains(f), () -> "expected \"" + f + "\" in: " + e.getMessage());
            }
            Assertions.assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            Assertions.assertFalse(e.getMessage().contains("\n"), "one line");
            Assertions.assertEquals(file, e.path());
            return e;
        }
    }

    /** The golden cases' folder /golden/ on the test class path (src/test/resources/golden). */
    static Path golden() {
        URL url = TestTensors.class.getResource("/golden");
        if (url == null) {
            throw new IllegalStateException("/golden is not on the test class path");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url.toString(), e);
        }
    }
}
