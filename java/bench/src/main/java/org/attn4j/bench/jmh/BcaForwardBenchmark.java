package org.attn4j.bench.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.nn.AttentionPath;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.attn4j.nn.BidirectionalOptions;
import org.attn4j.nn.BidirectionalOutput;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One forward pass of bidirectional cross attention at the reference README configuration
 * (dim 512, context 386, 8 heads of 64, batch 1, masks all true, seeded random weights) on the
 * native backend, through the fused kernel and through the materialised path.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp "java/bench/target/classes:$(cat java/bench/target/classpath.txt)" \
 *     org.openjdk.jmh.Main BcaForwardBenchmark [-p size=256x512] [-p path=FUSED]
 * </pre>
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BcaForwardBenchmark extends NativeBenchmark {

    /** i x j: query positions of x, positions of context. */
    @Param({"256x512", "1024x2048"})
    public String size;

    /** FUSED (never holds [h, i, j]) or MATERIALISED (holds attn and context_attn). */
    @Param({"FUSED", "MATERIALISED"})
    public String path;

    @Param({"2"})
    public int threads;

    private Backend backend;
    private BidirectionalCrossAttention module;
    private Arena inputs;
    private Tensor x;       // [1, i, 512]
    private Tensor context; // [1, j, 386]
    private BidirectionalOptions options;

    @Setup(Level.Trial)
    public void setUp() {
        String[] ij = size.split("x");
        int i = Integer.parseInt(ij[0]);
        int j = Integer.parseInt(ij[1]);
        backend = Backends.nativeBackend(threads);
        module = BidirectionalCrossAttention.builder().dim(512).heads(8).dimHead(64).contextDim(386).build(backend, 1);
        inputs = Arena.ofShared(); // JMH may run setup and the benchmark on different threads
        x = Tensor.randn(inputs, 2, 1, i, 512);
        context = Tensor.randn(inputs, 3, 1, j, 386);
        boolean[] keepI = new boolean[i];
        boolean[] keepJ = new boolean[j];
        Arrays.fill(keepI, true);
        Arrays.fill(keepJ, true);
        // the README example passes masks (all true): the kernel's masked code path is what runs
        options = BidirectionalOptions.builder().mask(Tensor.ofBooleans(inputs, keepI, 1, i))
                .contextMask(Tensor.ofBooleans(inputs, keepJ, 1, j))
                .path(AttentionPath.valueOf(path)).build();
    }

    @Benchmark
    public void forward(Blackhole bh) {
        // outputs in a per-call arena, closed at once, as a caller serving requests would do
        try (Arena arena = Arena.ofConfined()) {
            BidirectionalOutput o = module.forward(arena, x, context, options);
            bh.consume(o.out().segment().get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
            bh.consume(o.contextOut().segment().get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        module.close();
        inputs.close();
        backend.close();
    }
}
