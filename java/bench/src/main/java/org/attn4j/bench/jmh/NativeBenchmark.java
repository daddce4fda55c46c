package org.attn4j.bench.jmh;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The JMH settings every benchmark of this package shares, stated once: one forked JVM that may
 * make downcalls, the benchmark's state shared by its threads, time per call. JMH's annotations
 * are {@code @Inherited} and its generator reads them through the superclass chain; a subclass
 * states only what it does differently (its time unit, warm-up and measurement, and where it
 * needs them another mode or scope, which then take the place of these).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public abstract class NativeBenchmark {
}
