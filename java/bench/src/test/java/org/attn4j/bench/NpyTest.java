package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @Test
    void headerIsPaddedTo64BytesAndNamesTheShape() {
        for (long[] shape : new long[][] {{2, 3, 5}, {7}, {1, 1}, {}}) {
            byte[] h = Npy.header("<f4", shape);
            assertEquals(0, h.length % 64, "data starts 64-byte aligned");
            assertEquals(h.length - 10, (h[8] & 0xff) | (h[9] & 0xff) << 8);
            String text = new String(h, 10, h.length - 10, StandardCharsets.US_ASCII);
            assertTrue(text.endsWith("\n"));
            assertTrue(text.contains("'fortran_order': False"));
        }
        assertTrue(new String(Npy.header("<f4", new long[] {7}), StandardCharsets.US_ASCII).contains("'shape': (7,)"));
        assertTrue(new String(Npy.header("|b1", new long[] {2, 3}), StandardCharsets.US_ASCII).contains("'shape': (2, 3)"));
    }

    @Test
    void floatsRoundTrip(@TempDir Path dir) throws IOException {
        float[] values = {1.5f, -2f, 0f, Float.MIN_VALUE, 3.4028235e38f, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(4L * values.length);
            MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, values.length);
            Path f = dir.resolve("a.npy");
            Npy.write(f, "<f4", new long[] {3, 5}, s);
            Npy.FloatArray back = Npy.readFloats(f);
            assertArrayEquals(new long[] {3, 5}, back.shape());
            assertArrayEquals(values, back.data());
            assertThrows(IllegalArgumentException.class, () -> Npy.write(dir.resolve("b.npy"), "<f4", new long[] {4, 5}, s));
        }
    }

    @Test
    void rejectsWhatItCannotRead(@TempDir Path dir) throws IOException {
        Path bool = dir.resolve("m.npy");
        try (Arena arena = Arena.ofConfined()) {
            Npy.write(bool, "|b1", new long[] {2}, arena.allocate(2));
        }
        IOException e = assertThrows(IOException.class, () -> Npy.readFloats(bool));
        assertTrue(e.getMessage().contains("<f4"), e.getMessage());
        Path junk = dir.resolve("j.npy");
        Files.writeString(junk, "not numpy at all");
        assertThrows(IOException.class, () -> Npy.readFloats(junk));
        Path truncated = dir.resolve("t.npy");
        byte[] h = Npy.header("<f4", new long[] {4});
        Files.write(truncated, h); // header only, no data
        assertThrows(IOException.class, () -> Npy.readFloats(truncated));
    }
}
