package org.attn4j.internal.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.attn4j.Tensor;

/**
 * Writes tensors' elements, row-major and little-endian, at a channel's current position,
 * without ever holding a whole tensor (or file) in a Java array: contiguous native memory goes
 * straight to the channel; strided views are gathered through one reusable scratch buffer of
 * {@code chunkBytes}, block by block along their leading axes.
 */
public final class TensorStreamer implements AutoCloseable {
    /** Scratch size for strided tensors: large enough to amortise a write call, small enough to not matter. */
    public static final long DEFAULT_CHUNK_BYTES = 4L << 20;
    /** Largest single write; ByteBuffers stop at 2 GB. */
    private static final long MAX_WRITE = 1L << 30;

    private final FileChannel channel;
    private final long chunkBytes;
    private Arena scratchArena;
    private MemorySegment scratch;

    public TensorStreamer(FileChannel channel, long chunkBytes) {
        if (chunkBytes < 8) {
            throw new IllegalArgumentException("chunkBytes: expected >= 8, got " + chunkBytes);
        }
        this.channel = channel;
        this.chunkBytes = chunkBytes;
    }

    /** Appends the tensor's {@code byteSize()} bytes in row-major order. */
    public void write(Tensor t) throws IOException {
        long bytes = t.byteSize();
        if (bytes == 0) {
            return;
        }
        if (t.isContiguous()) {
            writeSegment(t.segment().asSlice(0, bytes));
            return;
        }
        MemorySegment buffer = scratch();
        if (bytes <= buffer.byteSize()) {
            MemorySegment dst = buffer.asSlice(0, bytes);
            Tensor.wrap(dst, t.dtype(), t.shape()).copyFrom(t); // gathers the strided elements
            writeBytes(dst);
            return;
        }
        // Too big for one gather: rank >= 1 here, since a scalar is at most 8 bytes.
        long rows = t.shape(0);
        long rowBytes = bytes / rows;
        if (rowBytes > buffer.byteSize()) {
            for (long r = 0; r < rows; r++) {
                write(t.select(0, r)); // rank drops by one each level, so this ends
            }
        } else {
            long block = buffer.byteSize() / rowBytes; // >= 1 rows per gather
            for (long r = 0; r < rows; r += block) {
                write(t.slice(0, r, Math.min(rows, r + block)));
            }
        }
    }

    /** Native memory and byte[]-backed heap memory map onto ByteBuffers; other heap arrays bounce. */
    private void writeSegment(MemorySegment segment) throws IOException {
        boolean direct = segment.isNative() || segment.heapBase().map(b -> b instanceof byte[]).orElse(false);
        if (direct) {
            writeBytes(segment);
            return;
        }
        MemorySegment buffer = scratch();
        for (long off = 0; off < segment.byteSize(); off += buffer.byteSize()) {
            long n = Math.min(buffer.byteSize(), segment.byteSize() - off);
            MemorySegment.copy(segment, off, buffer, 0, n);
            writeBytes(buffer.asSlice(0, n));
        }
    }

    private void writeBytes(MemorySegment segment) throws IOException {
        for (long off = 0; off < segment.byteSize(); off += MAX_WRITE) {
            ByteBuffer bb = segment.asSlice(off, Math.min(MAX_WRITE, segment.byteSize() - off)).asByteBuffer();
            while (bb.hasRemaining()) {
                channel.write(bb);
            }
        }
    }

    private MemorySegment scratch() {
        if (scratch == null) {
            scratchArena = Arena.ofConfined();
            scratch = scratchArena.allocate(chunkBytes, 64);
        }
        return scratch;
    }

    @Override
    public void close() {
        if (scratchArena != null) {
            scratchArena.close();
            scratchArena = null;
            scratch = null;
        }
    }
}
