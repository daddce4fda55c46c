package org.attn4j.nn;

import java.lang.foreign.SegmentAllocator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.Tensor;

/**
 * One forward pass seen through its attention maps: inputs by name in, maps by name out, each
 * [b, h, rows, keys] with one probability distribution per row (what {@link AttentionConsistency}
 * compares). {@link #of(Module)} gives the probe of every module that returns its weights, with
 * inputs named as {@code attn4j run} names them.
 */
public interface AttentionProbe {

    /** The inputs that carry data (perturbed by {@link AttentionConsistency}); masks are not among them. */
    List<String> dataInputs();

    /** Every input name the forward reads, data and masks. */
    List<String> inputs();

    /** Runs one forward on {@code inputs} (absent optional inputs are null) → maps [b, h, rows, keys] by name. */
    Map<String, Tensor> attention(SegmentAllocator allocator, Map<String, Tensor> inputs);

    /**
     * The probe of a module, by class:
     * <ul>
     *   <li>{@link LuongAttention}, {@link AdditiveAttention}: queries, keys, values [key_padding_mask]
     *       → weights [b, 1, i, j];</li>
     *   <li>{@link TopKAttention}: x [context key_padding_mask] → weights [b, h, i, j];</li>
     *   <li>{@link MultiheadAttention} (batch-first or not, as built): query [key value key_padding_mask attn_mask]
     *       → attn_output_weights [b, h, l, s] (not averaged; [1, h, l, s] for an unbatched query [l, e]);</li>
     *   <li>{@link BidirectionalCrossAttention} without talking heads: x context [mask context_mask rel_pos_bias]
     *       → attn [b, h, i, j] (rows: x positions) and context_attn as [b, h, j, i] (rows: context positions,
     *       each a distribution over i).</li>
     * </ul>
     * The probe calls the module; closing the module stays the caller's.
     */
    static AttentionProbe of(Module module) {
        if (module == null) {
            throw new IllegalArgumentException("module must not be null");
        }
        return switch (module) {
            case LuongAttention m -> probe(List.of("queries", "keys", "values"), List.of("key_padding_mask"),
                    (a, in) -> Map.of("weights", m.forward(a, in.get("queries"), in.get("keys"), in.get("values"),
                            in.get("key_padding_mask")).weights().unsqueeze(1)));
            case AdditiveAttention m -> probe(List.of("queries", "keys", "values"), List.of("key_padding_mask"),
                    (a, in) -> Map.of("weights", m.forward(a, in.get("queries"), in.get("keys"), in.get("values"),
                            in.get("key_padding_mask")).weights().unsqueeze(1)));
            case TopKAttention m -> probe(List.of("x", "context"), List.of("key_padding_mask"),
                    (a, in) -> Map.of("weights", m.forward(a, in.get("x"), in.get("context"), in.get("key_padding_mask"),
                            false).weights()));
            case MultiheadAttention m -> probe(List.of("query", "key", "value"), List.of("key_padding_mask", "attn_mask"),
                    (a, in) -> {
                        Tensor query = in.get("query");
                        Tensor key = in.get("key") != null ? in.get("key") : query;
                        Tensor value = in.get("value") != null ? in.get("value") : key;
                        Tensor w = m.forward(a, query, key, value, MhaOptions.builder()
                                .keyPaddingMask(in.get("key_padding_mask")).attnMask(in.get("attn_mask"))
                                .needWeights(true).averageAttnWeights(false).build()).weights();
                        return Map.of("attn_output_weights", w.rank() == 3 ? w.unsqueeze(0) : w); // unbatched: [h, l, s]
                    });
            case BidirectionalCrossAttention m -> {
                if (m.config().talkingHeads()) {
                    throw new IllegalArgumentException(m + ": talking heads mix the heads after the softmax, so its "
                            + "attention rows are not probability distributions");
                }
                yield probe(List.of("x", "context"), List.of("mask", "context_mask", "rel_pos_bias"), (a, in) -> {
                    BidirectionalOutput o = m.forward(a, in.get("x"), in.get("context"), BidirectionalOptions.builder()
                            .mask(in.get("mask")).contextMask(in.get("context_mask")).relPosBias(in.get("rel_pos_bias"))
                            .returnAttn(true).path(AttentionPath.MATERIALISED).build());
                    Map<String, Tensor> maps = new LinkedHashMap<>();
                    maps.put("attn", o.attn());
                    maps.put("context_attn", o.contextAttn().transpose(2, 3)); // softmax over i: rows per context position
                    return maps;
                });
            }
            default -> throw new IllegalArgumentException(module + ": gives no attention maps (expected LuongAttention, "
                    + "AdditiveAttention, TopKAttention, MultiheadAttention or BidirectionalCrossAttention)");
        };
    }

    private static AttentionProbe probe(List<String> data, List<String> masks, Forward forward) {
        List<String> all = new java.util.ArrayList<>(data);
        all.addAll(masks);
        List<String> inputs = List.copyOf(all);
        return new AttentionProbe() {
            @Override
            public List<String> dataInputs() {
                return data;
            }

            @Override
            public List<String> inputs() {
                return inputs;
            }

            @Override
            public Map<String, Tensor> attention(SegmentAllocator allocator, Map<String, Tensor> in) {
                return forward.run(allocator, in);
            }
        };
    }

    /** A module's forward on named inputs (a missing name reads as null). */
    @FunctionalInterface
    interface Forward {
        Map<String, Tensor> run(SegmentAllocator allocator, Map<String, Tensor> inputs);
    }
}
