package org.attn4j.text;

import java.util.Map;
import org.attn4j.internal.io.Json;

/**
 * A BERT encoder's shape, with HuggingFace's config.json names: vocab_size, hidden_size,
 * num_hidden_layers, num_attention_heads, intermediate_size, max_position_embeddings,
 * type_vocab_size, layer_norm_eps. The activation is GELU (erf), the norms post-LN.
 */
public record BertConfig(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize,
                         int maxPositionEmbeddings, int typeVocabSize, float layerNormEps) {

    public BertConfig {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("intermediate_size", intermediateSize);
        positive("max_position_embeddings", maxPositionEmbeddings);
        positive("type_vocab_size", typeVocabSize);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("hidden_size: expected a multiple of num_attention_heads (" + numAttentionHeads
                    + "), got " + hiddenSize);
        }
        if (!(layerNormEps > 0) || !Float.isFinite(layerNormEps)) {
            throw new IllegalArgumentException("layer_norm_eps: expected a positive finite number, got " + layerNormEps);
        }
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Reads HuggingFace's config.json text (BERT-family keys; hidden_act must be gelu). */
    public static BertConfig fromJson(String json, String name) {
        Object root = Json.parse(json, name, IllegalArgumentException::new);
        if (!(root instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(name + ": expected a JSON object");
        }
        Object act = m.get("hidden_act");
        if (act != null && !act.equals("gelu")) {
            throw new IllegalArgumentException(name + " hidden_act: expected gelu (erf), got " + act);
        }
        Object eps = m.get("layer_norm_eps");
        return new BertConfig(integer(m, "vocab_size", name), integer(m, "hidden_size", name),
                integer(m, "num_hidden_layers", name), integer(m, "num_attention_heads", name),
                integer(m, "intermediate_size", name), integer(m, "max_position_embeddings", name),
                m.containsKey("type_vocab_size") ? integer(m, "type_vocab_size", name) : 2,
                eps instanceof Number n ? n.floatValue() : 1e-12f);
    }

    /** config.json text for this configuration. */
    public String toJson() {
        return Json.write(Map.of("model_type", "bert", "vocab_size", vocabSize, "hidden_size", hiddenSize,
                "num_hidden_layers", numHiddenLayers, "num_attention_heads", numAttentionHeads,
                "intermediate_size", intermediateSize, "max_position_embeddings", maxPositionEmbeddings,
                "type_vocab_size", typeVocabSize, "layer_norm_eps", (double) layerNormEps, "hidden_act", "gelu"));
    }

    private static int integer(Map<?, ?> m, String key, String name) {
        if (!(m.get(key) instanceof Long v) || v < 1 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " " + key + ": expected a positive integer, got " + m.get(key));
        }
        return v.intValue();
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + ": expected a positive value, got " + v);
        }
    }
}
