package org.attn4j.internal.mask;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.tensor.Shapes;
import org.attn4j.nn.SdpaOptions;

/**
 * Users' mask conventions turned into a {@link Visibility}, with every shape and dtype checked
 * first. Two conventions exist because PyTorch has two:
 * <ul>
 * <li>{@link #torch}: nn.MultiheadAttention and the transformer layers. Boolean true = masked
 * (left out); float masks are added to the scores; attn_mask is [L, S] or [b·heads, L, S];
 * key_padding_mask is [b, S].
 * <li>{@link #sdpa}: F.scaled_dot_product_attention. Boolean true = attend; float masks are
 * added; attnMask is [i, j], [b, i, j] or [b, h, i, j] (dims of 1 broadcast); the key padding
 * mask [b, j] is boolean with true = attend.
 * </ul>
 * New tensors (inverted boolean masks, F32 copies) come from the given arena.
 */
public final class Masks {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Masks() {
    }

    /**
     * PyTorch's MultiheadAttention conventions.
     *
     * @param attnMask       BOOL (true = masked) or float (added), [L, S] or [b·h, L, S]; null = none
     * @param keyPaddingMask BOOL (true = masked) or float (added), [b, S] ([S] with unbatched); null = none
     * @param unbatched      the call's inputs had no batch dim (b is 1)
     * @param isCausal       also hide keys after the query (PyTorch's is_causal; with attnMask given,
     *                       both apply)
     * @param maskName       the argument's name in messages ("attn_mask", "src_mask", ...)
     */
    public static Visibility torch(Tensor attnMask, Tensor keyPaddingMask, boolean unbatched, boolean isCausal, long b,
                                   long h, long l, long s, Arena arena, String maskName, String paddingName) {
        keyPaddingMask = SequenceInputs.batchedPadding(paddingName, keyPaddingMask, unbatched);
        Tensor bias = null;
        Tensor mask = null;
        Tensor padding = null;
        boolean causal = isCausal;
        if (attnMask != null) {
            Checks.alive(attnMask, maskName);
            long[] shape = attnMask.shape();
            boolean twoD = shape.length == 2 && shape[0] == l && shape[1] == s;
            boolean threeD = shape.length == 3 && shape[0] == b * h && shape[1] == l && shape[2] == s;
            if (!twoD && !threeD) {
                throw new IllegalArgumentException(maskName + ": expected shape [L, S] = " + Shapes.toString(new long[] {l, s})
                        + " or [b·num_heads, L, S] = " + Shapes.toString(new long[] {b * h, l, s}) + ", got "
                        + Shapes.toString(shape));
            }
            if (twoD && l == s && isCausalPattern(attnMask, true)) {
                // Why: the square subsequent mask is common; as a window the kernel skips the
                // hidden half of the tiles instead of reading a mask byte per score.
                causal = true;
            } else if (attnMask.dtype() == DType.BOOL) {
                Tensor attend = invert(attnMask, arena); // contiguous, true = attend
                mask = twoD ? attend.expand(b, h, l, s) : attend.reshape(b, h, l, s);
            } else {
                Tensor f = floats(maskName, attnMask, arena);
                bias = twoD ? f.expand(b, h, l, s) : f.reshape(b, h, l, s);
            }
        }
        if (keyPaddingMask != null) {
            Checks.alive(keyPaddingMask, paddingName);
            if (keyPaddingMask.rank() != 2 || keyPaddingMask.shape(0) != b || keyPaddingMask.shape(1) != s) {
                throw new IllegalArgumentException(paddingName + ": expected shape [b, S] = "
                        + Shapes.toString(new long[] {b, s}) + ", got " + Shapes.toString(keyPaddingMask.shape()));
            }
            if (keyPaddingMask.dtype() == DType.BOOL) {
                padding = invert(keyPaddingMask, arena);
            } else {
                Tensor f = floats(paddingName, keyPaddingMask, arena).reshape(b, 1, 1, s).expand(b, h, l, s);
                bias = bias == null ? f : sum(bias, f, arena);
            }
        }
        return new Visibility(bias, mask, padding, null, -1, causal ? 0 : -1);
    }

