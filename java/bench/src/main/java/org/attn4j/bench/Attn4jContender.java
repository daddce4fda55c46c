package org.attn4j.bench;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.attn4j.Backend;
import org.attn4j.nn.AttentionPath;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.attn4j.nn.BidirectionalOptions;
import org.attn4j.nn.BidirectionalOutput;
import org.attn4j.nn.Models;

/**
 * attn4j itself: {@link BidirectionalCrossAttention} loaded from the same model.safetensors the
 * other contenders use, on one backend and one attention path. Three of them take part: the
 * native backend's fused kernel, its materialised path, and the plain Java reference backend
 * (materialised; small sizes only, it would take hours at the big ones).
 */
final class Attn4jContender extends InProcessContender {
    /** The materialised path holds attn and contextAttn, [b, h, i, j] each, plus matmul scratch. */
    static final double MATERIALISED_MATRICES = 2.5;
    /** The Java reference (double accumulation, one thread) runs at well under 1 GFLOP/s: above this it is skipped. */
    static final double JAVA_MAX_GFLOP = 1.5;

    private final Path model;
    private final Backend backend;
    private final AttentionPath path;

    private Attn4jContender(String name, String variant, Path model, Backend backend, AttentionPath path) {
        super(name, variant);
        this.model = model;
        this.backend = backend;
        this.path = path;
    }

    /** The native backend's fused kernel (what attn4j picks when attention weights are not asked for). */
    static Attn4jContender fused(Path model, Backend nativeBackend) {
        return new Attn4jContender("attn4j", "fused", model, nativeBackend, AttentionPath.FUSED);
    }

    /** The native backend with the [b, h, i, j] matrices materialised (as returnAttn needs). */
    static Attn4jContender materialised(Path model, Backend nativeBackend) {
        return new Attn4jContender("attn4j", "materialised", model, nativeBackend, AttentionPath.MATERIALISED);
    }

    /** The plain Java reference backend, materialised: the obviously-right oracle. */
    static Attn4jContender javaReference(Path model, Backend javaBackend) {
        return new Attn4jContender("java", "reference", model, javaBackend, AttentionPath.MATERIALISED);
    }

    /** The Java reference takes seconds a run: 3 timed runs at most. */
    @Override
    public int repeatCap() {
        return name().equals("java") ? 3 : Integer.MAX_VALUE;
    }

    @Override
    public String describe() {
        return "Models.load(" + model.getFileName() + ", BidirectionalCrossAttention.class) on the " + backend.name() + " backend ("
                + backend.threads() + " thread(s)), AttentionPath." + path;
    }

    @Override
    public Unavailable unavailable(Workload w) {
        if (!Files.isRegularFile(model)) {
            return Unavailable.skipped("weights not found: " + model + " (is ../shared there?)");
        }
        if (name().equals("java") && w.usefulFlops() / 1e9 > JAVA_MAX_GFLOP) {
            return Unavailable.skipped(String.format("too slow for the Java reference at %s (%.1f GFLOP a run; it runs "
                    + "up to %.1f)", w, w.usefulFlops() / 1e9, JAVA_MAX_GFLOP));
        }
        if (path == AttentionPath.MATERIALISED) {
            return MemoryInfo.skipIfTooBig(MATERIALISED_MATRICES * w.attentionMatrixBytes(),
                    "the materialised path holds attn and context_attn, [b,h,i,j] float32 each", w);
        }
        return null;
    }

    @Override
    protected Run open(BenchInputs in) throws Exception {
        BidirectionalCrossAttention module = Models.load(model, BidirectionalCrossAttention.class, backend);
        BidirectionalOptions options = BidirectionalOptions.builder().mask(in.mask()).contextMask(in.contextMask())
                .returnAttn(false).path(path).build();
        return new Run() {
            @Override
            public Outputs forwardWithOutputs() {
                try (Arena arena = Arena.ofConfined()) {
                    BidirectionalOutput o = module.forward(arena, in.x(), in.context(), options);
                    return new Outputs(o.out().toFloatArray(), o.contextOut().toFloatArray());
                }
            }

            @Override
            public void forward() {
                // the outputs' arena closes right away, as a caller's per-request arena would
                try (Arena arena = Arena.ofConfined()) {
                    module.forward(arena, in.x(), in.context(), options);
                }
            }

            @Override
            public void close() {
                module.close();
            }
        };
    }
}
