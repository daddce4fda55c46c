package org.attn4j.internal.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.attn4j.Backend;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.bindings.attn4j_h;
import org.attn4j.internal.check.AttentionOpArguments;
import org.attn4j.internal.check.OpArguments;
import org.attn4j.internal.natives.NativeLibrary;
import org.attn4j.internal.natives.NativeStatus;
import org.attn4j.internal.natives.NativeTensors;

/**
 * The native backend ("native"): every operation is one downcall into libattn4j.so, made after
 * {@link OpArguments} checked every argument in Java. Owns one attn4j_context (thread count and
 * oneDNN primitive cache), created here and destroyed by {@link #close()}.
 *
 * <p>Why a shared arena around the context: the context pointer is a segment of that arena and
 * is passed to every downcall, so the linker keeps the arena acquired while a call runs. A
 * {@code close()} racing a running call then fails with IllegalStateException instead of freeing
 * the context under it; a call after close fails with IllegalStateException before the downcall.
 *
 * <p>Statuses become exceptions in {@link NativeStatus}. The downcall handles are invoked
 * directly (not through the generated wrappers, which turn every exception into
 * AssertionError) so that a closed-arena IllegalStateException reaches the caller as is.
 */
public final class NativeBackend implements Backend {
    /** Most threads a context takes (kMaxThreads in native/src/context.cpp). */
    public static final int MAX_THREADS = 4096;

    private final Arena lifetime;
    private final MemorySegment context; // attn4j_context*, scoped to lifetime
    private final long contextAddress;
    private final int threads;
    private final boolean jvmWide; // the default backend: close() refuses
    private boolean closed; // guarded by this

    /** A backend with its own context on {@code threads} threads (0 = all cores), closed by its owner. */
    public NativeBackend(int threads) {
        this(threads, false);
    }

    /**
     * A backend on {@code threads} threads (0 = all cores); {@code jvmWide}: the JVM-wide default,
     * whose close() throws IllegalStateException.
     */
    @SuppressWarnings("restricted") // the context pointer gets the arena's lifetime (reinterpret)
    public NativeBackend(int threads, boolean jvmWide) {
        this.jvmWide = jvmWide;
        if (threads < 0 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads: expected 0.." + MAX_THREADS + " (0 = all cores), got " + threads);
        }
        NativeLibrary.load();
        lifetime = Arena.ofShared();
        MemorySegment out = NativeTensors.forThread().out();
        try {
            NativeStatus.check(attn4j_h.attn4j_context_create(threads, out), "attn4j_context_create");
        } catch (RuntimeException | Error e) {
            lifetime.close();
            throw e;
        }
        MemorySegment raw = out.get(ValueLayout.ADDRESS, 0);
        contextAddress = raw.address();
        context = raw.reinterpret(lifetime, null);
        try {
            NativeStatus.check(attn4j_h.attn4j_context_threads(context, out), "attn4j_context_threads");
            this.threads = out.get(ValueLayout.JAVA_INT, 0);
        } catch (RuntimeException | Error e) {
            lifetime.close();
            int destroyed = attn4j_h.attn4j_context_destroy(raw);
            if (destroyed != 0) {
                e.addSuppressed(NativeStatus.failure(destroyed, "attn4j_context_destroy"));
            }
            throw e;
        }
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public int threads() {
        return threads;
    }

    // ------------------------------------------------------------------ basic operations

    @Override
    public void linear(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        linear(x, weight, null, bias, y);
    }

    @Override
    public void linearGelu(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        linearGelu(x, weight, null, bias, y);
    }

    @Override
    public void linearResidual(Tensor x, Tensor weight, Tensor bias, Tensor y) {
        linearResidual(x, weight, null, bias, y);
    }

    @Override
    public Tensor packLinearWeight(Tensor weight, Arena arena) {
        OpArguments.linearWeight(weight);
        if (arena == null) {
            throw new IllegalArgumentException("arena must not be null");
        }
        Tensor packed = Tensor.zeros(arena, DType.F32, packedFloats(weight.shape(0), weight.shape(1)));
        // the context only for downcall's checks: packing needs none
        downcall("attn4j_linear_pack", (ctx, d) -> (int) attn4j_h.attn4j_linear_pack$handle().invokeExact(
                d.describe(0, weight, "weight"), d.describe(1, packed, "packed")));
        return packed;
    }

    // Floats of the packed copy of a weight [out, in] (attn4j_linear_pack_size).
    private static long packedFloats(long out, long in) {
        MemorySegment floats = NativeTensors.forThread().out();
        NativeStatus.check(attn4j_h.attn4j_linear_pack_size(out, in, floats), "attn4j_linear_pack_size");
        return floats.get(ValueLayout.JAVA_LONG, 0);
    }

    @Override
    public void linear(Tensor x, Tensor weight, Tensor packed, Tensor bias, Tensor y) {
        linear(attn4j_h.attn4j_linear$handle(), "attn4j_linear", attn4j_h.ATTN4J_EPILOGUE_NONE(), x, weight, packed, bias, y);
    }

    @Override
    public void linearGelu(Tensor x, Tensor weight, Tensor packed, Tensor bias, Tensor y) {
        linear(attn4j_h.attn4j_linear_gelu$handle(), "attn4j_linear_gelu", attn4j_h.ATTN4J_EPILOGUE_GELU(), x, weight,
                packed, bias, y);
    }

    @Override
    public void linearResidual(Tensor x, Tensor weight, Tensor packed, Tensor bias, Tensor y) {
        linear(attn4j_h.attn4j_linear_residual$handle(), "attn4j_linear_residual", attn4j_h.ATTN4J_EPILOGUE_RESIDUAL(), x,
                weight, packed, bias, y);
    }

    // attn4j_linear and its fused variants (op, opName) share one signature and one set of checks;
    // with a packed copy, attn4j_linear_packed with the same epilogue (the copy's size is the
    // native side's to say)
    private void linear(MethodHandle op, String opName, int epilogue, Tensor x, Tensor weight, Tensor packed, Tensor bias,
            Tensor y) {
        OpArguments.linear(x, weight, bias, y);
        if (packed == null) {
            downcall(opName, (ctx, d) -> (int) op.invokeExact(ctx,
                    d.describe(0, x, "x"), d.describe(1, weight, "weight"), d.describe(2, bias, "bias"),
                    d.describe(3, y, "y")));
            return;
        }
        OpArguments.packedWeight(packed, packedFloats(weight.shape(0), weight.shape(1)));
        downcall("attn4j_linear_packed", (ctx, d) -> (int) attn4j_h.attn4j_linear_packed$handle().invokeExact(ctx,
                d.describe(0, x, "x"), d.describe(1, weight, "weight"), d.describe(2, packed, "packed"),
                d.describe(3, bias, "bias"), epilogue, d.describe(4, y, "y")));
    }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, float alpha, Tensor c) {
        OpArguments.matmul(a, transA, b, transB, c);
        downcall("attn4j_matmul", (ctx, d) -> (int) attn4j_h.attn4j_matmul$handle().invokeExact(ctx,
                d.describe(0, a, "a"), transA ? 1 : 0, d.describe(1, b, "b"), transB ? 1 : 0, alpha,
                d.describe(2, c, "c")));
    }

