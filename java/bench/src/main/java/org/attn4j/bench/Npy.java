package org.attn4j.bench;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NumPy .npy files the harness trades with the PyTorch script: it writes float32 ('<f4')
 * and bool ('|b1') C-order arrays and reads back float32 ones. Format 1.0 (2.0 when reading),
 * header padded so the data starts 64-byte aligned as NumPy does.
 */
final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** An array read back: its shape and its float32 values in row-major order. */
    record FloatArray(long[] shape, float[] data) {
    }

    /** Writes {@code bytes} of {@code data} as an array of dtype {@code descr} ("<f4" or "|b1"). */
    static void write(Path file, String descr, long[] shape, MemorySegment data) throws IOException {
        long expected = 1;
        for (long d : shape) {
            expected *= d;
        }
        int itemSize = descr.equals("|b1") ? 1 : 4;
        if (expected * itemSize != data.byteSize()) {
            throw new IllegalArgumentException("npy " + file + ": expected " + expected * itemSize
                    + " bytes for shape " + Arrays.toString(shape) + ", got " + data.byteSize());
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(header(descr, shape)));
            // in chunks: a ByteBuffer view cannot exceed 2 GiB
            long chunk = 1L << 26;
            for (long off = 0; off < data.byteSize(); off += chunk) {
                ByteBuffer buf = data.asSlice(off, Math.min(chunk, data.byteSize() - off)).asByteBuffer();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        }
    }

    /** The full header (magic, version, length, dict, padding) for a C-order array. */
    static byte[] header(String descr, long[] shape) {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String shapeText = shape.length == 1 ? shape[0] + "," : dims.length() == 0 ? "" : dims.substring(0, dims.length() - 2);
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shapeText + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1; // + the closing newline
        int padding = (64 - unpadded % 64) % 64;
        String text = dict + " ".repeat(padding) + "\n";
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        b.put(text.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    /** Reads a little-endian float32 C-order array. */
    static FloatArray readFloats(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre, file);
            pre.flip();
            byte[] magic = new byte[6];
            pre.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + ": not a .npy file (bad magic)");
            }
            int major = pre.get();
            pre.get();
            long headerLength;
            long dataStart;
            if (major == 1) {
                headerLength = pre.getShort(8) & 0xffff;
                dataStart = 10 + headerLength;
            } else if (major == 2 || major == 3) {
                headerLength = pre.getInt(8) & 0xffffffffL;
                dataStart = 12 + headerLength;
            } else {
                throw new IOException(file + ": npy version " + major + " not supported (expected 1, 2 or 3)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLength);
            ch.position(dataStart - headerLength);
            readFully(ch, hb, file);
            String header = new String(hb.array(), StandardCharsets.ISO_8859_1);
            String descr = find(DESCR, header, file, "descr");
            if (!descr.equals("<f4")) {
                throw new IOException(file + ": dtype expected <f4, got " + descr);
            }
            if (find(FORTRAN, header, file, "fortran_order").equals("True")) {
                throw new IOException(file + ": expected C order, got fortran_order True");
            }
            long[] shape = Arrays.stream(find(SHAPE, header, file, "shape").split(","))
                    .map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong).toArray();
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": " + n + " elements do not fit a Java array");
            }
            ByteBuffer data = ByteBuffer.allocateDirect((int) (4 * n)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, data, file);
            data.flip();
            float[] out = new float[(int) n];
            MemorySegment.copy(MemorySegment.ofBuffer(data), ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                    0, out, 0, out.length);
            return new FloatArray(shape, out);
        }
    }

    private static String find(Pattern p, String header, Path file, String what) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new IOException(file + ": npy header has no " + what + ": " + header.trim());
        }
        return m.group(1);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, Path file) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new IOException(file + ": truncated npy file");
            }
        }
    }
}
