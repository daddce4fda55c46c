package org.attn4j.bench;

import java.lang.foreign.Arena;
import org.attn4j.Backend;
import org.attn4j.DType;
import org.attn4j.Tensor;

/**
 * This machine's matrix-multiply rate, measured in the same run as the contenders: an sgemm of
 * 2048 × 2048 × 2048 through the native backend's matmul (oneDNN), median of a few runs after
 * a warm-up. The "% GEMM" column is each contender's useful work rate over this one.
 */
final class GemmProbe {
    static final int N = 2048;
    static final int RUNS = 5;

    private GemmProbe() {
    }

    /** GFLOP/s of the median run (2·N³ floating-point operations per run). */
    static double measure(Backend backend) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.randn(arena, 11, N, N); // [N, N]
            Tensor b = Tensor.randn(arena, 12, N, N); // [N, N]
            Tensor c = Tensor.zeros(arena, DType.F32, N, N);
            backend.matmul(a, false, b, false, 1f, c); // warm-up: oneDNN builds its kernel once
            double[] ms = new double[RUNS];
            for (int k = 0; k < RUNS; k++) {
                long t0 = System.nanoTime();
                backend.matmul(a, false, b, false, 1f, c);
                ms[k] = (System.nanoTime() - t0) / 1e6;
            }
            return 2.0 * N * N * (double) N / (Stats.of(ms).median() * 1e6);
        }
    }
}
