package org.attn4j.bench.jmh;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The other native operations at the sizes of the README example's attention (8 heads of 64,
 * i = 1024, j = 2048 keeps a run short), through the safe layer, in microseconds per call.
 * matmulQk is 2 · 8 · 1024 · 2048 · 64 = 2.147 GFLOP; the rest are memory-bound.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OpsBenchmark extends NativeBenchmark {
    @Param({"2"})
    public int threads;

    private Arena arena;
    private Backend backend;
    private Tensor qk;        // [1, 8, 1024, 64]
    private Tensor contextQk; // [1, 8, 2048, 64]
    private Tensor sim;       // [1, 8, 1024, 2048]
    private Tensor attn;      // [1, 8, 1024, 2048]
    private Tensor contextAttn;
    private Tensor mixed;
    private Tensor talking;   // [8, 8]
    private Tensor rows;      // [4096, 512]
    private Tensor rowsOut;
    private Tensor norm;      // [512]
    private Tensor hidden;    // [4096, 2048]
    private Tensor hiddenOut; // [4096, 2048]

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        backend = Backends.nativeBackend(threads);
        qk = Tensor.randn(arena, 1, 1, 8, 1024, 64);
        contextQk = Tensor.randn(arena, 2, 1, 8, 2048, 64);
        sim = Tensor.randn(arena, 3, 1, 8, 1024, 2048);
        attn = Tensor.zeros(arena, DType.F32, 1, 8, 1024, 2048);
        contextAttn = Tensor.zeros(arena, DType.F32, 1, 8, 1024, 2048);
        mixed = Tensor.zeros(arena, DType.F32, 1, 8, 1024, 2048);
        talking = Tensor.randn(arena, 4, 8, 8);
        rows = Tensor.randn(arena, 5, 4096, 512);
        rowsOut = Tensor.zeros(arena, DType.F32, 4096, 512);
        norm = Tensor.randn(arena, 6, 512);
        hidden = Tensor.randn(arena, 7, 4096, 2048);
        hiddenOut = Tensor.zeros(arena, DType.F32, 4096, 2048);
    }

    @Benchmark
    public Tensor matmulQk() {
        backend.matmul(qk, false, contextQk, true, 0.125f, sim);
        return sim;
    }

    @Benchmark
    public Tensor softmaxRows() {
        backend.softmax(sim, -1, attn);
        return attn;
    }

    @Benchmark
    public Tensor bcaSoftmax() {
        backend.bcaSoftmax(sim, null, null, null, attn, contextAttn);
        return contextAttn;
    }

    @Benchmark
    public Tensor headMix() {
        backend.headMix(attn, talking, mixed);
        return mixed;
    }

    @Benchmark
    public Tensor rmsNorm() {
        backend.rmsNorm(rows, norm, 1.1920929e-7f, rowsOut);
        return rowsOut;
    }

    @Benchmark
    public Tensor layerNorm() {
        backend.layerNorm(rows, norm, norm, 1e-5f, rowsOut);
        return rowsOut;
    }

    @Benchmark
    public Tensor gelu() {
        backend.gelu(hidden, hiddenOut); // not in place: repeated GELU would drift into denormals
        return hiddenOut;
    }

    @Benchmark
    public Tensor add() {
        backend.add(rows, norm, rowsOut);
        return rowsOut;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
        arena.close();
    }
}