    @Override
    public void softmax(Tensor x, int axis, Tensor y) {
        OpArguments.softmax(x, axis, y);
        downcall("attn4j_softmax", (ctx, d) -> (int) attn4j_h.attn4j_softmax$handle().invokeExact(ctx,
                d.describe(0, x, "x"), axis, d.describe(1, y, "y")));
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor y) {
        OpArguments.rmsNorm(x, weight, eps, y);
        downcall("attn4j_rms_norm", (ctx, d) -> (int) attn4j_h.attn4j_rms_norm$handle().invokeExact(ctx,
                d.describe(0, x, "x"), d.describe(1, weight, "weight"), eps, d.describe(2, y, "y")));
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, float eps, Tensor y) {
        OpArguments.layerNorm(x, weight, bias, eps, y);
        downcall("attn4j_layer_norm", (ctx, d) -> (int) attn4j_h.attn4j_layer_norm$handle().invokeExact(ctx,
                d.describe(0, x, "x"), d.describe(1, weight, "weight"), d.describe(2, bias, "bias"), eps,
                d.describe(3, y, "y")));
    }

    @Override
    public void gelu(Tensor x, Tensor y) {
        elementwise(attn4j_h.attn4j_gelu$handle(), "attn4j_gelu", x, y);
    }

    // attn4j_gelu and attn4j_relu share one signature and one set of checks
    private void elementwise(MethodHandle op, String opName, Tensor x, Tensor y) {
        OpArguments.elementwise(x, y);
        downcall(opName, (ctx, d) -> (int) op.invokeExact(ctx, d.describe(0, x, "x"), d.describe(1, y, "y")));
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor y) {
        OpArguments.add(a, b, y);
        twoToOne(attn4j_h.attn4j_add$handle(), "attn4j_add", a, "a", b, "b", y);
    }

    // attn4j_add and attn4j_head_mix share one signature: (ctx, input, input, y)
    private void twoToOne(MethodHandle op, String opName, Tensor a, String aName, Tensor b, String bName, Tensor y) {
        downcall(opName, (ctx, d) -> (int) op.invokeExact(ctx, d.describe(0, a, aName), d.describe(1, b, bName),
                d.describe(2, y, "y")));
    }

