package org.attn4j.nn;

import static org.attn4j.nn.ModuleClass.outputs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.attn4j.Tensor;

/**
 * Every module class attn4j loads and runs, one entry each: its loader and its forward by the
 * reference's argument names (inputs, boolean options, outputs). {@link Models#load} and
 * {@code attn4j run} go through this list, and the contract suite checks that it covers every
 * module; a new module joins by one entry here.
 */
public final class ModuleClasses {
    private ModuleClasses() {
    }

    private static Map<String, Boolean> options(Object... nameThenDefault) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (int k = 0; k < nameThenDefault.length; k += 2) {
            m.put((String) nameThenDefault[k], (Boolean) nameThenDefault[k + 1]);
        }
        return m;
    }

    private static final Map<String, Boolean> NONE = Map.of();

    /** A {@link ScoringAttention}: queries, keys, values and key_padding_mask → output and weights. */
    private static ModuleClass scoring(ModuleFactory<?, ? extends ScoringAttention<?>> factory) {
        return new ModuleClass(factory, List.of("queries", "keys", "values"), List.of("key_padding_mask"), NONE,
                false, List.of("output", "weights"),
                (m, a, in, path) -> {
                    AttentionOutput o = ((ScoringAttention<?>) m).forward(a, in.tensor("queries"), in.tensor("keys"),
                            in.tensor("values"), in.tensor("key_padding_mask"));
                    return outputs("output", o.output(), "weights", o.weights());
                });
    }

    /** A {@link TextVisionModule}: text, vision and their masks → both sequences updated. */
    private static ModuleClass textVision(ModuleFactory<?, ? extends TextVisionModule<?>> factory) {
        return new ModuleClass(factory, List.of("text", "vision"), List.of("text_mask", "vision_mask"), NONE, false,
                List.of("text", "vision"),
                (m, a, in, path) -> {
                    CrossModalOutput o = ((TextVisionModule<?>) m).forward(a, in.tensor("text"), in.tensor("vision"),
                            in.tensor("text_mask"), in.tensor("vision_mask"));
                    return outputs("text", o.text(), "vision", o.vision());
                });
    }

    private static final List<ModuleClass> ALL = List.of(
            new ModuleClass(BidirectionalCrossAttentionBuilder.FACTORY, List.of("x", "context"),
                    List.of("mask", "context_mask", "rel_pos_bias"), options("return_attn", false), true,
                    List.of("out", "context_out", "attn", "context_attn"),
                    (m, a, in, path) -> {
                        BidirectionalOutput o = ((BidirectionalCrossAttention) m).forward(a, in.tensor("x"), in.tensor("context"),
                                BidirectionalOptions.builder().mask(in.tensor("mask")).contextMask(in.tensor("context_mask"))
                                        .relPosBias(in.tensor("rel_pos_bias")).returnAttn(in.option("return_attn")).path(path)
                                        .build());
                        return outputs("out", o.out(), "context_out", o.contextOut(), "attn", o.attn(),
                                "context_attn", o.contextAttn());
                    }),
            new ModuleClass(BidirectionalCrossAttentionTransformerBuilder.FACTORY, List.of("x", "context"),
                    List.of("mask", "context_mask", "rel_pos_bias"), NONE, true, List.of("out", "context_out"),
                    (m, a, in, path) -> {
                        BidirectionalOutput o = ((BidirectionalCrossAttentionTransformer) m).forward(a, in.tensor("x"),
                                in.tensor("context"), BidirectionalOptions.builder().mask(in.tensor("mask"))
                                        .contextMask(in.tensor("context_mask")).relPosBias(in.tensor("rel_pos_bias")).path(path)
                                        .build());
                        return outputs("out", o.out(), "context_out", o.contextOut());
                    }),
            new ModuleClass(MultiheadAttentionBuilder.FACTORY, List.of("query"),
                    List.of("key", "value", "key_padding_mask", "attn_mask"),
                    options("need_weights", true, "average_attn_weights", true, "is_causal", false), true,
                    List.of("attn_output", "attn_output_weights"),
                    (m, a, in, path) -> {
                        Tensor query = in.tensor("query");
                        Tensor key = in.tensor("key") != null ? in.tensor("key") : query; // self attention
                        Tensor value = in.tensor("value") != null ? in.tensor("value") : key;
                        AttentionOutput o = ((MultiheadAttention) m).forward(a, query, key, value, MhaOptions.builder()
                                .keyPaddingMask(in.tensor("key_padding_mask")).attnMask(in.tensor("attn_mask"))
                                .needWeights(in.option("need_weights")).averageAttnWeights(in.option("average_attn_weights"))
                                .isCausal(in.option("is_causal")).path(path).build());
                        return outputs("attn_output", o.output(), "attn_output_weights", o.weights());
                    }),
            new ModuleClass(TransformerEncoderLayerBuilder.FACTORY, List.of("src"), List.of("src_mask", "src_key_padding_mask"),
                    options("is_causal", false), true, List.of("output"),
                    (m, a, in, path) -> outputs("output", ((TransformerEncoderLayer) m).forward(a, in.tensor("src"),
                            new EncoderLayerOptions(in.tensor("src_mask"), in.tensor("src_key_padding_mask"),
                                    in.option("is_causal"), path)))),
            new ModuleClass(TransformerDecoderLayerBuilder.FACTORY, List.of("tgt", "memory"),
                    List.of("tgt_mask", "memory_mask", "tgt_key_padding_mask", "memory_key_padding_mask"),
                    options("tgt_is_causal", false, "memory_is_causal", false), true, List.of("output"),
                    (m, a, in, path) -> outputs("output", ((TransformerDecoderLayer) m).forward(a, in.tensor("tgt"),
                            in.tensor("memory"), new DecoderLayerOptions(in.tensor("tgt_mask"), in.tensor("memory_mask"),
                                    in.tensor("tgt_key_padding_mask"), in.tensor("memory_key_padding_mask"),
                                    in.option("tgt_is_causal"), in.option("memory_is_causal"), path)))),
            scoring(AdditiveAttentionBuilder.FACTORY),
            scoring(LuongAttentionBuilder.FACTORY),
            new ModuleClass(TopKAttentionBuilder.FACTORY, List.of("x"), List.of("context", "key_padding_mask"),
                    options("causal", false), false, List.of("output", "weights"),
                    (m, a, in, path) -> {
                        AttentionOutput o = ((TopKAttention) m).forward(a, in.tensor("x"), in.tensor("context"),
                                in.tensor("key_padding_mask"), in.option("causal"));
                        return outputs("output", o.output(), "weights", o.weights());
                    }),
            new ModuleClass(SlidingWindowAttentionBuilder.FACTORY, List.of("x"), List.of("key_padding_mask", "global_tokens"),
                    NONE, false, List.of("output"),
                    (m, a, in, path) -> outputs("output", ((SlidingWindowAttention) m).forward(a, in.tensor("x"),
                            in.tensor("key_padding_mask"), in.tensor("global_tokens")))),
            new ModuleClass(LowRankAttentionBuilder.FACTORY, List.of("x"), List.of("context", "key_padding_mask"), NONE, true,
                    List.of("output"),
                    (m, a, in, path) -> outputs("output", ((LowRankAttention) m).forward(a, in.tensor("x"), in.tensor("context"),
                            SdpaOptions.builder().keyPaddingMask(in.tensor("key_padding_mask")).path(path).build()).output())),
            new ModuleClass(FusedQkvAttentionBuilder.FACTORY, List.of("x"), List.of("key_padding_mask"), options("causal", false),
                    true, List.of("output"),
                    (m, a, in, path) -> outputs("output", ((FusedQkvAttention) m).forward(a, in.tensor("x"),
                            SdpaOptions.builder().keyPaddingMask(in.tensor("key_padding_mask")).causal(in.option("causal"))
                                    .path(path).build()).output())),
            new ModuleClass(LinearAttentionBuilder.FACTORY, List.of("x"), List.of("key_padding_mask"), NONE, false,
                    List.of("output"),
                    (m, a, in, path) -> outputs("output", ((LinearAttention) m).forward(a, in.tensor("x"),
                            in.tensor("key_padding_mask")))),
            new ModuleClass(CosineSimilarityAttentionBuilder.FACTORY, List.of("x"), List.of("key_padding_mask"), NONE, true,
                    List.of("output"),
                    (m, a, in, path) -> outputs("output", ((CosineSimilarityAttention) m).forward(a, in.tensor("x"),
                            SdpaOptions.builder().keyPaddingMask(in.tensor("key_padding_mask")).path(path).build()).output())),
            textVision(CrossModalCrossAttentionBuilder.FACTORY),
            textVision(CrossModalFusionBlockBuilder.FACTORY));

    /** Every module class, in the order above. */
    public static List<ModuleClass> all() {
        return ALL;
    }

    /** The class names, sorted. */
    public static Set<String> names() {
        Set<String> names = new TreeSet<>();
        ALL.forEach(c -> names.add(c.name()));
        return names;
    }

    /** The entry of a module class; IllegalArgumentException for a class that is not one. */
    public static ModuleClass of(Class<? extends Module> type) {
        for (ModuleClass c : ALL) {
            if (c.type() == type) {
                return c;
            }
        }
        throw new IllegalArgumentException(type.getName() + " is not a module class (expected one of " + names() + ")");
    }

    /** The module class a model file may name; IllegalArgumentException for an unknown one, listing the known. */
    public static ModuleClass of(String className) {
        for (ModuleClass c : ALL) {
            if (c.name().equals(className)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown module class " + className + " (expected one of " + names() + ")");
    }
}
