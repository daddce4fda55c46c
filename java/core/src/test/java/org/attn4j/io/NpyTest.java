package org.attn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** .npy: round trips, NumPy-made fixtures (src/test/resources/.../npy/make_fixtures.py), 2 GB+. */
class NpyTest {
    @TempDir
    Path dir;

    /** Copies a fixture made by NumPy out of the test resources. */
    private Path fixture(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = NpyTest.class.getResourceAsStream("npy/" + name)) {
            assertTrue(in != null, "missing fixture " + name);
            Files.copy(in, p);
        }
        return p;
    }

    /** k * 0.5 - 1 for k = 0..n-1, the values make_fixtures.py stores. */
    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            v[k] = k * 0.5f - 1;
        }
        return v;
    }

    static Stream<Arguments> dtypesAndShapes() {
        return TestTensors.dtypesAndShapes(List.of(DType.F32, DType.F16, DType.F64, DType.BOOL)); // NumPy has no bf16
    }

    @ParameterizedTest
    @MethodSource("dtypesAndShapes")
    void roundTripsEveryDtypeAndShape(DType dtype, long[] shape) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = TestTensors.filled(arena, dtype, shape);
            Path file = dir.resolve("rt.npy");
            Npy.write(file, t);
            assertEquals(0, (Files.size(file) - t.byteSize()) % 64, "data aligned to 64 like NumPy");
            Tensor back = Npy.read(file, arena);
            TestTensors.assertSameBytes(arena, t, back);
            assertTrue(back.segment().isReadOnly());
        }
    }

    @Test
    void stridedTensorsAreWrittenCOrder() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor base = TestTensors.filled(arena, DType.F64, 4, 5, 3);
            List<Tensor> views = List.of(base.transpose(0, 2), base.permute(1, 0, 2), base.slice(1, 1, 4),
                    TestTensors.filled(arena, DType.BOOL, 1, 5).expand(3, 5),
                    TestTensors.filled(arena, DType.F16, 6, 7).transpose(0, 1).select(0, 2));
            for (long chunk : new long[] {8, 16, 40, 1 << 20}) {
                for (Tensor v : views) {
                    Path file = dir.resolve("s.npy");
                    Npy.write(file, v, chunk);
                    TestTensors.assertSameBytes(arena, v, Npy.read(file, arena));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32_2x3.npy", "f32_2x3_v2.npy", "f32_2x3_v3.npy"})
    void readsNumpyFilesOfEveryVersion(String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Npy.read(fixture(name), arena);
            assertEquals(DType.F32, t.dtype());
            assertArrayEquals(new long[] {2, 3}, t.shape());
            assertArrayEquals(ramp(6), t.toFloatArray());
        }
    }

    @Test
    void readsNumpyFilesOfEveryDtype() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor f16 = Npy.read(fixture("f16_5.npy"), arena);
            assertEquals(DType.F16, f16.dtype());
            assertArrayEquals(ramp(5), f16.toFloatArray());

            Tensor scalar = Npy.read(fixture("f64_scalar.npy"), arena);
            assertEquals(DType.F64, scalar.dtype());
            assertEquals(0, scalar.rank());
            assertEquals(3.25f, scalar.getFloat());

            Tensor f64 = Npy.read(fixture("f64_1x7x2.npy"), arena);
            assertArrayEquals(new long[] {1, 7, 2}, f64.shape());
            assertArrayEquals(ramp(14), f64.toFloatArray());

            Tensor mask = Npy.read(fixture("b1_2x4.npy"), arena);
            assertEquals(DType.BOOL, mask.dtype());
            assertArrayEquals(new boolean[] {true, false, false, true, false, true, true, false}, mask.toBooleanArray());

            Tensor empty = Npy.read(fixture("b1_3x0.npy"), arena);
            assertArrayEquals(new long[] {3, 0}, empty.shape());
            assertEquals(0, empty.numel());
        }
    }

    /** The writer's bytes equal np.save's for the same arrays, header padding included. */
    @Test
    void writesTheSameBytesAsNumpy() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            check(Tensor.of(arena, ramp(6), 2, 3), "f32_2x3.npy");
            check(Tensor.of(arena, ramp(5), 5).to(DType.F16, arena), "f16_5.npy");
            check(Tensor.of(arena, new float[] {3.25f}).to(DType.F64, arena), "f64_scalar.npy");
            check(Tensor.of(arena, ramp(14), 1, 7, 2).to(DType.F64, arena), "f64_1x7x2.npy");
            check(Tensor.ofBooleans(arena, new boolean[] {true, false, false, true, false, true, true, false}, 2, 4), "b1_2x4.npy");
            check(Tensor.zeros(arena, DType.BOOL, 3, 0), "b1_3x0.npy");
        }
    }

    private void check(Tensor t, String fixture) throws IOException {
        Path mine = dir.resolve("mine-" + fixture);
        Npy.write(mine, t);
        assertEquals(-1, Files.mismatch(fixture(fixture), mine), fixture);
    }

    @Test
    void bf16HasNoNumpyDtype() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = TestTensors.filled(arena, DType.BF16, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.write(dir.resolve("b.npy"), t));
            assertTrue(e.getMessage().contains("got BF16"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("b.npy")));
    }

    @Test
    void argumentsAreChecked() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> Npy.read(null, arena));
            assertThrows(IllegalArgumentException.class, () -> Npy.write(null, TestTensors.filled(arena, DType.F32, 1)));
            assertThrows(IllegalArgumentException.class, () -> Npy.write(dir.resolve("n.npy"), null));
            assertThrows(java.nio.file.NoSuchFileException.class, () -> Npy.read(dir.resolve("none.npy"), arena));
        }
        Arena closed = Arena.ofConfined();
        closed.close();
        Path f = fixture("f32_2x3.npy");
        assertThrows(IllegalArgumentException.class, () -> Npy.read(f, closed));
    }

    /** A sparse .npy of 2^31 + 8 data bytes: the last elements, past 2^31, read correctly. */
    @Test
    void mapsArraysBeyondTwoGigabytes() throws IOException {
        long n = (1L << 29) + 2;
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + n + ",), }";
        int hlen = 118; // 10 + 118 = 128: aligned like NumPy
        String header = dict + " ".repeat(hlen - 1 - dict.length()) + "\n";
        Path file = dir.resolve("big.npy");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) hlen, 0});
            raf.write(header.getBytes(StandardCharsets.US_ASCII));
            raf.setLength(128 + 4 * n);
            raf.seek(128 + 4 * (n - 1));
            raf.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(-2.5f).array());
        }
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Npy.read(file, arena);
            assertEquals(n, t.numel());
            assertEquals(-2.5f, t.getFloat(n - 1));
            assertEquals(0f, t.getFloat(n - 2));
        }
    }

    @Test
    void heapTensorsWriteThroughTheBounceBuffer() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor heap = Tensor.wrap(MemorySegment.ofArray(new float[] {1, 2, 3, 4, 5, 6, 7}), DType.F32, 7);
            Path file = dir.resolve("h.npy");
            Npy.write(file, heap, 8); // 28 bytes through an 8-byte scratch
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7}, Npy.read(file, arena).toFloatArray());
        }
    }
}
