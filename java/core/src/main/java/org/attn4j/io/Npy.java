package org.attn4j.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.io.PyLiteral;
import org.attn4j.internal.io.TensorStreamer;

/**
 * Reads and writes NumPy's .npy format (versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY", a
 * version, a little-endian header length (2 bytes in 1.0, 4 in 2.0/3.0), a Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} padded to a multiple of 64
 * bytes, then the raw elements.
 *
 * <p>Supported dtypes are '<f4' (F32), '<f2' (F16), '<f8' (F64) and '|b1' (BOOL). Everything else
 * is rejected with a message naming it: integers ('<i8', '<i4', ...) and '|u1' (uint8) are not
 * silently converted, because a memory-mapped tensor is the file's bytes and attn4j has no
 * integer dtype (convert in NumPy: {@code a.astype(bool)} for masks, {@code a.astype('<f4')}
 * for values); big-endian data and structured dtypes likewise. Only C-order arrays are read
 * (fortran_order True is an error). NumPy has no bfloat16, so BF16 tensors cannot be written.
 *
 * <p>The reader treats the header as hostile, like {@link SafeTensors}: every size is checked
 * against the file before anything is allocated or mapped; violations throw {@link
 * NpyFormatException}. The data must fill the rest of the file exactly.
 */
public final class Npy {
    /** Largest header accepted: NumPy's own headers are a few hundred bytes. */
    public static final int MAX_HEADER_BYTES = 1 << 20;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy aligns the data to 64 bytes (numpy.lib.format.ARRAY_ALIGN). */
    private static final int ALIGN = 64;
    /** NumPy leaves room for the leading dim to grow in place (numpy.lib.format.GROWTH_AXIS_MAX_DIGITS). */
    private static final int GROWTH_DIGITS = 21;

    private Npy() {
    }

    // ------------------------------------------------------------------ reading

