package org.attn4j.bench.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.attn4j.Attn4j;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.internal.check.BidirectionalInputs;
import org.attn4j.internal.module.Scratch;
import org.attn4j.nn.AttentionPath;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.attn4j.nn.BidirectionalOptions;
import org.attn4j.nn.BidirectionalOutput;
import java.lang.management.ManagementFactory;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One forward of the README module (dim 512, context 386, 8 heads of 64, batch 1, masks all
 * true) split into its parts, in microseconds per call, so that the fixed cost of a small call
 * shows where it is. The parts of one forward, in the order it runs them:
 *
 * <pre>
 * outputs        the caller's arena and out [b, i, 512], contextOut [b, j, 386] (zeroed)
 * scratch        the call's scratch and its intermediates: qk, v [b, i, 512], contextQk,
 *                contextV [b, j, 512], merged [b, i, 512], contextMerged [b, j, 512]
 * checks         BidirectionalInputs.check: shapes, dtypes, lifetimes, masks
 * linear         one product over the weight and its packed copy (as a module holds them),
 *                -p part= (each part a row of JMH's table):
 *   projectX       one x projection   [b·i, 512] · [512, 512]ᵀ          (the forward runs two)
 *   projectContext one context one    [b·j, 386] · [512, 386]ᵀ          (two)
 *   outX           to_out             [b·i, 512] · [512, 512]ᵀ + bias   (one)
 *   outContext     context_to_out     [b·j, 512] · [386, 512]ᵀ + bias   (one)
 * attentionFused the fused kernel on [b, 8, i, 64] head views                    (FUSED path)
 * attentionMaterialised  sim, both softmaxes, the two products                  (MATERIALISED)
 * downcall       an empty downcall (Attn4j.ping), the floor of any of the above
 * </pre>
 *
 * forward ≈ outputs + scratch + checks + 2·projectX + 2·projectContext + outX + outContext +
 * attention; what the sum leaves out of forward is the module's own bookkeeping (enter/exit,
 * views, records). Run: {@code ./attn4j bench jmh ForwardPartsBenchmark [-p size=64x96] [-p threads=1]}.
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ForwardPartsBenchmark extends NativeBenchmark {
    private static final int DIM = 512;
    private static final int CONTEXT_DIM = 386;
    private static final int HEADS = 8;
    private static final int DIM_HEAD = 64;
    private static final int INNER = HEADS * DIM_HEAD;

    /** i x j: positions of x, positions of context. */
    @Param({"16x16"})
    public String size;

    @Param({"1"})
    public int batch;

    @Param({"2"})
    public int threads;

    private Backend backend;
    private BidirectionalCrossAttention module;
    private Arena arena;
    private long i;
    private long j;
    private Tensor x;              // [b, i, 512]
    private Tensor context;        // [b, j, 386]
    private BidirectionalOptions fused;
    private BidirectionalOptions materialised;
    private Tensor toQk;           // [512, 512]
    private Tensor toQkT;          // [512, 512], [in, out]
    private Tensor contextToQk;    // [512, 386]
    private Tensor toOut;          // [512, 512]
    private Tensor toOutBias;      // [512]
    private Tensor contextToOut;   // [386, 512]
    private Tensor contextToOutBias; // [386]
    private Tensor qk;             // [b, i, 512]
    private Tensor v;              // [b, i, 512]
    private Tensor contextQk;      // [b, j, 512]
    private Tensor contextV;       // [b, j, 512]
    private Tensor merged;         // [b, i, 512]
    private Tensor contextMerged;  // [b, j, 512]
    private Tensor out;            // [b, i, 512]
    private Tensor contextOut;     // [b, j, 386]
    private Tensor attn;           // [b, h, i, j]
    private Tensor contextAttn;    // [b, h, i, j]
    private float scale;

    @Setup(Level.Trial)
    public void setUp() {
        String[] ij = size.split("x");
        i = Long.parseLong(ij[0]);
        j = Long.parseLong(ij[1]);
        backend = Backends.nativeBackend(threads);
        module = BidirectionalCrossAttention.builder().dim(DIM).heads(HEADS).dimHead(DIM_HEAD).contextDim(CONTEXT_DIM)
                .build(backend, 1);
        arena = Arena.ofShared();
        x = Tensor.randn(arena, 2, batch, i, DIM);
        context = Tensor.randn(arena, 3, batch, j, CONTEXT_DIM);
        boolean[] keepI = new boolean[(int) (batch * i)];
        boolean[] keepJ = new boolean[(int) (batch * j)];
        Arrays.fill(keepI, true);
        Arrays.fill(keepJ, true);
        Tensor mask = Tensor.ofBooleans(arena, keepI, batch, i);
        Tensor contextMask = Tensor.ofBooleans(arena, keepJ, batch, j);
        fused = BidirectionalOptions.builder().mask(mask).contextMask(contextMask).path(AttentionPath.FUSED).build();
        materialised = BidirectionalOptions.builder().mask(mask).contextMask(contextMask)
                .path(AttentionPath.MATERIALISED).build();
        // weights of the module's shapes (the arithmetic does not depend on their values)
        toQk = Tensor.randn(arena, 4, 0f, 0.04f, INNER, DIM);
        toQkT = Tensor.randn(arena, 4, 0f, 0.04f, DIM, INNER);
        contextToQk = Tensor.randn(arena, 5, 0f, 0.05f, INNER, CONTEXT_DIM);
        toOut = Tensor.randn(arena, 6, 0f, 0.04f, DIM, INNER);
        toOutBias = Tensor.randn(arena, 7, 0f, 0.04f, DIM);
        contextToOut = Tensor.randn(arena, 8, 0f, 0.04f, CONTEXT_DIM, INNER);
        contextToOutBias = Tensor.randn(arena, 9, 0f, 0.04f, CONTEXT_DIM);
        qk = Tensor.zeros(arena, DType.F32, batch, i, INNER);
        v = Tensor.zeros(arena, DType.F32, batch, i, INNER);
        contextQk = Tensor.zeros(arena, DType.F32, batch, j, INNER);
        contextV = Tensor.zeros(arena, DType.F32, batch, j, INNER);
        merged = Tensor.zeros(arena, DType.F32, batch, i, INNER);
        contextMerged = Tensor.zeros(arena, DType.F32, batch, j, INNER);
        out = Tensor.zeros(arena, DType.F32, batch, i, DIM);
        contextOut = Tensor.zeros(arena, DType.F32, batch, j, CONTEXT_DIM);
        attn = Tensor.zeros(arena, DType.F32, batch, HEADS, i, j);
        contextAttn = Tensor.zeros(arena, DType.F32, batch, HEADS, i, j);
        scale = (float) Math.pow(DIM_HEAD, -0.5);
        backend.linear(x, toQk, null, qk); // inputs of the attention parts
        backend.linear(x, toQk, null, v);
        backend.linear(context, contextToQk, null, contextQk);
        backend.linear(context, contextToQk, null, contextV);
    }

    /** [b, n, h·d] → the [b, h, n, d] view. */
    private static Tensor heads(Tensor t) {
        return t.reshape(t.shape(0), t.shape(1), HEADS, DIM_HEAD).permute(0, 2, 1, 3);
    }

    @Benchmark
    public void forwardFused(Blackhole bh, CpuClock clock) {
        clock.call();
        forward(bh, fused);
    }

    @Benchmark
    public void forwardMaterialised(Blackhole bh, CpuClock clock) {
        clock.call();
        forward(bh, materialised);
    }

    private void forward(Blackhole bh, BidirectionalOptions options) {
        try (Arena call = Arena.ofConfined()) {
            BidirectionalOutput o = module.forward(call, x, context, options);
            bh.consume(o.out().segment().get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
            bh.consume(o.contextOut().segment().get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
        }
    }

    @Benchmark
    public void outputs(Blackhole bh, CpuClock clock) {
        clock.call();
        try (Arena call = Arena.ofConfined()) {
            bh.consume(Tensor.zeros(call, DType.F32, batch, i, DIM));
            bh.consume(Tensor.zeros(call, DType.F32, batch, j, CONTEXT_DIM));
        }
    }

    @Benchmark
    public void scratch(Blackhole bh, CpuClock clock) {
        clock.call();
        try (Scratch s = new Scratch(backend)) {
            bh.consume(s.allocate(batch, i, INNER));
            bh.consume(s.allocate(batch, i, INNER));
            bh.consume(s.allocate(batch, j, INNER));
            bh.consume(s.allocate(batch, j, INNER));
            bh.consume(s.allocate(batch, i, INNER));
            bh.consume(s.allocate(batch, j, INNER));
        }
    }

    @Benchmark
    public Object checks(CpuClock clock) {
        clock.call();
        try (Scratch s = new Scratch(backend)) {
            return BidirectionalInputs.check(x, context, fused, DIM, CONTEXT_DIM, HEADS, s.arena());
        }
    }

    @Benchmark
    public Tensor linear(LinearPart p, CpuClock clock) {
        clock.call();
        backend.linear(p.x, p.weight, p.packed, p.bias, p.y);
        return p.y;
    }

    /** projectX with the weight stored [in, out] (row-major, as oneDNN reads it without a copy). */
    @Benchmark
    public Tensor projectXStoredTransposed(CpuClock clock) {
        clock.call();
        backend.matmul(x, false, toQkT, false, 1f, qk);
        return qk;
    }

    @Benchmark
    public Tensor attentionFused(CpuClock clock) {
        clock.call();
        backend.bcaFused(heads(qk), heads(contextQk), heads(v), heads(contextV), null, fused.mask(),
                fused.contextMask(), null, null, scale, heads(merged), heads(contextMerged));
        return merged;
    }

    @Benchmark
    public Tensor attentionMaterialised(CpuClock clock) {
        clock.call();
        backend.matmul(heads(qk), false, heads(contextQk), true, scale, attn);
        backend.bcaSoftmax(attn, null, fused.mask(), fused.contextMask(), attn, contextAttn);
        backend.matmul(attn, false, heads(contextV), false, 1f, heads(merged));
        backend.matmul(contextAttn, true, heads(v), false, 1f, heads(contextMerged));
        return merged;
    }

    @Benchmark
    public void downcall(CpuClock clock) {
        clock.call();
        Attn4j.ping();
    }

    /**
     * The operands of one of the forward's linear products (the table above), picked by
     * {@code part}: a state of its own, so that only {@link #linear} runs once per part.
     */
    @State(Scope.Thread)
    public static class LinearPart {
        @Param({"projectX", "projectContext", "outX", "outContext"})
        public String part;
        Tensor x;
        Tensor weight;
        Tensor bias; // null: no bias
        Tensor y;
        Tensor packed; // the weight's packed copy, as the module's Linear holds it

        @Setup(Level.Trial)
        public void pick(ForwardPartsBenchmark f) {
            Tensor[] xwby = switch (part) {
                case "projectX" -> new Tensor[] {f.x, f.toQk, null, f.qk};
                case "projectContext" -> new Tensor[] {f.context, f.contextToQk, null, f.contextQk};
                case "outX" -> new Tensor[] {f.merged, f.toOut, f.toOutBias, f.out};
                case "outContext" -> new Tensor[] {f.contextMerged, f.contextToOut, f.contextToOutBias, f.contextOut};
                default -> throw new IllegalArgumentException("part: expected projectX, projectContext, outX or outContext, got "
                        + part);
            };
            x = xwby[0];
            weight = xwby[1];
            bias = xwby[2];
            y = xwby[3];
            packed = f.backend.packLinearWeight(weight, f.arena);
        }
    }

    /**
     * CPU time per call beside the wall time: on a shared machine the wall time of a call
     * counts the time slices other processes took, its CPU time (all threads of this JVM, so a
     * second kernel thread's share and its spinning count too) does not. Reported by JMH as the
     * secondary result {@code cpuUs}: µs of CPU per call, averaged over the measurement
     * iterations (JMH sums an event counter over them, so each iteration adds its share).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuClock {
        private static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private long start;
        private long calls;
        private int iterations;
        /** µs of CPU per call in the last iteration. */
        public double cpuUs;

        @Setup(Level.Iteration)
        public void begin(BenchmarkParams params) {
            iterations = Math.max(1, params.getMeasurement().getCount());
            calls = 0;
            start = OS.getProcessCpuTime();
        }

        void call() {
            calls++;
        }

        @TearDown(Level.Iteration)
        public void end() {
            cpuUs = calls == 0 ? 0 : (OS.getProcessCpuTime() - start) / 1e3 / calls / iterations;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        module.close();
        arena.close();
        backend.close();
    }
}
