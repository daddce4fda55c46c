package org.attn4j.nn;

import java.lang.foreign.SegmentAllocator;
import java.util.List;
import java.util.function.Function;
import org.attn4j.Backend;
import org.attn4j.Tensor;

/**
 * Every module class of {@link ModuleClasses}, one line each (more for a class with variants):
 * how to build it at a size where a forward takes milliseconds and the kernels split work across
 * threads (tiny shapes hide races), the shapes of its float inputs, and how to call its typed
 * forward on them. {@link ModuleContractTest} runs every promise of {@link Module} on every entry,
 * java/cli's RunContractTest runs {@code attn4j run} on each (this class reaches it through
 * core's test jar); a new module joins by one line here beside its line in ModuleClasses.
 */
public final class ModuleRegistry {
    private ModuleRegistry() {
    }

    /** forward on the inputs (in the order of {@link Case#inputs}) → every output tensor. */
    public interface Forward {
        Tensor[] run(Module m, SegmentAllocator allocator, Tensor[] in);
    }

    /**
     * @param name    the module's class name
     * @param build   a fresh module from a seed on the backend
     * @param inputs  shapes of the float inputs: the first inputs of the class's forward ({@link #names})
     * @param forward the typed forward on those inputs, outputs in the order of the class's output names
     */
    public record Case(String name, Function<Backend, Module> build, long[][] inputs, Forward forward) {
        /** The argument names of the inputs, from {@link ModuleClasses} (wrong-shape messages name them). */
        public String[] names() {
            return ModuleClasses.of(name).inputs().subList(0, inputs.length).toArray(String[]::new);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static long[] s(long... shape) {
        return shape;
    }

    private static Tensor[] out(Tensor... t) {
        return t;
    }

    /** A {@link TextVisionModule}: text [2, 96, 64] and vision [2, 80, 48] → both. */
    private static Case textVision(String name, Function<Backend, Module> build) {
        return new Case(name, build, new long[][] {s(2, 96, 64), s(2, 80, 48)}, (m, a, in) -> {
            CrossModalOutput o = ((TextVisionModule<?>) m).forward(a, in[0], in[1]);
            return out(o.text(), o.vision());
        });
    }

    // batch 2, 96 positions, 64 features, 4 heads of 16: ≈ 1 ms per forward on 2 cores
    public static final List<Case> CASES = List.of(
            new Case("BidirectionalCrossAttention",
                    b -> BidirectionalCrossAttention.builder().dim(64).contextDim(48).heads(4).dimHead(16).talkingHeads(true)
                            .prenorm(true).build(b, 1),
                    new long[][] {s(2, 96, 64), s(2, 80, 48)},
                    (m, a, in) -> {
                        BidirectionalOutput o = ((BidirectionalCrossAttention) m).forward(a, in[0], in[1]);
                        return out(o.out(), o.contextOut());
                    }),
            new Case("BidirectionalCrossAttentionTransformer",
                    b -> BidirectionalCrossAttentionTransformer.builder().dim(64).contextDim(48).depth(2).heads(4).dimHead(16)
                            .build(b, 2),
                    new long[][] {s(2, 96, 64), s(2, 80, 48)},
                    (m, a, in) -> {
                        BidirectionalOutput o = ((BidirectionalCrossAttentionTransformer) m).forward(a, in[0], in[1]);
                        return out(o.out(), o.contextOut());
                    }),
            new Case("MultiheadAttention",
                    b -> MultiheadAttention.builder().embedDim(64).numHeads(4).batchFirst(true).build(b, 3),
                    new long[][] {s(2, 96, 64), s(2, 80, 64)},
                    (m, a, in) -> out(((MultiheadAttention) m).forward(a, in[0], in[1], in[1], MhaOptions.DEFAULT).output())),
            new Case("TransformerEncoderLayer",
                    b -> TransformerEncoderLayer.builder().dModel(64).nhead(4).dimFeedforward(128).batchFirst(true).build(b, 4),
                    new long[][] {s(2, 96, 64)},
                    (m, a, in) -> out(((TransformerEncoderLayer) m).forward(a, in[0]))),
            new Case("TransformerDecoderLayer",
                    b -> TransformerDecoderLayer.builder().dModel(64).nhead(4).dimFeedforward(128).batchFirst(true).build(b, 5),
                    new long[][] {s(2, 96, 64), s(2, 80, 64)},
                    (m, a, in) -> out(((TransformerDecoderLayer) m).forward(a, in[0], in[1]))),
            new Case("AdditiveAttention",
                    b -> AdditiveAttention.builder().querySize(64).keySize(48).numHiddens(32).build(b, 6),
                    new long[][] {s(2, 96, 64), s(2, 80, 48), s(2, 80, 40)},
                    (m, a, in) -> out(((AdditiveAttention) m).forward(a, in[0], in[1], in[2], null).output())),
            new Case("LuongAttention",
                    b -> LuongAttention.builder().method(LuongAttention.Score.GENERAL).querySize(64).keySize(64).build(b, 7),
                    new long[][] {s(2, 96, 64), s(2, 80, 64), s(2, 80, 40)},
                    (m, a, in) -> out(((LuongAttention) m).forward(a, in[0], in[1], in[2], null).output())),
            new Case("LuongAttention", // concat: slices of the mapped attn.weight go to the native linear
                    b -> LuongAttention.builder().method(LuongAttention.Score.CONCAT).querySize(64).keySize(48).hiddenSize(32)
                            .bias(true).build(b, 16),
                    new long[][] {s(2, 96, 64), s(2, 80, 48), s(2, 80, 40)},
                    (m, a, in) -> out(((LuongAttention) m).forward(a, in[0], in[1], in[2], null).output())),
            new Case("TopKAttention",
                    b -> TopKAttention.builder().dim(64).heads(4).dimHead(16).topK(8).build(b, 8),
                    new long[][] {s(2, 96, 64)},
                    (m, a, in) -> out(((TopKAttention) m).forward(a, in[0], null, null, false).output())),
            new Case("CosineSimilarityAttention",
                    b -> CosineSimilarityAttention.builder().dim(64).heads(4).dimHead(16).build(b, 13),
                    new long[][] {s(2, 96, 64)},
                    (m, a, in) -> out(((CosineSimilarityAttention) m).forward(a, in[0]).output())),
            new Case("SlidingWindowAttention",
                    b -> SlidingWindowAttention.builder().dim(64).heads(4).dimHead(16).windowLeft(16).windowRight(16).build(b, 9),
                    new long[][] {s(2, 96, 64)},
                    (m, a, in) -> out(((SlidingWindowAttention) m).forward(a, in[0]))),
            new Case("LowRankAttention",
                    b -> LowRankAttention.builder().dim(64).heads(4).dimHead(16).rank(8).build(b, 10),
                    new long[][] {s(2, 96, 64)},
                    (m, a, in) -> out(((LowRankAttention) m).forward(a, in[0]).output())),
            new Case("FusedQkvAttention",
                    b -> FusedQkvAttention.builder().dim(64).heads(4).dimHead(16).build(b, 11),
                    new long[][] {s(2, 96, 64)},
                    (m, a, in) -> out(((FusedQkvAttention) m).forward(a, in[0]).output())),
            new Case("LinearAttention",
                    b -> LinearAttention.builder().dim(64).heads(4).dimHead(16).build(b, 12),
                    new long[][] {s(2, 96, 64)},
                    (m, a, in) -> out(((LinearAttention) m).forward(a, in[0]))),
            textVision("CrossModalCrossAttention",
                    b -> CrossModalCrossAttention.builder().textDim(64).visionDim(48).heads(4).build(b, 14)),
            textVision("CrossModalFusionBlock",
                    b -> CrossModalFusionBlock.builder().textDim(64).visionDim(48).heads(4).build(b, 15)));
}