    // ------------------------------------------------------------------ attention building blocks

    @Override
    public void bcaSoftmax(Tensor sim, Tensor relPosBias, Tensor mask, Tensor contextMask, Tensor attn, Tensor contextAttn) {
        OpArguments.bcaSoftmax(sim, relPosBias, mask, contextMask, attn, contextAttn);
        downcall("attn4j_bca_softmax", (ctx, d) -> (int) attn4j_h.attn4j_bca_softmax$handle().invokeExact(ctx,
                d.describe(0, sim, "sim"), d.describePadded(1, relPosBias, "relPosBias", 4),
                d.describe(2, mask, "mask"), d.describe(3, contextMask, "contextMask"), d.describe(4, attn, "attn"),
                d.describe(5, contextAttn, "contextAttn")));
    }

    @Override
    public void headMix(Tensor x, Tensor weight, Tensor y) {
        OpArguments.headMix(x, weight, y);
        twoToOne(attn4j_h.attn4j_head_mix$handle(), "attn4j_head_mix", x, "x", weight, "weight", y);
    }

    @Override
    public void bcaFused(Tensor qk, Tensor contextQk, Tensor v, Tensor contextV, Tensor relPosBias, Tensor mask,
                         Tensor contextMask, Tensor talkingHeads, Tensor contextTalkingHeads, float scale,
                         Tensor out, Tensor contextOut) {
        OpArguments.bcaFused(qk, contextQk, v, contextV, relPosBias, mask, contextMask, talkingHeads,
                contextTalkingHeads, scale, out, contextOut);
        downcall("attn4j_bca_fused", (ctx, d) -> (int) attn4j_h.attn4j_bca_fused$handle().invokeExact(ctx,
                d.describe(0, qk, "qk"), d.describe(1, contextQk, "contextQk"), d.describe(2, v, "v"),
                d.describe(3, contextV, "contextV"), d.describePadded(4, relPosBias, "relPosBias", 4),
                d.describe(5, mask, "mask"), d.describe(6, contextMask, "contextMask"),
                d.describe(7, talkingHeads, "talkingHeads"), d.describe(8, contextTalkingHeads, "contextTalkingHeads"),
                scale, d.describe(9, out, "out"), d.describe(10, contextOut, "contextOut")));
    }

    // ------------------------------------------------------------------ the attention family

    @Override
    public void sdpaFused(Tensor q, Tensor k, Tensor v, Tensor bias, Tensor mask, Tensor keyPaddingMask,
                          Tensor globalTokens, long windowLeft, long windowRight, float scale, Tensor out) {
        AttentionOpArguments.sdpaFused(q, k, v, bias, mask, keyPaddingMask, globalTokens, scale, out);
        long[] bhij = {q.shape(0), q.shape(1), q.shape(2), k.shape(2)};
        // The ABI takes bias and mask at rank 4 (zero strides for broadcast dims): expand is a view.
        Tensor bias4 = bias == null ? null : bias.expand(bhij);
        Tensor mask4 = mask == null ? null : mask.expand(bhij);
        downcall("attn4j_sdpa_fused", (ctx, d) -> (int) attn4j_h.attn4j_sdpa_fused$handle().invokeExact(ctx,
                d.describe(0, q, "q"), d.describe(1, k, "k"), d.describe(2, v, "v"), d.describe(3, bias4, "bias"),
                d.describe(4, mask4, "mask"), d.describe(5, keyPaddingMask, "keyPaddingMask"),
                d.describe(6, globalTokens, "globalTokens"), windowLeft, windowRight, scale,
                d.describe(7, out, "out")));
    }

    @Override
    public void sdpaSoftmax(Tensor scores, Tensor bias, Tensor mask, Tensor keyPaddingMask, Tensor globalTokens,
                            long windowLeft, long windowRight, Tensor weights) {
        AttentionOpArguments.sdpaSoftmax(scores, bias, mask, keyPaddingMask, globalTokens, weights);
        Tensor bias4 = bias == null ? null : bias.expand(scores.shape());
        Tensor mask4 = mask == null ? null : mask.expand(scores.shape());
        downcall("attn4j_sdpa_softmax", (ctx, d) -> (int) attn4j_h.attn4j_sdpa_softmax$handle().invokeExact(ctx,
                d.describe(0, scores, "scores"), d.describe(1, bias4, "bias"), d.describe(2, mask4, "mask"),
                d.describe(3, keyPaddingMask, "keyPaddingMask"), d.describe(4, globalTokens, "globalTokens"),
                windowLeft, windowRight, d.describe(5, weights, "weights")));
    }

