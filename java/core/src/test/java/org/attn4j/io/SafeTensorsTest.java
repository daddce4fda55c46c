package org.attn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** safetensors: round trips, the writer's layout, the golden files, and files beyond 2 GB. */
class SafeTensorsTest {
    @TempDir
    Path dir;

    static Stream<Arguments> dtypesAndShapes() {
        return TestTensors.dtypesAndShapes(List.of(DType.values()));
    }

    @ParameterizedTest
    @MethodSource("dtypesAndShapes")
    void roundTripsEveryDtypeAndShape(DType dtype, long[] shape) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = TestTensors.filled(arena, dtype, shape);
            Tensor other = TestTensors.filled(arena, DType.F32, 3);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("t", t);
            tensors.put("after", other); // something after it: its offsets must account for t's bytes
            Path file = dir.resolve("rt.safetensors");
            SafeTensors.write(file, tensors, Map.of("k", "v"));

            SafeTensorsFile f = SafeTensors.open(file, arena);
            assertEquals(List.of("t", "after"), new ArrayList<>(f.tensors().keySet()));
            TestTensors.assertSameBytes(arena, t, f.tensor("t"));
            TestTensors.assertSameBytes(arena, other, f.tensor("after"));
            assertEquals(Map.of("k", "v"), f.metadata());
        }
    }

    @Test
    void stridedViewsAreWrittenRowMajor() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Tensor base = TestTensors.filled(arena, DType.F32, 5, 7, 3);
            Map<String, Tensor> views = new LinkedHashMap<>();
            views.put("transposed", base.transpose(0, 2));                        // [3, 7, 5]
            views.put("permuted", base.permute(1, 2, 0));                          // [7, 3, 5]
            views.put("sliced", base.slice(1, 2, 6));                              // [5, 4, 3]
            views.put("selected", base.select(2, 1));                              // [5, 7]
            views.put("expanded", TestTensors.filled(arena, DType.BF16, 1, 3).expand(4, 3)); // stride 0
            views.put("f16t", TestTensors.filled(arena, DType.F16, 4, 9).transpose(0, 1));
            views.put("f64t", TestTensors.filled(arena, DType.F64, 2, 3, 2).permute(2, 0, 1));
            views.put("boolt", TestTensors.filled(arena, DType.BOOL, 3, 4).transpose(0, 1));
            // Heap memory other than byte[] cannot become a ByteBuffer: it goes through scratch.
            views.put("heap", Tensor.wrap(MemorySegment.ofArray(new float[] {1.5f, -2f, 3.25f, 0f, 8f, -0.125f}), DType.F32, 2, 3));
            views.put("heapT", Tensor.wrap(MemorySegment.ofArray(new double[] {1, 2, 3, 4, 5, 6}), DType.F64, 3, 2).transpose(0, 1));
            // Every chunk size: single gather, row blocks, and select() recursion below one row.
            for (long chunk : new long[] {8, 12, 24, 40, 64, 1 << 20}) {
                Path file = dir.resolve("strided" + chunk + ".safetensors");
                SafeTensors.write(file, views, null, chunk);
                SafeTensorsFile f = SafeTensors.open(file, arena);
                for (Map.Entry<String, Tensor> e : views.entrySet()) {
                    TestTensors.assertSameBytes(arena, e.getValue(), f.tensor(e.getKey()));
                }
                assertTrue(f.metadata().isEmpty());
            }
        }
    }

    @Test
    void writerLayoutMatchesTheReference() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("b", TestTensors.filled(arena, DType.F32, 2, 3));
            tensors.put("a", TestTensors.filled(arena, DType.BOOL, 5));
            tensors.put("c", TestTensors.filled(arena, DType.F16, 0, 4));
            tensors.put("d", TestTensors.filled(arena, DType.F64));
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("z", "1");
            metadata.put("a", "two \"quoted\"\n");
            Path file = dir.resolve("layout.safetensors");
            SafeTensors.write(file, tensors, metadata);

            byte[] all = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(0, n % 8, "header padded to 8 bytes");
            String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
            String json = "{\"__metadata__\":{\"z\":\"1\",\"a\":\"two \\\"quoted\\\"\\n\"},"
                    + "\"b\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                    + "\"a\":{\"dtype\":\"BOOL\",\"shape\":[5],\"data_offsets\":[24,29]},"
                    + "\"c\":{\"dtype\":\"F16\",\"shape\":[0,4],\"data_offsets\":[29,29]},"
                    + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[29,37]}}";
            assertEquals(json, header.stripTrailing());
            assertEquals(" ".repeat((int) n - json.length()), header.substring(json.length()), "padding is spaces");
            assertTrue(n - json.length() < 8);
            assertEquals(8 + n + 37, all.length);

            SafeTensorsFile f = SafeTensors.open(file, arena);
            assertEquals(metadata, f.metadata());
            assertEquals(List.of("z", "a"), new ArrayList<>(f.metadata().keySet()));
            assertEquals(DType.F64, f.tensor("d").dtype());
            assertEquals(0, f.tensor("d").rank());
        }
    }

    @Test
    void emptyFileWithoutTensorsRoundTrips() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path file = dir.resolve("empty.safetensors");
            SafeTensors.write(file, Map.of());
            assertEquals(16, Files.size(file), "8 + \"{}\" padded to 8");
            SafeTensorsFile f = SafeTensors.open(file, arena);
            assertTrue(f.tensors().isEmpty());
            assertTrue(f.metadata().isEmpty());
            SafeTensors.write(file, Map.of(), Map.of("only", "metadata"));
            assertEquals(Map.of("only", "metadata"), SafeTensors.open(file, arena).metadata());
        }
    }

    @Test
    void missingTensorNamesWhatExists() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path file = dir.resolve("m.safetensors");
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("to_qk.weight", TestTensors.filled(arena, DType.F32, 2, 2));
            tensors.put("to_v.weight", TestTensors.filled(arena, DType.F32, 2, 2));
            SafeTensors.write(file, tensors);
            SafeTensorsFile f = SafeTensors.open(file, arena);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.tensor("to_q.weight"));
            assertTrue(e.getMessage().contains("no tensor \"to_q.weight\""), e.getMessage());
            assertTrue(e.getMessage().contains("holds 2: [to_qk.weight, to_v.weight]"), e.getMessage());
            assertTrue(f.contains("to_v.weight"));
            assertFalse(f.contains("to_q.weight"));
            assertThrows(UnsupportedOperationException.class, () -> f.tensors().clear());
            assertThrows(UnsupportedOperationException.class, () -> f.metadata().put("x", "y"));
        }
    }

    @Test
    void mappedTensorsAreReadOnlyAndDieWithTheirArena() throws IOException {
        Path file = dir.resolve("ro.safetensors");
        Tensor mapped;
        try (Arena arena = Arena.ofConfined()) {
            SafeTensors.write(file, Map.of("w", TestTensors.filled(arena, DType.F32, 4)));
            mapped = SafeTensors.open(file, arena).tensor("w");
            assertTrue(mapped.segment().isReadOnly());
            Tensor m = mapped;
            assertThrows(IllegalArgumentException.class, () -> m.setFloat(1f, 0)); // the JDK's read-only check
        }
        assertFalse(mapped.isAlive());
        assertThrows(IllegalStateException.class, () -> mapped.getFloat(0));
    }

    @Test
    void overwritingAMappedFileLeavesTheOldMappingIntact() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path file = dir.resolve("over.safetensors");
            SafeTensors.write(file, Map.of("w", Tensor.of(arena, new float[] {1, 2, 3}, 3)));
            Tensor old = SafeTensors.open(file, arena).tensor("w");
            // Written from the mapping of the very file it replaces.
            SafeTensors.write(file, Map.of("w", old, "x", Tensor.of(arena, new float[] {9}, 1)));
            assertArrayEquals(new float[] {1, 2, 3}, old.toFloatArray());
            SafeTensorsFile f = SafeTensors.open(file, arena);
            assertArrayEquals(new float[] {1, 2, 3}, f.tensor("w").toFloatArray());
            assertArrayEquals(new float[] {9}, f.tensor("x").toFloatArray());
        }
    }

    @Test
    void writerRejectsBadArgumentsBeforeTouchingTheFile() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = TestTensors.filled(arena, DType.F32, 2);
            assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of("__metadata__", t)));
            Map<String, Tensor> withNull = new LinkedHashMap<>();
            withNull.put("w", null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, withNull));
            assertTrue(e.getMessage().contains("tensor \"w\""), e.getMessage());
            Map<String, String> badMeta = new LinkedHashMap<>();
            badMeta.put("k", null);
            assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of("w", t), badMeta));
            assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(null, Map.of()));
            assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of("bad\uD800", t)));
        }
        Tensor dead;
        try (Arena arena = Arena.ofConfined()) {
            dead = TestTensors.filled(arena, DType.F32, 2);
        }
        Tensor d = dead;
        assertThrows(IllegalStateException.class, () -> SafeTensors.write(file, Map.of("w", d)));
        assertFalse(Files.exists(file));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "no temporary file left behind");
        }
    }

    @Test
    void failedRenameLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("occupied");
        Files.createDirectories(target.resolve("child")); // a non-empty directory cannot be replaced
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IOException.class, () -> SafeTensors.write(target, Map.of("w", TestTensors.filled(arena, DType.F32, 2))));
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(target), left.toList());
        }
    }

    @Test
    void openRejectsMissingFilesAndBadArenas() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(java.nio.file.NoSuchFileException.class, () -> SafeTensors.open(dir.resolve("nope"), arena));
            assertThrows(IllegalArgumentException.class, () -> SafeTensors.open(null, arena));
        }
        Arena closed = Arena.ofConfined();
        closed.close();
        Path file = dir.resolve("x.safetensors");
        SafeTensors.write(file, Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.open(file, closed));
        assertTrue(e.getMessage().contains("arena"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.open(file, null));
    }

    // ------------------------------------------------------------------ golden files

    @Test
    void readsTheGoldenModelOfBcaBasic() throws IOException {
        Path golden = TestTensors.golden();
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile f = SafeTensors.open(golden.resolve("bca_basic/model.safetensors"), arena);
            Tensor w = f.tensor("to_qk.weight");
            assertEquals(DType.F32, w.dtype());
            assertArrayEquals(new long[] {64, 32}, w.shape());
            assertEquals("32", f.metadata().get("dim"));
            assertEquals("BidirectionalCrossAttention", f.metadata().get("class"));
            // Weights were drawn N(0, 0.2²): a loose check that the bytes are floats, not garbage.
            float[] v = w.toFloatArray();
            double sq = 0;
            for (float x : v) {
                sq += x * x;
            }
            double std = Math.sqrt(sq / v.length);
            assertTrue(std > 0.15 && std < 0.25, "std " + std);
        }
    }

    /** Every case.json's parameters, inputs and outputs agree with the safetensors beside it. */
    @ParameterizedTest
    @ValueSource(strings = {"bca_basic", "bca_masks", "bca_talking_prenorm", "bcat_depth2"})
    void goldenFilesMatchTheirCaseJson(String name) throws IOException {
        Path golden = TestTensors.golden();
        Path caseDir = golden.resolve(name);
        Map<?, ?> spec = (Map<?, ?>) Json.parse(Files.readString(caseDir.resolve("case.json")));
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile model = SafeTensors.open(caseDir.resolve("model.safetensors"), arena);
            Map<?, ?> params = (Map<?, ?>) spec.get("parameters");
            assertEquals(params.keySet(), model.tensors().keySet());
            for (Map.Entry<?, ?> p : params.entrySet()) {
                Tensor t = model.tensor((String) p.getKey());
                assertEquals(DType.F32, t.dtype());
                assertArrayEquals(longs((List<?>) p.getValue()), t.shape(), (String) p.getKey());
            }
            Map<?, ?> kwargs = (Map<?, ?>) spec.get("constructor_kwargs");
            assertEquals(String.valueOf(kwargs.get("dim")), model.metadata().get("dim"));
            assertEquals(spec.get("class"), model.metadata().get("class"));

            SafeTensorsFile inputs = SafeTensors.open(caseDir.resolve("inputs.safetensors"), arena);
            for (Map.Entry<?, ?> in : ((Map<?, ?>) spec.get("inputs")).entrySet()) {
                Map<?, ?> info = (Map<?, ?>) in.getValue();
                assertArrayEquals(longs((List<?>) info.get("shape")), inputs.tensor((String) in.getKey()).shape());
            }
            Map<?, ?> fwd = (Map<?, ?>) spec.get("forward_kwargs");
            for (String mask : List.of("mask", "context_mask")) {
                if (fwd.get(mask) != null) {
                    Tensor m = inputs.tensor(mask);
                    assertEquals(DType.BOOL, m.dtype());
                    byte[] raw = m.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    int falses = 0;
                    for (byte b : raw) {
                        assertTrue(b == 0 || b == 1, "BOOL bytes are 0 or 1");
                        falses += b == 0 ? 1 : 0;
                    }
                    assertTrue(falses > 0 && falses < raw.length, mask + " masks some positions, not all");
                }
            }

            // outputs (F32) against outputs_f64 (F64) within the case's own tolerances.
            SafeTensorsFile out32 = SafeTensors.open(caseDir.resolve("outputs.safetensors"), arena);
            SafeTensorsFile out64 = SafeTensors.open(caseDir.resolve("outputs_f64.safetensors"), arena);
            Map<?, ?> tolerances = (Map<?, ?>) spec.get("tolerances_suggested_vs_outputs_safetensors");
            assertEquals(((Map<?, ?>) spec.get("outputs")).keySet(), out32.tensors().keySet());
            for (String key : out32.tensors().keySet()) {
                Tensor a = out32.tensor(key);
                Tensor b = out64.tensor(key);
                assertEquals(DType.F32, a.dtype());
                assertEquals(DType.F64, b.dtype());
                assertArrayEquals(a.shape(), b.shape());
                Map<?, ?> tol = (Map<?, ?>) tolerances.get(key);
                double atol = ((Number) tol.get("atol")).doubleValue();
                double rtol = ((Number) tol.get("rtol")).doubleValue();
                float[] x = a.toFloatArray();
                double[] y = b.segment().toArray(java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
                assertEquals(x.length, y.length);
                double maxAbs = 0;
                for (int k = 0; k < x.length; k++) {
                    assertTrue(Math.abs(x[k] - y[k]) <= atol + rtol * Math.abs(y[k]), key + "[" + k + "]: " + x[k] + " vs " + y[k]);
                    maxAbs = Math.max(maxAbs, Math.abs(y[k]));
                }
                double want = ((Number) ((Map<?, ?>) ((Map<?, ?>) spec.get("outputs")).get(key)).get("max_abs_value")).doubleValue();
                assertEquals(want, maxAbs, 1e-12, key + " max |value| as case.json records it");
            }
        }
    }

    /** Rewriting each golden file (header order, metadata kept) gives back the same bytes. */
    @Test
    void rewritingGoldenFilesIsByteIdentical() throws IOException {
        Path golden = TestTensors.golden();
        List<Path> files;
        try (Stream<Path> s = Files.walk(golden)) {
            files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
        }
        assertTrue(files.size() >= 16, "found " + files);
        try (Arena arena = Arena.ofConfined()) {
            for (Path p : files) {
                SafeTensorsFile f = SafeTensors.open(p, arena);
                Path copy = dir.resolve("copy.safetensors");
                SafeTensors.write(copy, f.tensors(), f.metadata());
                assertEquals(-1, Files.mismatch(p, copy), p.toString());
            }
        }
    }

    // ------------------------------------------------------------------ beyond 2 GB

    /**
     * A sparse file whose data section is 2^31 + 24 bytes: tensors at offsets beyond 2^31 map
     * and read correctly (no int arithmetic anywhere on the way).
     */
    @Test
    void mapsTensorsBeyondTwoGigabytes() throws IOException {
        long bigElems = (1L << 29) + 2;                   // [2^29 + 2] F32 = 2^31 + 8 bytes
        long bigBytes = bigElems * 4;
        String json = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + bigElems + "],\"data_offsets\":[0," + bigBytes + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + bigBytes + "," + (bigBytes + 16) + "]}}";
        byte[] header = pad(json);
        long data = 8 + header.length;
        Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(le64(header.length));
            raf.write(header);
            raf.setLength(data + bigBytes + 16);          // sparse: no 2 GB written
            raf.seek(data + bigBytes - 4);                // big[2^29 + 1]
            raf.write(le32f(-7.5f));
            raf.write(le32f(1f));
            raf.write(le32f(2f));
            raf.write(le32f(3f));
            raf.write(le32f(4.25f));
        }
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile f = SafeTensors.open(file, arena);
            Tensor big = f.tensor("big");
            assertEquals(bigElems, big.numel());
            assertEquals(-7.5f, big.getFloat(bigElems - 1));
            assertEquals(0f, big.getFloat(bigElems - 2));
            assertEquals(0f, big.getFloat(0));
            assertArrayEquals(new float[] {1f, 2f, 3f, 4.25f}, f.tensor("tail").toFloatArray());
        }
    }

    static byte[] pad(String json) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[(b.length + 7) / 8 * 8];
        java.util.Arrays.fill(out, (byte) ' ');
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static byte[] le32f(float v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array();
    }

    private static long[] longs(List<?> list) {
        long[] out = new long[list.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = (Long) list.get(k);
        }
        return out;
    }
}
