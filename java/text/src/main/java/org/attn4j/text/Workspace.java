package org.attn4j.text;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.attn4j.DType;
import org.attn4j.Tensor;

/**
 * The intermediates of one BERT forward, kept between calls so a forward allocates nothing:
 * a pool hands one to each running forward, and it grows (reallocates) only when a batch needs
 * more tokens than it holds. Shared arena: a pooled workspace serves whichever thread takes it.
 */
final class Workspace implements AutoCloseable {
    private final long hidden;
    private final long intermediate;
    private Arena arena;
    private long tokens;   // capacity in tokens (b · s)
    private long rows;     // capacity in sequences (mask rows)
    private MemorySegment x, qkv, ctx, inter, mask;

    Workspace(long hidden, long intermediate) {
        this.hidden = hidden;
        this.intermediate = intermediate;
    }

    /** Makes room for [b, s]; contents are garbage afterwards. */
    void reserve(long b, long s) {
        long n = b * s;
        if (arena != null && n <= tokens && b <= rows) {
            return;
        }
        if (arena != null) {
            arena.close();
        }
        tokens = Math.max(n, tokens);
        rows = Math.max(b, rows);
        arena = Arena.ofShared();
        x = arena.allocate(tokens * hidden * 4, 64);
        qkv = arena.allocate(tokens * 3 * hidden * 4, 64);
        ctx = arena.allocate(tokens * hidden * 4, 64);
        inter = arena.allocate(tokens * intermediate * 4, 64);
        mask = arena.allocate(tokens, 64);
    }

    Tensor x(long b, long s) {
        return Tensor.wrap(x, DType.F32, b, s, hidden);
    }

    Tensor qkv(long b, long s) {
        return Tensor.wrap(qkv, DType.F32, b, s, 3 * hidden);
    }

    Tensor ctx(long b, long s) {
        return Tensor.wrap(ctx, DType.F32, b, s, hidden);
    }

    Tensor inter(long b, long s) {
        return Tensor.wrap(inter, DType.F32, b, s, intermediate);
    }

    /** BOOL [b, s] key padding mask (true = a real token). */
    Tensor mask(long b, long s) {
        return Tensor.wrap(mask, DType.BOOL, b, s);
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
