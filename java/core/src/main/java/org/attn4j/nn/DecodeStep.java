package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.tensor.Shapes;
import org.attn4j.internal.tensor.Heads;

/**
 * One step of token-by-token causal self attention over a {@link KeyValueCache}: the t new
 * tokens' keys and values are appended to the cache, then each new token, at position
 * p = (tokens held before) + r, attends the keys 0..p. The outputs equal those rows of full causal
 * attention over the whole sequence so far. A step reads the cache once (the fused kernel, no
 * [t, length] matrix) and allocates only its output from the caller's allocator.
 */
public final class DecodeStep {
    private DecodeStep() {
    }

    /**
     * Scaled dot-product attention of t new tokens: q, k [b, h, t, d] and v [b, h, t, dv] (any
     * float dtype, any strides) → out [b, h, t, dv] from {@code allocator}; k and v join the
     * cache. Scale 1/√d.
     */
    public static Tensor sdpa(Backend backend, SegmentAllocator allocator, Tensor q, Tensor k, Tensor v, KeyValueCache cache) {
        return sdpa(backend, allocator, q, k, v, cache, Float.NaN);
    }

    /** As {@link #sdpa(Backend, SegmentAllocator, Tensor, Tensor, Tensor, KeyValueCache)}, with q·kᵀ multiplied by {@code scale} (NaN = 1/√d). */
    public static Tensor sdpa(Backend backend, SegmentAllocator allocator, Tensor q, Tensor k, Tensor v, KeyValueCache cache,
                              float scale) {
        if (backend == null || allocator == null || cache == null) {
            throw new IllegalArgumentException("backend, allocator and cache must not be null");
        }
        if (q == null) {
            throw new IllegalArgumentException("q must not be null");
        }
        if (!Float.isNaN(scale) && !Float.isFinite(scale)) {
            throw new IllegalArgumentException("scale: expected a finite value (or NaN for 1/sqrt(d)), got " + scale);
        }
        long t = k == null || k.rank() != 4 ? -1 : k.shape(2);
        if (q.rank() != 4 || q.shape(0) != cache.batch() || q.shape(1) != cache.heads() || q.shape(2) != t
                || q.shape(3) != cache.dimHead()) {
            throw new IllegalArgumentException("q: expected shape [" + cache.batch() + ", " + cache.heads() + ", t, "
                    + cache.dimHead() + "] with t as k's (the cache's batch, heads and d), got " + Shapes.toString(q.shape()));
        }
        if (!q.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("q: expected a float dtype, got " + q.dtype());
        }
        float s = Float.isNaN(scale) ? (float) (1.0 / Math.sqrt(cache.dimHead())) : scale;
        try (Arena scratch = Arena.ofConfined()) {
            Tensor q32 = q.dtype() == DType.F32 ? q : q.to(DType.F32, scratch);
            long past = cache.length();
            cache.append(k, v); // checks k and v, and that they fit
            Tensor out = Tensor.zeros(allocator, DType.F32, cache.batch(), cache.heads(), t, cache.dimValue());
            attend(backend, q32, cache, past, s, out);
            return out;
        }
    }

