package org.attn4j.bench.jmh;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Linear through the safe layer: y [4096, 512] = x [4096, 512] · W[512, 512]ᵀ + b on a native
 * backend with {@code threads} threads. One call is 2 · 4096 · 512 · 512 = 2.147 GFLOP (the bias
 * adds 0.1 %), so GFLOP/s = ops/s × 2.147.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class LinearBenchmark extends NativeBenchmark {
    /** FLOP of one call: 2 · rows · in · out. */
    public static final double FLOP = 2.0 * 4096 * 512 * 512;

    @Param({"2"})
    public int threads;

    @Param({"4096"})
    public int rows;

    private Arena arena;
    private Backend backend;
    private Tensor x; // [rows, 512]
    private Tensor w; // [512, 512]
    private Tensor b; // [512]
    private Tensor y; // [rows, 512]

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        backend = Backends.nativeBackend(threads);
        x = Tensor.randn(arena, 1, rows, 512);
        w = Tensor.randn(arena, 2, 0f, 0.05f, 512, 512);
        b = Tensor.randn(arena, 3, 512);
        y = Tensor.zeros(arena, DType.F32, rows, 512);
    }

    @Benchmark
    public Tensor linear() {
        backend.linear(x, w, b, y);
        return y;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
        arena.close();
    }
}