    /**
     * F.scaled_dot_product_attention's conventions, plus the window and global tokens of
     * {@link SdpaOptions}.
     */
    public static Visibility sdpa(SdpaOptions o, long b, long h, long i, long j, Arena arena) {
        Tensor bias = null;
        Tensor mask = null;
        Tensor padding = null;
        boolean causal = o.causal();
        long[] full = {b, h, i, j};
        if (o.attnMask() != null) {
            Tensor m = o.attnMask();
            Checks.alive(m, "attnMask");
            Tensor four = switch (m.rank()) {
                case 2 -> m.unsqueeze(0).unsqueeze(0);
                case 3 -> m.unsqueeze(1); // [b, i, j]: the heads axis is the missing one
                case 4 -> m;
                default -> throw new IllegalArgumentException("attnMask: expected shape [i, j], [b, i, j] or [b, h, i, j] "
                        + "(dims of 1 broadcast) for " + Shapes.toString(full) + ", got " + Shapes.toString(m.shape()));
            };
            for (int d = 0; d < 4; d++) {
                if (four.shape(d) != full[d] && four.shape(d) != 1) {
                    throw new IllegalArgumentException("attnMask: expected shape [i, j], [b, i, j] or [b, h, i, j] "
                            + "(dims of 1 broadcast) for " + Shapes.toString(full) + ", got " + Shapes.toString(m.shape()));
                }
            }
            if (m.rank() == 2 && i == j && o.globalTokens() == null && isCausalPattern(m, false)) {
                causal = true; // tril(ones) as a window: the kernel skips the hidden tiles
            } else if (m.dtype() == DType.BOOL) {
                mask = four.expand(full);
            } else {
                bias = floats("attnMask", four, arena).expand(full);
            }
        }
        if (o.keyPaddingMask() != null) {
            Tensor p = o.keyPaddingMask();
            Checks.alive(p, "keyPaddingMask");
            if (p.dtype() != DType.BOOL) {
                throw new IllegalArgumentException("keyPaddingMask: expected dtype BOOL (true = attend), got " + p.dtype());
            }
            if (p.rank() != 2 || p.shape(0) != b || p.shape(1) != j) {
                throw new IllegalArgumentException("keyPaddingMask: expected shape " + Shapes.toString(new long[] {b, j})
                        + ", got " + Shapes.toString(p.shape()));
            }
            padding = p;
        }
        Tensor global = null;
        if (o.globalTokens() != null) {
            Tensor g = o.globalTokens();
            Checks.alive(g, "globalTokens");
            if (g.dtype() != DType.BOOL) {
                throw new IllegalArgumentException("globalTokens: expected dtype BOOL, got " + g.dtype());
            }
            if (i != j) {
                throw new IllegalArgumentException("globalTokens: expected self attention (as many queries as keys), got "
                        + i + " queries and " + j + " keys");
            }
            if (g.rank() != 2 || g.shape(0) != b || g.shape(1) != i) {
                throw new IllegalArgumentException("globalTokens: expected shape " + Shapes.toString(new long[] {b, i})
                        + ", got " + Shapes.toString(g.shape()));
            }
            global = g;
        }
        long right = causal ? 0 : o.windowRight(); // a window ahead of the query can only shrink to causal
        return new Visibility(bias, mask, padding, global, o.windowLeft(), right);
    }

    /** A contiguous BOOL copy with every value negated (true = masked ↔ true = attend). */
    public static Tensor invert(Tensor m, Arena arena) {
        MemorySegment src = m.contiguous(arena).segment();
        Tensor out = Tensor.zeros(arena, DType.BOOL, m.shape());
        MemorySegment dst = out.segment();
        long n = m.numel();
        for (long k = 0; k < n; k++) {
            dst.set(ValueLayout.JAVA_BYTE, k, src.get(ValueLayout.JAVA_BYTE, k) == 0 ? (byte) 1 : (byte) 0);
        }
        return out;
    }

    /**
     * True for a square causal mask: float −∞ exactly above the diagonal and 0 elsewhere (PyTorch's
     * square subsequent mask), or BOOL true exactly above the diagonal ({@code trueMasks}: true =
     * masked, nn.MultiheadAttention's convention) or exactly on and below it (true = attend,
     * SDPA's convention). Stops at the first element that differs.
     */
    public static boolean isCausalPattern(Tensor m, boolean trueMasks) {
        if (m.rank() != 2 || m.shape(0) != m.shape(1) || !(m.dtype() == DType.BOOL || m.dtype() == DType.F32)) {
            return false;
        }
        long n = m.shape(0);
        long rs = m.stride(0);
        long cs = m.stride(1);
        MemorySegment seg = m.segment();
        for (long r = 0; r < n; r++) {
            for (long c = 0; c < n; c++) {
                long off = r * rs + c * cs;
                boolean hidden = c > r;
                if (m.dtype() == DType.BOOL) {
                    if ((seg.get(ValueLayout.JAVA_BYTE, off) != 0) != (trueMasks == hidden)) {
                        return false;
                    }
                } else {
                    float v = seg.get(F32, 4 * off);
                    if (hidden ? v != Float.NEGATIVE_INFINITY : v != 0f) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** A floating-point mask as contiguous F32. */
    private static Tensor floats(String name, Tensor m, Arena arena) {
        if (!m.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(name + ": expected dtype BOOL or a float dtype (F32, F16, BF16, F64), got "
                    + m.dtype());
        }
        return SequenceInputs.f32(m, arena).contiguous(arena);
    }

    /** a + b as a new contiguous F32 [b, h, l, s] tensor (both already of that shape, views allowed). */
    private static Tensor sum(Tensor a, Tensor b, Arena arena) {
        long[] shape = a.shape();
        Tensor out = Tensor.zeros(arena, DType.F32, shape);
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        for (int k = 0; k < x.length; k++) {
            x[k] += y[k];
        }
        MemorySegment.copy(x, 0, out.segment(), F32, 0, x.length);
        return out;
    }

    /**
     * Checks an optional per-position mask (a key padding mask, a sequence's mask): null, or a
     * live BOOL tensor [b, n], true = attend.
     */
    public static void sequenceMask(String name, Tensor mask, long b, long n) {
        if (mask == null) {
            return;
        }
        Checks.alive(mask, name);
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException(name + ": expected dtype BOOL, got " + mask.dtype());
        }
        if (mask.rank() != 2 || mask.shape(0) != b || mask.shape(1) != n) {
            throw new IllegalArgumentException(name + ": expected shape " + Shapes.toString(new long[] {b, n}) + ", got "
                    + Shapes.toString(mask.shape()));
        }
    }

}
