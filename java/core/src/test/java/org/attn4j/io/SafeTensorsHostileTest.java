package org.attn4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Malformed safetensors files, one per way a header can lie: each must fail with a
 * {@link SafeTensorsFormatException} whose message names the tensor or field.
 */
class SafeTensorsHostileTest {
    @TempDir
    Path dir;

    /** Writes 8-byte length + header (padded to 8 with spaces) + dataBytes zero bytes. */
    private Path file(String header, long dataBytes) throws IOException {
        byte[] h = SafeTensorsTest.pad(header);
        return raw(SafeTensorsTest.le64(h.length), h, new byte[(int) dataBytes]);
    }

    private Path raw(byte[]... parts) throws IOException {
        Path p = dir.resolve("hostile.safetensors");
        try (var out = Files.newOutputStream(p)) {
            for (byte[] part : parts) {
                out.write(part);
            }
        }
        return p;
    }

    /** Opens the file expecting a format error whose message contains every fragment. */
    private SafeTensorsFormatException reject(Path file, String... fragments) {
        return TestTensors.rejected(SafeTensorsFormatException.class, SafeTensors::open, file, fragments);
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    // ------------------------------------------------------------------ the length prefix

    @Test
    void fileShorterThanEightBytes() throws IOException {
        reject(raw(new byte[0]), "file is 0 bytes, shorter than the 8-byte header length");
        reject(raw(new byte[] {2, 0, 0, 0, 0}), "file is 5 bytes");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        reject(raw(SafeTensorsTest.le64(100), "{}      ".getBytes()), "header length 100 exceeds the 8 bytes that follow");
    }

    @Test
    void headerLengthNearTwoToThe64IsUnsigned() throws IOException {
        // 0xFFFFFFFFFFFFFFF8 is -8 as a signed long: it must not pass a "n <= room" check.
        reject(raw(SafeTensorsTest.le64(-8L), "{}      ".getBytes()), "header length 18446744073709551608 exceeds");
        reject(raw(SafeTensorsTest.le64(Long.MIN_VALUE), "{}      ".getBytes()), "header length 9223372036854775808 exceeds");
    }

    @Test
    void headerLengthAboveTheLimitInABigSparseFile() throws IOException {
        Path p = dir.resolve("huge.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.write(SafeTensorsTest.le64(SafeTensors.MAX_HEADER_BYTES + 8));
            raf.write('{');
            raf.setLength(SafeTensors.MAX_HEADER_BYTES + 1024); // sparse: the length fits the file
        }
        reject(p, "header length 100000008 exceeds the limit of 100000000 bytes");
    }

    @Test
    void headerTooShortForAnObject() throws IOException {
        reject(raw(SafeTensorsTest.le64(0)), "header length 0 is too short");
        reject(raw(SafeTensorsTest.le64(1), new byte[] {'{'}), "header length 1 is too short");
    }

    // ------------------------------------------------------------------ the header text

    @Test
    void headerNotUtf8() throws IOException {
        byte[] h = "{\"a\u00ff\":1}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        reject(raw(SafeTensorsTest.le64(h.length), h), "header is not valid UTF-8", "at header byte 3");
        byte[] truncated = {'{', '"', (byte) 0xe2, (byte) 0x82};
        reject(raw(SafeTensorsTest.le64(truncated.length), truncated), "not valid UTF-8");
        byte[] overlong = {'{', '"', (byte) 0xc0, (byte) 0xaf, '"', ':', '1', '}'};  // overlong '/'
        reject(raw(SafeTensorsTest.le64(overlong.length), overlong), "not valid UTF-8", "byte 2");
    }

    @Test
    void headerNotJson() throws IOException {
        reject(file("{not json}", 0), "header is not valid JSON: expected a string key, got 'n' at line 1, column 2");
        reject(file("{\"a\":{\"dtype\":\"F32\",}}", 0), "header is not valid JSON");
        reject(file("{}\u0000", 0), "header is not valid JSON: expected end of input after the value, got 'U+0000'");
        reject(file("{\"a\":1}{}", 0), "header is not valid JSON");
        reject(file("{" + "[".repeat(100_000), 0), "header is not valid JSON");
        reject(file("{\"a\":" + "[".repeat(200) + "]".repeat(200) + "}", 0), "nesting deeper than 128");
    }

    /** Headers that are JSON but not the object of string-valued metadata and entries the format wants. */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
        # not an object (a leading space or a byte-order mark is no '{' either)
        [1, 2]                                    | header must start with '{', got byte 0x5b
        ' {}'                                     | header must start with '{', got byte 0x20
        \uFEFF{}                                  | header must start with '{', got byte 0xef
        # __metadata__ not a map of strings
        {"__metadata__":"dim=32"}                 | __metadata__: expected an object of string values, got "dim=32"
        {"__metadata__":[1]}                      | __metadata__: expected an object of string values, got [1]
        {"__metadata__":null}                     | __metadata__: expected an object of string values, got null
        {"__metadata__":{"dim":32}}               | __metadata__ "dim": expected a string value, got 32
        {"__metadata__":{"a":"x","b":{"c":"d"}}}  | __metadata__ "b": expected a string value, got an object
        {"__metadata__":{"n":null}}               | __metadata__ "n": expected a string value, got null
        """)
    void headerRejected(String header, String message) throws IOException {
        reject(file(header, 0), message);
    }

    @Test
    void duplicateKeys() throws IOException {
        reject(file("{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[1]", 4, 8) + "}", 8),
                "header is not valid JSON: duplicate key \"w\"");
        reject(file("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", 0), "duplicate key \"a\"");
    }

    // ------------------------------------------------------------------ tensor entries

    @Test
    void entryNotAnObject() throws IOException {
        reject(file("{\"w\":[0,4]}", 4), "tensor \"w\": expected an object with dtype, shape and data_offsets, got [0,4]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"shape\":[1],\"data_offsets\":[0,4]}               | missing field dtype",
        "{\"dtype\":\"F32\",\"data_offsets\":[0,4]}           | missing field shape",
        "{\"dtype\":\"F32\",\"shape\":[1]}                    | missing field data_offsets",
        "{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}            | dtype: expected a string, got 32",
        "{\"dtype\":null,\"shape\":[1],\"data_offsets\":[0,4]}          | dtype: expected a string, got null",
        "{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}     | shape: expected an array of integers >= 0, got \"1\"",
        "{\"dtype\":\"F32\",\"shape\":{},\"data_offsets\":[0,4]}        | shape: expected an array of integers >= 0, got an object",
        "{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}     | shape[0]: expected an integer in [0, 2^63 - 1], got 1.0",
        "{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}   | shape[0]: expected an integer in [0, 2^63 - 1], got \"1\"",
        "{\"dtype\":\"F32\",\"shape\":[1,true],\"data_offsets\":[0,4]}  | shape[1]: expected an integer in [0, 2^63 - 1], got true",
        "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}         | data_offsets: expected [begin, end], got [0]",
        "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}     | data_offsets: expected [begin, end], got [0,4,8]",
        "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":\"0-4\"}     | data_offsets: expected [begin, end], got \"0-4\"",
        "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,\"4\"]}   | data_offsets[1]: expected an integer in [0, 2^63 - 1], got \"4\"",
        "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0.0,4]}     | data_offsets[0]: expected an integer in [0, 2^63 - 1], got 0.0",
    })
    void entryFieldMissingOrOfTheWrongType(String info, String message) throws IOException {
        reject(file("{\"w\":" + info + "}", 4), "tensor \"w\": " + message);
    }

    @ParameterizedTest
    @CsvSource({"I64", "I32", "U8", "I8", "F8_E4M3", "U64", "f32", "float32", "''"})
    void unsupportedDtype(String dtype) throws IOException {
        reject(file("{" + entry("pos_ids", dtype, "[1]", 0, 8) + "}", 8),
                "tensor \"pos_ids\": dtype \"" + dtype + "\" is not supported: expected one of F32, F16, BF16, BOOL, F64");
    }

    /**
     * One tensor entry whose shape or offsets lie: a file of that entry and dataBytes. Shapes of
     * 2^32 · 2^32 wrap to 0 in 64-bit arithmetic (a naive check would accept 0 bytes); 2^62 · 4
     * fits a long as elements but not as bytes; overflow is checked dim by dim, as Tensor does,
     * so a later zero does not excuse it.
     */
    @ParameterizedTest(name = "{6}")
    @CsvSource(delimiter = '|', textBlock = """
        # shapes
        w            | F32  | [2,-3]                    | 0 | 24 | 24 | tensor "w": shape[1]: expected an integer >= 0, got -3
        w            | F32  | [18446744073709551617]    | 0 | 4  | 4  | tensor "w": shape[0]: expected an integer in [0, 2^63 - 1], got 1.8446744073709552E19
        w            | F32  | [1,1,1,1,1,1,1,1,1]       | 0 | 4  | 4  | tensor "w": shape [1,1,1,1,1,1,1,1,1] has rank 9: expected at most 8
        w            | F32  | [4294967296,4294967296]   | 0 | 0  | 0  | tensor "w": shape [4294967296,4294967296] of F32: its byte count overflows 64 bits
        w            | F32  | [4611686018427387904]     | 0 | 0  | 0  | its byte count overflows 64 bits
        e            | F64  | [9223372036854775807,2,0] | 0 | 0  | 0  | tensor "e": shape [9223372036854775807,2,0] of F64: its byte count overflows 64 bits
        # offsets
        w            | F32  | [1]     | 8                   | 4                   | 8    | tensor "w": data_offsets [8, 4] are reversed
        w            | F32  | [1]     | -4                  | 0                   | 4    | tensor "w": data_offsets[0]: expected an integer >= 0, got -4
        w            | F32  | [4]     | 0                   | 16                  | 12   | tensor "w": data_offsets [0, 16] reach past the end of the data section (12 bytes)
        w            | F32  | [1]     | 9223372036854775803 | 9223372036854775807 | 4    | reach past the end
        # byte counts that do not match the shape
        to_qk.weight | F32  | [64,32] | 0                   | 8188                | 8188 | tensor "to_qk.weight": data_offsets [0, 8188] hold 8188 bytes, expected 8192 for F32[64, 32]
        m            | BOOL | [3]     | 0                   | 4                   | 4    | tensor "m": data_offsets [0, 4] hold 4 bytes, expected 3 for BOOL[3]
        s            | BF16 | []      | 0                   | 4                   | 4    | hold 4 bytes, expected 2 for BF16[]
        """)
    void entryRejected(String name, String dtype, String shape, long begin, long end, long dataBytes, String message)
            throws IOException {
        reject(file("{" + entry(name, dtype, shape, begin, end) + "}", dataBytes), message);
    }

    @Test
    void aLeadingZeroDimensionKeepsTheByteCountAtZero() throws IOException {
        // Every partial product is 0: a valid empty tensor, however large the later dims.
        try (Arena arena = Arena.ofConfined()) {
            Path ok = file("{" + entry("e", "F64", "[0,9223372036854775807,9223372036854775807]", 0, 0) + "}", 0);
            assertEquals(0, SafeTensors.open(ok, arena).tensor("e").numel());
        }
    }

    @Test
    void overlappingTensors() throws IOException {
        reject(file("{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[2]", 8, 16) + "}", 16),
                "tensors \"a\" [0, 16] and \"b\" [8, 16] overlap");
        // Same range twice (aliases) is an overlap too.
        reject(file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 0, 8) + "}", 8), "overlap");
    }

    @Test
    void holeInTheDataSection() throws IOException {
        reject(file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}", 12),
                "data section bytes [4, 8) belong to no tensor", "next is tensor \"b\"");
    }

    @Test
    void trailingBytesAfterTheLastTensor() throws IOException {
        reject(file("{" + entry("a", "F32", "[1]", 0, 4) + "}", 12), "data section has 12 bytes but the tensors cover only 4: 8 trailing bytes");
        reject(file("{}", 3), "data section has 3 bytes but the tensors cover only 0");
    }

    @Test
    void outOfOrderOffsetsAndEmptyTensorsAreFine() throws IOException {
        // Valid: tiling in any header order; empty tensors take no bytes wherever they point.
        Path p = file("{" + entry("b", "F32", "[1]", 4, 8) + "," + entry("e", "F16", "[0,3]", 2, 2) + ","
                + entry("a", "F32", "[1]", 0, 4) + "}", 8);
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile f = SafeTensors.open(p, arena);
            assertEquals(java.util.List.of("b", "e", "a"), new java.util.ArrayList<>(f.tensors().keySet()));
        }
    }

    @Test
    void unknownFieldsInAnEntryAreIgnoredLikeTheReference() throws IOException {
        Path p = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":[1,2]}}", 4);
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(1, SafeTensors.open(p, arena).tensor("w").numel());
        }
    }

    @Test
    void hostileNamesStayOnOneLine() throws IOException {
        SafeTensorsFormatException e = reject(file("{" + entry("evil\\nname\\u0007", "I64", "[1]", 0, 8) + "}", 8),
                "tensor \"evil\\nname\\u0007\": dtype \"I64\"");
        assertFalse(e.getMessage().contains("\u0007"));
    }
}
