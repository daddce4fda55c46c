package org.attn4j.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.io.Json;
import org.attn4j.internal.io.JsonException;
import org.attn4j.internal.io.TensorStreamer;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian (unsigned) header length N,
 * N bytes of UTF-8 JSON ({@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
 * "__metadata__": {string: string}}}), then the data section, row-major little-endian, with
 * offsets relative to its start.
 *
 * <p>Reading memory-maps the data section into the caller's arena (no copy, no 2 GB limit) after
 * checking every header field: the file is treated as hostile, nothing is allocated or mapped
 * on the word of an unchecked size, and each violation throws a {@link
 * SafeTensorsFormatException} naming the tensor or field. The rules are those of the reference
 * implementation (huggingface/safetensors): the tensors must tile the data section exactly (no
 * overlap, no hole, no trailing bytes; empty tensors occupy no bytes), keys are unique, and
 * {@code __metadata__} maps strings to strings. Unknown fields inside a tensor entry are ignored,
 * as the reference does. attn4j maps F32, F16, BF16, BOOL and F64; any other dtype is an error
 * naming the tensor.
 */
public final class SafeTensors {
    /** Largest header accepted (the reference implementation's limit too). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA = "__metadata__";

    private SafeTensors() {
    }

    // ------------------------------------------------------------------ reading

    /**
     * Opens {@code path} and maps its data section into {@code arena} (any arena kind; the
     * tensors live as long as it does, and are read-only: writing to them throws). Nothing is
     * mapped unless the whole header is valid. Truncating the file while it is mapped makes
     * later reads fail (an InternalError from the JDK), as with any mapping.
     *
     * @throws SafeTensorsFormatException when the file breaks the format (see the class comment)
     * @throws IOException when the file cannot be read
     */
    public static SafeTensorsFile open(Path path, Arena arena) throws IOException {
        try (FileChannel ch = TensorFiles.openToMap(path, arena)) {
            long size = ch.size();
            long headerLength = readHeaderLength(path, ch, size);
            String json = decodeUtf8(path, readHeader(path, ch, headerLength));
            Map<String, Object> root = parseRoot(path, json);

            long dataLength = size - 8 - headerLength;
            Map<String, String> metadata = Map.of();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<String, Object> e : root.entrySet()) {
                if (e.getKey().equals(METADATA)) {
                    metadata = parseMetadata(path, e.getValue());
                } else {
                    entries.add(parseEntry(path, e.getKey(), e.getValue(), dataLength));
                }
            }
            checkTiling(path, entries, dataLength);

            // Only now, with every offset proven inside the data section, map it.
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, 8 + headerLength, dataLength, arena);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                MemorySegment bytes = data.asSlice(e.begin, e.end - e.begin);
                tensors.put(e.name, Tensor.wrap(bytes, e.dtype, e.shape));
            }
            return new SafeTensorsFile(path, Collections.unmodifiableMap(tensors), metadata);
        }
    }

    /** One tensor's header entry, checked against the data section. */
    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    private static long readHeaderLength(Path path, FileChannel ch, long size) throws IOException {
        if (size < 8) {
            throw new SafeTensorsFormatException(path, "file is " + size + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        TensorFiles.readFully(ch, 0, buf);
        long n = buf.getLong(0); // unsigned 64-bit: compare unsigned so that 2^63+ is not "negative"
        long room = size - 8;
        if (Long.compareUnsigned(n, room) > 0) {
            throw new SafeTensorsFormatException(path, "header length " + Long.toUnsignedString(n)
                    + " exceeds the " + room + " bytes that follow the 8-byte length");
        }
        if (n > MAX_HEADER_BYTES) {
            throw new SafeTensorsFormatException(path, "header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (n < 2) {
            throw new SafeTensorsFormatException(path, "header length " + n + " is too short for a JSON object");
        }
        return n;
    }

    private static byte[] readHeader(Path path, FileChannel ch, long headerLength) throws IOException {
        byte[] header = new byte[(int) headerLength]; // <= MAX_HEADER_BYTES and <= the file: checked
        TensorFiles.readFully(ch, 8, ByteBuffer.wrap(header));
        if (header[0] != '{') {
            throw new SafeTensorsFormatException(path, "header must start with '{', got byte 0x"
                    + String.format("%02x", header[0] & 0xff));
        }
        return header;
    }

    private static String decodeUtf8(Path path, byte[] header) throws SafeTensorsFormatException {
        int bad = TensorFiles.malformedUtf8At(header);
        if (bad >= 0) {
            throw new SafeTensorsFormatException(path, "header is not valid UTF-8: malformed byte sequence at header byte " + bad);
        }
        return new String(header, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parseRoot(Path path, String json) throws SafeTensorsFormatException {
        Object root;
        try {
            root = Json.parse(json);
        } catch (JsonException e) {
            SafeTensorsFormatException bad = new SafeTensorsFormatException(path, "header is not valid JSON: " + e.getMessage());
            bad.initCause(e);
            throw bad;
        }
        if (!(root instanceof Map<?, ?>)) {
            throw new SafeTensorsFormatException(path, "header: expected a JSON object, got " + TensorFiles.render(root));
        }
        return (Map<String, Object>) root;
    }

    private static Map<String, String> parseMetadata(Path path, Object value) throws SafeTensorsFormatException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new SafeTensorsFormatException(path, METADATA + ": expected an object of string values, got " + TensorFiles.render(value));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new SafeTensorsFormatException(path, METADATA + " " + TensorFiles.quote((String) e.getKey())
                        + ": expected a string value, got " + TensorFiles.render(e.getValue()));
            }
            metadata.put((String) e.getKey(), s);
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static Entry parseEntry(Path path, String name, Object value, long dataLength) throws SafeTensorsFormatException {
        String tensor = "tensor " + TensorFiles.quote(name);
        if (!(value instanceof Map<?, ?> info)) {
            throw new SafeTensorsFormatException(path, tensor + ": expected an object with dtype, shape and data_offsets, got "
                    + TensorFiles.render(value));
        }
        // dtype
        Object dt = field(path, tensor, info, "dtype");
        if (!(dt instanceof String dtName)) {
            throw new SafeTensorsFormatException(path, tensor + ": dtype: expected a string, got " + TensorFiles.render(dt));
        }
        DType dtype = null;
        for (DType t : DType.values()) {
            if (t.safetensorsName().equals(dtName)) {
                dtype = t;
            }
        }
        if (dtype == null) {
            throw new SafeTensorsFormatException(path, tensor + ": dtype " + TensorFiles.quote(dtName)
                    + " is not supported: expected one of F32, F16, BF16, BOOL, F64");
        }
        // shape
        Object sh = field(path, tensor, info, "shape");
        if (!(sh instanceof List<?> dims)) {
            throw new SafeTensorsFormatException(path, tensor + ": shape: expected an array of integers >= 0, got " + TensorFiles.render(sh));
        }
        if (dims.size() > Tensor.MAX_RANK) {
            throw new SafeTensorsFormatException(path, tensor + ": shape " + TensorFiles.render(sh) + " has rank " + dims.size()
                    + ": expected at most " + Tensor.MAX_RANK);
        }
        long[] shape = new long[dims.size()];
        for (int k = 0; k < shape.length; k++) {
            shape[k] = nonNegative(path, tensor + ": shape[" + k + "]", dims.get(k));
        }
        long bytes = TensorFiles.byteCount(shape, dtype);
        if (bytes < 0) {
            throw new SafeTensorsFormatException(path, tensor + ": shape " + TensorFiles.render(sh) + " of " + dtype
                    + ": its byte count overflows 64 bits (multiplied dim by dim)");
        }
        // data_offsets
        Object off = field(path, tensor, info, "data_offsets");
        if (!(off instanceof List<?> offsets) || offsets.size() != 2) {
            throw new SafeTensorsFormatException(path, tensor + ": data_offsets: expected [begin, end], got " + TensorFiles.render(off));
        }
        long begin = nonNegative(path, tensor + ": data_offsets[0]", offsets.get(0));
        long end = nonNegative(path, tensor + ": data_offsets[1]", offsets.get(1));
        String range = "data_offsets [" + begin + ", " + end + "]";
        if (begin > end) {
            throw new SafeTensorsFormatException(path, tensor + ": " + range + " are reversed (begin > end)");
        }
        if (end > dataLength) {
            throw new SafeTensorsFormatException(path, tensor + ": " + range + " reach past the end of the data section ("
                    + dataLength + " bytes)");
        }
        if (end - begin != bytes) {
            throw new SafeTensorsFormatException(path, tensor + ": " + range + " hold " + (end - begin) + " bytes, expected "
                    + bytes + " for " + TensorFiles.describe(dtype, shape));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static Object field(Path path, String tensor, Map<?, ?> info, String key) throws SafeTensorsFormatException {
        if (!info.containsKey(key)) {
            throw new SafeTensorsFormatException(path, tensor + ": missing field " + key);
        }
        return info.get(key);
    }

    private static long nonNegative(Path path, String what, Object value) throws SafeTensorsFormatException {
        // Integers beyond 2^63 - 1 arrive from the JSON parser as Doubles: rejected here too.
        if (!(value instanceof Long v)) {
            throw new SafeTensorsFormatException(path, what + ": expected an integer in [0, 2^63 - 1], got " + TensorFiles.render(value));
        }
        if (v < 0) {
            throw new SafeTensorsFormatException(path, what + ": expected an integer >= 0, got " + v);
        }
        return v;
    }

    /** Non-empty tensors must cover [0, dataLength) exactly once, like the reference requires. */
    private static void checkTiling(Path path, List<Entry> entries, long dataLength) throws SafeTensorsFormatException {
        List<Entry> sorted = new ArrayList<>();
        for (Entry e : entries) {
            if (e.end > e.begin) {
                sorted.add(e);
            }
        }
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin < covered) {
                throw new SafeTensorsFormatException(path, "tensors " + TensorFiles.quote(previous.name) + " [" + previous.begin + ", "
                        + previous.end + "] and " + TensorFiles.quote(e.name) + " [" + e.begin + ", " + e.end + "] overlap");
            }
            if (e.begin > covered) {
                throw new SafeTensorsFormatException(path, "data section bytes [" + covered + ", " + e.begin
                        + ") belong to no tensor (holes are not allowed); next is tensor " + TensorFiles.quote(e.name));
            }
            covered = e.end;
            previous = e;
        }
        if (covered != dataLength) {
            throw new SafeTensorsFormatException(path, "data section has " + dataLength + " bytes but the tensors cover only "
                    + covered + ": " + (dataLength - covered) + " trailing bytes belong to no tensor");
        }
    }

    // ------------------------------------------------------------------ writing

    /** {@link #write(Path, Map, Map)} without metadata. */
    public static void write(Path path, Map<String, Tensor> tensors) throws IOException {
        write(path, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} (in the map's iteration order, data offsets increasing in that
     * order) and {@code metadata} (null or empty: no {@code __metadata__}) to {@code path}.
     * Tensors of any strides are written row-major; data streams through a FileChannel, so
     * files of any size need no Java array of their size. The header is padded with spaces to
     * a multiple of 8 bytes, as the reference writer does. The file appears atomically (a
     * temporary sibling renamed over {@code path}).
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(path, tensors, metadata, TensorStreamer.DEFAULT_CHUNK_BYTES);
    }

    /** As {@link #write(Path, Map, Map)} with a given scratch size for strided tensors (tests use tiny ones). */
    static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata, long chunkBytes) throws IOException {
        if (path == null || tensors == null) {
            throw new IllegalArgumentException("path and tensors: expected non-null, got " + path + ", " + tensors);
        }
        byte[] header = header(tensors, metadata == null ? Map.of() : metadata);
        byte[] lengthAndHeader = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).array();
        TensorFiles.write(path, lengthAndHeader, tensors.values(), chunkBytes);
    }

    /** The padded UTF-8 header; validates names, tensors and metadata first. */
    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            Map<String, Object> meta = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata: expected non-null keys and values, got " + e.getKey() + "=" + e.getValue());
                }
                meta.put(e.getKey(), e.getValue());
            }
            root.put(METADATA, meta);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.equals(METADATA)) {
                throw new IllegalArgumentException("tensor name: expected a string other than " + METADATA + ", got " + name);
            }
            Tensor t = e.getValue();
            TensorFiles.checkWritable("tensor " + TensorFiles.quote(name), t);
            long end = Math.addExact(offset, t.byteSize());
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", t.dtype().safetensorsName());
            info.put("shape", t.shape());
            info.put("data_offsets", new long[] {offset, end});
            root.put(name, info);
            offset = end;
        }
        byte[] json = Json.write(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        if (padded > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header: " + padded + " bytes exceed the format's limit of " + MAX_HEADER_BYTES);
        }
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        for (int k = json.length; k < padded; k++) {
            header[k] = ' ';
        }
        return header;
    }
}
