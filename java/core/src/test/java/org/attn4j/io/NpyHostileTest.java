package org.attn4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Malformed or unsupported .npy files: each fails with an {@link NpyFormatException} naming the field. */
class NpyHostileTest {
    @TempDir
    Path dir;

    /** A version-1.0 file with this header text (padded with spaces + '\n' to 64) and data bytes. */
    private Path npy(String dict, int dataBytes) throws IOException {
        int hlen = dict.length() + 1;
        hlen += (64 - (10 + hlen) % 64) % 64;
        String header = dict + " ".repeat(hlen - 1 - dict.length()) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + hlen + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) hlen);
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        return raw(b.array());
    }

    private Path raw(byte[] bytes) throws IOException {
        Path p = dir.resolve("hostile.npy");
        Files.write(p, bytes);
        return p;
    }

    private Path fixture(String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = NpyHostileTest.class.getResourceAsStream("npy/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    private NpyFormatException reject(Path file, String... fragments) {
        return TestTensors.rejected(NpyFormatException.class, Npy::read, file, fragments);
    }

    // ------------------------------------------------------------------ preamble

    @Test
    void fileShorterThanThePreamble() throws IOException {
        reject(raw(new byte[0]), "file is 0 bytes, shorter than the 10-byte .npy preamble");
        reject(raw(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0}), "file is 9 bytes");
        reject(raw(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0, 0, 0}), "file is 11 bytes, shorter than the 12-byte version 2.0 preamble");
    }

    @Test
    void badMagic() throws IOException {
        reject(raw("PK\u0003\u0004 not npy at all".getBytes(StandardCharsets.ISO_8859_1)), "not a .npy file: expected the magic \\x93NUMPY");
        reject(raw(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'y', 1, 0, 0, 0}), "not a .npy file");
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "4, 0", "1, 1", "2, 5", "255, 0"})
    void unsupportedVersion(int major, int minor) throws IOException {
        reject(raw(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, (byte) minor, 0, 0, 0, 0}),
                "format version " + major + "." + minor + " is not supported: expected 1.0, 2.0 or 3.0");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        reject(raw(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) 0xff, (byte) 0xff, '{', '}'}),
                "header length 65535 exceeds the 2 bytes that follow the preamble");
        // Version 2.0: a 4-byte length near 2^32 is unsigned, not negative.
        reject(raw(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, (byte) 0xfc, (byte) 0xff, (byte) 0xff, (byte) 0xff, '{', '}'}),
                "header length 4294967292 exceeds the 2 bytes");
    }

    @Test
    void headerLengthAboveTheLimit() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12 + Npy.MAX_HEADER_BYTES + 1).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(Npy.MAX_HEADER_BYTES + 1);
        reject(raw(b.array()), "header length 1048577 exceeds the limit of 1048576 bytes");
    }

    @Test
    void version3HeaderNotUtf8() throws IOException {
        byte[] dict = "{'descr': '<f4\u00ff', 'fortran_order': False, 'shape': (), }\n".getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(12 + dict.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 3, 0}).putInt(dict.length).put(dict);
        reject(raw(b.array()), "version 3.0 header is not valid UTF-8 at header byte 14");
    }

    // ------------------------------------------------------------------ header literal

    @ParameterizedTest
    @CsvSource(delimiter = '#', quoteCharacter = '"', value = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,),           # expected a string key or '}', got end of header",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}            # expected ',' or '}' after a dict entry, got '''",
        "{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}           # expected a value, got 'f'",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,)}         # expected an integer, got a number continuing with '.'",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (02,)}          # integer 02 has a leading zero",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)} # integer 99999999999999999999 at offset 51 does not fit 64 bits",
        "{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}            # expected ',' or '}' after a dict entry, got 'f'",
        "{'descr': '\\x3cf4', 'fortran_order': False, 'shape': (2,)}       # unsupported escape",
        "{descr: '<f4', 'fortran_order': False, 'shape': (2,)}             # expected a string key or '}', got 'd'",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk      # expected end of header after the literal, got 'j'",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'descr': '<f8'} # duplicate key 'descr'",
        "{'descr': '<f4', 'fortran_order': False, 'shape': ((((((((((((((((((((((((((((((((((2,),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),)} # nesting deeper than 32",
    })
    void headerNotAValidLiteral(String dict, String message) throws IOException {
        reject(npy(dict, 8), "header is not a valid Python literal: " + message);
    }

    // ------------------------------------------------------------------ field values

    /** Headers that parse but say something wrong or unsupported: a version-1.0 file of that header and dataBytes. */
    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        # not a dict, a key missing or one too many
        ['descr', '<f4']                                                   | 8 | header: expected a dict, got a list
        (1, 2)                                                             | 8 | header: expected a dict, got (1, 2)
        {'descr': '<f4', 'shape': (2,), }                                  | 8 | header is missing key 'fortran_order'
        {'fortran_order': False, 'shape': (2,), }                          | 8 | header is missing key 'descr'
        {'descr': '<f4', 'fortran_order': False, }                         | 8 | header is missing key 'shape'
        {'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1} | 8 | header has unexpected key 'extra': expected exactly 'descr', 'fortran_order', 'shape'
        # fortran_order of the wrong type
        {'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }              | 8 | fortran_order: expected True or False, got 0
        {'descr': '<f4', 'fortran_order': None, 'shape': (2,), }           | 8 | fortran_order: expected True or False, got None
        # shape of the wrong type, a negative dimension, too many, too many bytes
        {'descr': '<f4', 'fortran_order': False, 'shape': [2], }           | 8 | shape: expected a tuple of integers >= 0, got a list
        {'descr': '<f4', 'fortran_order': False, 'shape': (2), }           | 8 | shape: expected a tuple of integers >= 0, got 2
        {'descr': '<f4', 'fortran_order': False, 'shape': ('2',), }        | 8 | shape[0]: expected an integer >= 0, got '2'
        {'descr': '<f4', 'fortran_order': False, 'shape': (1, True), }     | 4 | shape[1]: expected an integer >= 0, got True
        {'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }       | 8 | shape[1]: expected an integer >= 0, got -1
        {'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), } | 4 | has rank 9: expected at most 8
        {'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), } | 0 | shape (4294967296, 4294967296) of F32: its byte count overflows 64 bits
        # data shorter or longer than the shape
        {'descr': '<f4', 'fortran_order': False, 'shape': (2,), }          | 7 | data holds 7 bytes after the header, expected 8 for F32[2]
        {'descr': '<f4', 'fortran_order': False, 'shape': (2,), }          | 9 | data holds 9 bytes after the header, expected 8 for F32[2]
        {'descr': '<f8', 'fortran_order': False, 'shape': (), }            | 0 | data holds 0 bytes after the header, expected 8 for F64[]
        """)
    void headerFieldRejected(String dict, int dataBytes, String message) throws IOException {
        reject(npy(dict, dataBytes), message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', quoteCharacter = '"', value = {
        "'<i8'  # descr '<i8' (int64) is not supported: expected one of '<f4' (float32), '<f2' (float16), '<f8' (float64), '|b1' (bool)",
        "'<i4'  # descr '<i4' (int32) is not supported",
        "'|u1'  # descr '|u1' (uint8) is not supported: expected one of '<f4' (float32), '<f2' (float16), '<f8' (float64), '|b1' (bool) (for masks use a.astype(bool))",
        "'|i1'  # descr '|i1' (int8) is not supported",
        "'<c8'  # descr '<c8' (complex64) is not supported",
        "'<U3'  # descr '<U3' (unicode string) is not supported",
        "'|O'   # descr '|O' is not supported",
        "'>f4'  # descr '>f4' is big-endian",
        "'>f8'  # descr '>f8' is big-endian",
        "'=f4'  # descr '=f4' (float32) is not supported",
        "'f4'   # descr 'f4' is not supported",
        "'<f16' # descr '<f16' (float128) is not supported",
        "'<V2'  # descr '<V2' (void) is not supported",
        "[('a', '<f4')] # descr [('a', '<f4')]: structured dtypes are not supported",
        "4      # descr: expected a dtype string such as '<f4', got 4",
    })
    void unsupportedDescr(String descr, String message) throws IOException {
        reject(npy("{'descr': " + descr + ", 'fortran_order': False, 'shape': (2,), }", 8), message);
    }

    @Test
    void numpyMadeUnsupportedFiles() throws IOException {
        reject(fixture("i8_3.npy"), "descr '<i8' (int64) is not supported");
        reject(fixture("u1_3.npy"), "descr '|u1' (uint8) is not supported");
        reject(fixture("f4_big_endian.npy"), "descr '>f4' is big-endian", "a.astype('<f4')");
        reject(fixture("f32_fortran.npy"), "fortran_order is True: only C-order arrays are supported");
    }

    @Test
    void python2StyleHeadersStillRead() throws IOException {
        // Old NumPy under Python 2 wrote longs with an L suffix; NumPy's reader accepts them.
        try (Arena arena = Arena.ofConfined()) {
            Path p = npy("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2L,)}", 8);
            assertEquals(2, Npy.read(p, arena).numel());
        }
    }
}
