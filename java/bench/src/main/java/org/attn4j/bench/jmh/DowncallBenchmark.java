package org.attn4j.bench.jmh;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.attn4j.Attn4j;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.bindings.attn4j_h;
import org.attn4j.internal.natives.NativeLibrary;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of crossing into native code:
 * <ul>
 *   <li>{@code rawPing}: attn4j_ping through the generated binding (a plain downcall with the
 *       thread-state transition);</li>
 *   <li>{@code safePing}: {@link Attn4j#ping()}, the safe layer's empty call (critical downcall,
 *       status checked) — the target is under 20 ns;</li>
 *   <li>{@code safeTinyOp}: a whole safe-layer operation on one element (gelu of [1]): argument
 *       checks, two descriptors filled, one downcall into oneDNN-free code, status checked.</li>
 * </ul>
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class DowncallBenchmark extends NativeBenchmark {
    private Arena arena;
    private Backend backend;
    private Tensor one;

    @Setup(Level.Trial)
    public void setUp() {
        NativeLibrary.load();
        arena = Arena.ofConfined();
        backend = Backends.nativeBackend(1);
        one = Tensor.of(arena, new float[] {0.5f}, 1);
    }

    @Benchmark
    public int rawPing() {
        return attn4j_h.attn4j_ping();
    }

    @Benchmark
    public void safePing() {
        Attn4j.ping();
    }

    @Benchmark
    public Tensor safeTinyOp() {
        backend.gelu(one, one);
        return one;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
        arena.close();
    }
}