    @Override
    public void topKSoftmax(Tensor scores, Tensor mask, Tensor keyPaddingMask, long windowLeft, long windowRight,
                            long topK, Tensor weights) {
        AttentionOpArguments.topKSoftmax(scores, mask, keyPaddingMask, topK, weights);
        Tensor mask4 = mask == null ? null : mask.expand(scores.shape());
        downcall("attn4j_topk_softmax", (ctx, d) -> (int) attn4j_h.attn4j_topk_softmax$handle().invokeExact(ctx,
                d.describe(0, scores, "scores"), d.describe(1, mask4, "mask"),
                d.describe(2, keyPaddingMask, "keyPaddingMask"), windowLeft, windowRight, topK,
                d.describe(3, weights, "weights")));
    }

    @Override
    public void relu(Tensor x, Tensor y) {
        elementwise(attn4j_h.attn4j_relu$handle(), "attn4j_relu", x, y);
    }

    @Override
    public void rope(Tensor x, long rotaryDim, long offset, double theta, boolean interleaved, Tensor y) {
        AttentionOpArguments.rope(x, rotaryDim, offset, theta, y);
        downcall("attn4j_rope", (ctx, d) -> (int) attn4j_h.attn4j_rope$handle().invokeExact(ctx,
                d.describe(0, x, "x"), rotaryDim, offset, theta, interleaved ? 1 : 0, d.describe(1, y, "y")));
    }

    @Override
    public void additiveScores(Tensor q, Tensor k, Tensor w, Tensor scores) {
        AttentionOpArguments.additiveScores(q, k, w, scores);
        downcall("attn4j_additive_scores", (ctx, d) -> (int) attn4j_h.attn4j_additive_scores$handle().invokeExact(ctx,
                d.describe(0, q, "q"), d.describe(1, k, "k"), d.describe(2, w, "w"), d.describe(3, scores, "scores")));
    }

    @Override
    public void linearAttention(Tensor q, Tensor k, Tensor v, Tensor keyPaddingMask, boolean causal, float eps,
                                Tensor out) {
        AttentionOpArguments.linearAttention(q, k, v, keyPaddingMask, causal, eps, out);
        downcall("attn4j_linear_attention", (ctx, d) -> (int) attn4j_h.attn4j_linear_attention$handle().invokeExact(ctx,
                d.describe(0, q, "q"), d.describe(1, k, "k"), d.describe(2, v, "v"),
                d.describe(3, keyPaddingMask, "keyPaddingMask"), causal ? 1 : 0, eps, d.describe(4, out, "out")));
    }

    // ------------------------------------------------------------------ the downcall

    /** One downcall of an operation: the arguments it passes, given the context and this thread's descriptors. */
    @FunctionalInterface
    private interface Downcall {
        /** The native status; invokeExact needs each handle's exact signature, so each op writes its own call. */
        int invoke(MemorySegment ctx, NativeTensors d) throws Throwable;
    }

    /**
     * Runs {@code call} with the open context and this thread's descriptors; a closed arena's
     * IllegalStateException reaches the caller as is, a non-zero status becomes the exception of
     * {@link NativeStatus} naming {@code function}.
     */
    private void downcall(String function, Downcall call) {
        MemorySegment ctx = context();
        NativeTensors d = NativeTensors.forThread();
        int status;
        try {
            status = call.invoke(ctx, d);
        } catch (Throwable t) {
            throw NativeStatus.rethrow(t);
        }
        NativeStatus.check(status, function);
    }

    // ------------------------------------------------------------------ lifecycle

    /** The context segment; IllegalStateException once closed. */
    private MemorySegment context() {
        if (!context.scope().isAlive()) {
            throw new IllegalStateException("native backend: expected an open backend, got a closed one");
        }
        return context;
    }

    /**
     * Destroys the context. Throws IllegalStateException on a second close, and while another
     * thread is inside an operation of this backend (the backend then stays open).
     */
    @Override
    public void close() {
        if (jvmWide) {
            throw JvmWide.closeRefused();
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("native backend: already closed (a second close is a bug)");
            }
            try {
                lifetime.close();
            } catch (IllegalStateException e) {
                throw new IllegalStateException("native backend: cannot close while an operation is running on another thread", e);
            }
            closed = true;
        }
        NativeStatus.check(attn4j_h.attn4j_context_destroy(MemorySegment.ofAddress(contextAddress)),
                "attn4j_context_destroy");
    }

    @Override
    public String toString() {
        return (jvmWide ? "default " : "") + "Backend(native, " + threads + " threads)";
    }
}