    /**
     * Opens {@code path} and maps its data into {@code arena} (any arena kind; the tensor is
     * read-only and lives as long as the arena). Nothing is mapped unless the header is valid.
     *
     * @throws NpyFormatException when the file breaks the format or holds an unsupported array
     * @throws IOException when the file cannot be read
     */
    public static Tensor read(Path path, Arena arena) throws IOException {
        try (FileChannel ch = TensorFiles.openToMap(path, arena)) {
            long size = ch.size();
            if (size < 10) {
                throw new NpyFormatException(path, "file is " + size + " bytes, shorter than the 10-byte .npy preamble");
            }
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            pre.limit((int) Math.min(12, size));
            TensorFiles.readFully(ch, 0, pre);
            for (int k = 0; k < MAGIC.length; k++) {
                if (pre.get(k) != MAGIC[k]) {
                    throw new NpyFormatException(path, "not a .npy file: expected the magic \\x93NUMPY at byte 0");
                }
            }
            int major = pre.get(6) & 0xff;
            int minor = pre.get(7) & 0xff;
            if (minor != 0 || major < 1 || major > 3) {
                throw new NpyFormatException(path, "format version " + major + "." + minor + " is not supported: expected 1.0, 2.0 or 3.0");
            }
            int prefix = major == 1 ? 10 : 12;
            if (size < prefix) {
                throw new NpyFormatException(path, "file is " + size + " bytes, shorter than the " + prefix + "-byte version "
                        + major + ".0 preamble");
            }
            long headerLength = major == 1 ? pre.getShort(8) & 0xffffL : pre.getInt(8) & 0xffffffffL;
            if (headerLength > size - prefix) {
                throw new NpyFormatException(path, "header length " + headerLength + " exceeds the " + (size - prefix)
                        + " bytes that follow the preamble");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw new NpyFormatException(path, "header length " + headerLength + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            byte[] raw = new byte[(int) headerLength]; // checked against the file and the limit above
            TensorFiles.readFully(ch, prefix, ByteBuffer.wrap(raw));
            String text = major == 3 ? utf8(path, raw) : new String(raw, StandardCharsets.ISO_8859_1);

            Header header = parseHeader(path, text);
            long dataOffset = prefix + headerLength;
            long bytes = TensorFiles.byteCount(header.shape, header.dtype);
            if (bytes < 0) {
                throw new NpyFormatException(path, "shape " + Header.shapeRepr(header.shape) + " of " + header.dtype
                        + ": its byte count overflows 64 bits (multiplied dim by dim)");
            }
            if (size - dataOffset != bytes) {
                throw new NpyFormatException(path, "data holds " + (size - dataOffset) + " bytes after the header, expected "
                        + bytes + " for " + TensorFiles.describe(header.dtype, header.shape));
            }
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, dataOffset, bytes, arena);
            return Tensor.wrap(data, header.dtype, header.shape);
        }
    }

    private static String utf8(Path path, byte[] raw) throws NpyFormatException {
        int bad = TensorFiles.malformedUtf8At(raw);
        if (bad >= 0) {
            throw new NpyFormatException(path, "version 3.0 header is not valid UTF-8 at header byte " + bad);
        }
        return new String(raw, StandardCharsets.UTF_8);
    }

    /** The three header fields, checked. */
    private record Header(DType dtype, long[] shape) {
        static String shapeRepr(long[] shape) {
            StringBuilder sb = new StringBuilder("(");
            for (int k = 0; k < shape.length; k++) {
                sb.append(k == 0 ? "" : ", ").append(shape[k]);
            }
            return sb.append(shape.length == 1 ? ",)" : ")").toString();
        }
    }

    private static Header parseHeader(Path path, String text) throws NpyFormatException {
        Object parsed;
        try {
            parsed = PyLiteral.parse(text);
        } catch (PyLiteral.SyntaxException e) {
            NpyFormatException bad = new NpyFormatException(path, "header is not a valid Python literal: " + e.getMessage());
            bad.initCause(e);
            throw bad;
        }
        if (!(parsed instanceof Map<?, ?> dict)) {
            throw new NpyFormatException(path, "header: expected a dict, got " + brief(parsed));
        }
        for (String key : List.of("descr", "fortran_order", "shape")) {
            if (!dict.containsKey(key)) {
                throw new NpyFormatException(path, "header is missing key '" + key + "'");
            }
        }
        for (Object key : dict.keySet()) {
            if (!Set.of("descr", "fortran_order", "shape").contains(key)) {
                throw new NpyFormatException(path, "header has unexpected key " + brief(key)
                        + ": expected exactly 'descr', 'fortran_order', 'shape'");
            }
        }
        DType dtype = dtype(path, dict.get("descr"));
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean f)) {
            throw new NpyFormatException(path, "fortran_order: expected True or False, got " + brief(fortran));
        }
        Object shapeValue = dict.get("shape");
        if (!(shapeValue instanceof PyLiteral.Tuple tuple)) {
            throw new NpyFormatException(path, "shape: expected a tuple of integers >= 0, got " + brief(shapeValue));
        }
        if (tuple.items().size() > Tensor.MAX_RANK) {
            throw new NpyFormatException(path, "shape " + brief(tuple) + " has rank " + tuple.items().size()
                    + ": expected at most " + Tensor.MAX_RANK);
        }
        long[] shape = new long[tuple.items().size()];
        for (int k = 0; k < shape.length; k++) {
            if (!(tuple.items().get(k) instanceof Long d) || d < 0) {
                throw new NpyFormatException(path, "shape[" + k + "]: expected an integer >= 0, got " + brief(tuple.items().get(k)));
            }
            shape[k] = d;
        }
        if (f) {
            // Checked after the shape so that the message can suggest the fix for this array.
            throw new NpyFormatException(path, "fortran_order is True: only C-order arrays are supported"
                    + " (save np.ascontiguousarray(a) instead)");
        }
        return new Header(dtype, shape);
    }

    private static DType dtype(Path path, Object descr) throws NpyFormatException {
        if (descr instanceof List<?>) {
            String text = PyLiteral.repr(descr);
            throw new NpyFormatException(path, "descr " + (text.length() <= 60 ? text : text.substring(0, 57) + "...")
                    + ": structured dtypes are not supported");
        }
        if (!(descr instanceof String s)) {
            throw new NpyFormatException(path, "descr: expected a dtype string such as '<f4', got " + brief(descr));
        }
        switch (s) {
            case "<f4":
                return DType.F32;
            case "<f2":
                return DType.F16;
            case "<f8":
                return DType.F64;
            case "|b1":
                return DType.BOOL;
            default:
                break;
        }
        String supported = "expected one of '<f4' (float32), '<f2' (float16), '<f8' (float64), '|b1' (bool)";
        String quoted = PyLiteral.repr(s);
        if (s.length() >= 3 && s.charAt(0) == '>' && (s.charAt(1) == 'f' || s.charAt(1) == 'b')) {
            throw new NpyFormatException(path, "descr " + quoted + " is big-endian: " + supported
                    + " (convert with a.astype('<" + s.substring(1) + "'))");
        }
        String name = numpyName(s);
        String hint = s.endsWith("u1") || s.endsWith("i1") || s.endsWith("b1")
                ? " (for masks use a.astype(bool))" : " (convert with a.astype('<f4'))";
        throw new NpyFormatException(path, "descr " + quoted + (name == null ? "" : " (" + name + ")")
                + " is not supported: " + supported + hint);
    }

    /** NumPy's name for common descr strings, for messages. */
    private static String numpyName(String descr) {
        if (descr.length() < 3 || "<>|=".indexOf(descr.charAt(0)) < 0) {
            return null;
        }
        String kind = descr.substring(1, 2);
        String bytes = descr.substring(2);
        return switch (kind) {
            case "i" -> bytes.matches("[1248]") ? "int" + 8 * Integer.parseInt(bytes) : null;
            case "u" -> bytes.matches("[1248]") ? "uint" + 8 * Integer.parseInt(bytes) : null;
            case "f" -> bytes.matches("2|4|8|16") ? "float" + 8 * Integer.parseInt(bytes) : null;
            case "c" -> bytes.matches("8|16|32") ? "complex" + 8 * Integer.parseInt(bytes) : null;
            case "b" -> "bool";
            case "U" -> "unicode string";
            case "S" -> "byte string";
            case "V" -> "void";
            case "O" -> "object";
            case "M", "m" -> "datetime";
            default -> null;
        };
    }

    private static String brief(Object value) {
        String s = PyLiteral.repr(value);
        if (value instanceof Map<?, ?>) {
            s = "a dict";
        } else if (value instanceof List<?>) {
            s = "a list";
        }
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code tensor} (any strides, written C-order) as a .npy file NumPy reads back with
     * {@code np.load}; the header is byte-for-byte what {@code np.save} writes (version 1.0,
     * 64-byte alignment). The data streams through a FileChannel; the file appears atomically.
     * Throws IllegalArgumentException for BF16, which NumPy has no dtype for.
     */
    public static void write(Path path, Tensor tensor) throws IOException {
        write(path, tensor, TensorStreamer.DEFAULT_CHUNK_BYTES);
    }

    /** As {@link #write(Path, Tensor)} with a given scratch size for strided tensors (tests use tiny ones). */
    static void write(Path path, Tensor tensor, long chunkBytes) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path: expected a file, got null");
        }
        TensorFiles.checkWritable("tensor", tensor);
        TensorFiles.write(path, header(tensor), List.of(tensor), chunkBytes);
    }

    /** Magic, version, length and padded dict, as numpy.lib.format.write_array builds them. */
    static byte[] header(Tensor tensor) {
        String descr = switch (tensor.dtype()) {
            case F32 -> "<f4";
            case F16 -> "<f2";
            case F64 -> "<f8";
            case BOOL -> "|b1";
            case BF16 -> throw new IllegalArgumentException("tensor: expected a dtype NumPy has (F32, F16, F64, BOOL), got BF16;"
                    + " convert with tensor.to(DType.F32, arena)");
        };
        long[] shape = tensor.shape();
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr)
                .append("', 'fortran_order': False, 'shape': ").append(Header.shapeRepr(shape)).append(", }");
        if (shape.length > 0) {
            dict.repeat(' ', GROWTH_DIGITS - Long.toString(shape[0]).length());
        }
        // Version 1.0 unless the header outgrows its 2-byte length (it cannot with rank <= 8,
        // but the rule is NumPy's and costs nothing).
        int hlen = dict.length() + 1; // + '\n'
        int prefix = 10;
        int pad = ALIGN - (prefix + hlen) % ALIGN;
        int major = 1;
        if (hlen + pad > 0xffff) {
            prefix = 12;
            pad = ALIGN - (prefix + hlen) % ALIGN;
            major = 2;
        }
        dict.repeat(' ', pad).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1); // ASCII only
        ByteBuffer out = ByteBuffer.allocate(prefix + text.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            out.putShort((short) text.length);
        } else {
            out.putInt(text.length);
        }
        return out.put(text).array();
    }
}
