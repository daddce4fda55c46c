package org.attn4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.io.Json;
import org.attn4j.internal.io.TensorStreamer;
import org.attn4j.internal.tensor.Shapes;

/** Helpers shared by the safetensors and .npy readers and writers. */
final class TensorFiles {
    private TensorFiles() {
    }

    /** What the writers do with an open channel positioned at 0 of a fresh file. */
    interface Body {
        void write(FileChannel channel) throws IOException;
    }

    /**
     * Writes a sibling temporary file, then renames it over {@code path}. Why: a failure half-way
     * never leaves a truncated file behind, and a file that this process has memory-mapped is
     * replaced rather than truncated under the mapping (which would fault on access).
     */
    static void writeAtomically(Path path, Body body) throws IOException {
        Path target = path.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean done = false;
        try {
            // CREATE_NEW: never follow or clobber something already there; default permissions.
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.write(ch);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Checks a reader's arguments, then opens {@code path} for reading; the caller maps from
     * the channel into {@code arena} once the header has passed its checks.
     */
    static FileChannel openToMap(Path path, Arena arena) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path: expected a file, got null");
        }
        if (arena == null || !arena.scope().isAlive()) {
            throw new IllegalArgumentException("arena: expected an open arena, got " + (arena == null ? "null" : "a closed one"));
        }
        return FileChannel.open(path, StandardOpenOption.READ);
    }

    /**
     * A file as both writers lay it out: {@code header}, then each tensor's elements row-major
     * (any strides, streamed through {@code chunkBytes} of scratch), written atomically.
     */
    static void write(Path path, byte[] header, Iterable<Tensor> tensors, long chunkBytes) throws IOException {
        writeAtomically(path, ch -> {
            ByteBuffer buf = ByteBuffer.wrap(header);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            try (TensorStreamer streamer = new TensorStreamer(ch, chunkBytes)) {
                for (Tensor t : tensors) {
                    streamer.write(t);
                }
            }
        });
    }

    /**
     * The offset of the first malformed byte when {@code raw} is not strict UTF-8 (overlong
     * forms, surrogates and truncated sequences included), else -1.
     */
    static int malformedUtf8At(byte[] raw) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length);
        if (decoder.decode(in, out, true).isError() || decoder.flush(out).isError()) {
            return in.position();
        }
        return -1;
    }

    /** Reads exactly {@code dst.remaining()} bytes at {@code position}. */
    static void readFully(FileChannel channel, long position, ByteBuffer dst) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new EOFException("file ended at byte " + at + " while " + dst.remaining() + " more bytes were expected");
            }
            at += n;
        }
    }

    /** Checks a tensor handed to a writer: present and alive. */
    static void checkWritable(String what, Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException(what + ": expected a tensor, got null");
        }
        if (!tensor.isAlive()) {
            throw new IllegalStateException(what + ": the arena of " + tensor + " is closed");
        }
    }

    /**
     * Element size × dims, multiplied left to right; -1 as soon as a partial product overflows.
     * Why left to right: it is then stricter than Shapes.checkShape, so Tensor.wrap never
     * rejects a shape that passed here.
     */
    static long byteCount(long[] shape, DType dtype) {
        long n = dtype.byteSize();
        for (long d : shape) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }

    /** "F32[64, 32]". */
    static String describe(DType dtype, long[] shape) {
        return dtype + Shapes.toString(shape);
    }

    /** A value from a parsed header, rendered briefly for an error message. */
    static String render(Object value) {
        String s;
        try {
            s = value instanceof Map<?, ?> ? "an object" : Json.write(value);
        } catch (IllegalArgumentException e) {
            s = String.valueOf(value);
        }
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /** A name (tensor or key) quoted as a JSON string: control characters never break a message line. */
    static String quote(String name) {
        String q;
        try {
            q = Json.quote(name);
        } catch (IllegalArgumentException e) {
            q = "\"" + name.replaceAll("[\\p{Cntrl}\\p{Cs}]", "?") + "\"";
        }
        return q.length() <= 100 ? q : q.substring(0, 96) + "...\"";
    }
}