    /**
     * Causal self attention of {@link MultiheadAttention} for t new tokens: x [b, t, E] ([t, b, E]
     * when the module is not batch first; [t, E] unbatched) → output of the same shape from
     * {@code allocator}, equal to those rows of {@code mha.forward(x_all, isCausal)} over the whole
     * sequence. The cache holds the projected keys and values per head:
     * [b, numHeads, capacity, E / numHeads] (b = 1 unbatched). Needs kdim = vdim = E (self attention).
     */
    public static Tensor multiheadAttention(MultiheadAttention mha, SegmentAllocator allocator, Tensor x, KeyValueCache cache) {
        if (mha == null || allocator == null || x == null || cache == null) {
            throw new IllegalArgumentException("mha, allocator, x and cache must not be null");
        }
        MultiheadAttention.Config config = mha.config();
        long e = config.embedDim();
        long heads = config.numHeads();
        long d = e / heads;
        if (config.kdim() != e || config.vdim() != e) {
            throw new IllegalArgumentException("mha: expected kdim = vdim = embed_dim (" + e + ") for self attention, got kdim "
                    + config.kdim() + ", vdim " + config.vdim());
        }
        boolean unbatched = x.rank() == 2;
        if ((x.rank() != 3 && !unbatched) || x.shape(x.rank() - 1) != e) {
            throw new IllegalArgumentException("x: expected shape " + (config.batchFirst() ? "[b, t, " : "[t, b, ") + e + "] or [t, "
                    + e + "], got " + Shapes.toString(x.shape()));
        }
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("x: expected a float dtype, got " + x.dtype());
        }
        Tensor xb = unbatched ? x.unsqueeze(0) : config.batchFirst() ? x : x.transpose(0, 1); // [b, t, E] view
        long b = xb.shape(0);
        long t = xb.shape(1);
        if (cache.batch() != b || cache.heads() != heads || cache.dimHead() != d || cache.dimValue() != d) {
            throw new IllegalArgumentException("cache: expected keys and values [" + b + ", " + heads + ", capacity, " + d
                    + "] (batch of x, the module's heads and E / heads), got " + cache);
        }
        mha.enter();
        try (Arena scratch = Arena.ofConfined()) {
            Map<String, Tensor> w = mha.stateDict();
            Tensor inProj = w.get("in_proj_weight");           // [3E, E]
            Tensor inBias = w.get("in_proj_bias");             // [3E] or null
            Tensor outProj = w.get("out_proj.weight");         // [E, E]
            Tensor outBias = w.get("out_proj.bias");           // [E] or null
            // 1. q, k, v of the new tokens in one product: [b, t, 3E] → three [b, h, t, d] views
            // a view that is not x itself (sequence first, unbatched) is copied: [b, t, E] with plain strides
            Tensor x32 = xb == x && x.isContiguous() && x.dtype() == DType.F32 ? x : xb.to(DType.F32, scratch);
            Tensor qkv = Tensor.zeros(scratch, DType.F32, b, t, 3 * e);
            mha.backend().linear(x32, inProj, inBias, qkv);
            Tensor split = Heads.splitPacked(qkv, 3, heads, d); // [3, b, h, t, d]
            long past = cache.length();
            cache.append(split.select(0, 1), split.select(0, 2));
            // 2. attention into the head-merged buffer [b, t, E], seen as [b, h, t, d]
            Tensor merged = Tensor.zeros(scratch, DType.F32, b, t, e);
            attend(mha.backend(), split.select(0, 0), cache, past, (float) (1.0 / Math.sqrt(d)),
                    Heads.split(merged, heads, d));
            // 3. output projection, back in the caller's layout
            if (unbatched || config.batchFirst()) {
                Tensor y = Tensor.zeros(allocator, DType.F32, b, t, e);
                mha.backend().linear(merged, outProj, outBias, y);
                return unbatched ? y.select(0, 0) : y;
            }
            Tensor y = Tensor.zeros(scratch, DType.F32, b, t, e);
            mha.backend().linear(merged, outProj, outBias, y);
            return y.transpose(0, 1).to(DType.F32, allocator); // [t, b, E]
        } finally {
            mha.exit();
        }
    }

    /**
     * New tokens per step up to which a step takes the materialised path: scores [b, h, t, length]
     * are then at most t / (d + dv) of the cache's bytes, and two matrix products read the keys
     * and the values once each, in place. (The fused kernel repacks the keys and values into
     * scratch first: one more pass over the cache, which a decoding step is bound by.)
     */
    static final long MATERIALISED_MAX_TOKENS = 16;

    /** out [b, h, t, dv] = attention of q [b, h, t, d] (new tokens from position past on) to all the cache holds. */
    private static void attend(Backend backend, Tensor q, KeyValueCache cache, long past, float scale, Tensor out) {
        // Query r sits at position past + r and sees keys j ≤ past + r: a window of past positions ahead.
        long t = q.shape(2);
        if (t > MATERIALISED_MAX_TOKENS) {
            backend.sdpaFused(q, cache.keys(), cache.values(), null, null, null, null, -1, past, scale, out);
            return;
        }
        try (Arena scratch = Arena.ofConfined()) {
            Tensor scores = Tensor.zeros(scratch, DType.F32, q.shape(0), q.shape(1), t, cache.length()); // [b, h, t, length]
            backend.matmul(q, false, cache.keys(), true, scale, scores);
            backend.sdpaSoftmax(scores, null, null, null, null, -1, past, scores);
            backend.matmul(scores, false, cache.values(), false, 1f, out);
        }
    }
}
