package org.attn4j.text;

import java.lang.foreign.Arena;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Tensor;

/**
 * One post-LN BERT encoder layer's parameters, q/k/v packed into one [3·hidden, hidden]
 * projection so the layer starts with a single GEMM; with the four projection weights packed for
 * the backend (products of few rows read those, see Backend.packLinearWeight).
 */
record BertLayer(Tensor qkvWeight,   // [3H, H]: rows q, then k, then v
                 Tensor qkvBias,     // [3H]
                 Tensor outWeight,   // [H, H] attention.output.dense
                 Tensor outBias,     // [H]
                 Tensor norm1Weight, // [H] attention.output.LayerNorm
                 Tensor norm1Bias,
                 Tensor interWeight, // [I, H] intermediate.dense
                 Tensor interBias,   // [I]
                 Tensor ffOutWeight, // [H, I] output.dense
                 Tensor ffOutBias,   // [H]
                 Tensor norm2Weight, // [H] output.LayerNorm
                 Tensor norm2Bias,
                 Packed packed) {

    /** The projection weights' copies from Backend.packLinearWeight (each null where the backend packs nothing). */
    record Packed(Tensor qkv, Tensor out, Tensor inter, Tensor ffOut) {
    }

    /** These weights with their projections packed for {@code backend} in {@code arena} (freed with it). */
    BertLayer packedFor(Backend backend, Arena arena) {
        return new BertLayer(qkvWeight, qkvBias, outWeight, outBias, norm1Weight, norm1Bias, interWeight, interBias,
                ffOutWeight, ffOutBias, norm2Weight, norm2Bias, new Packed(backend.packLinearWeight(qkvWeight, arena),
                        backend.packLinearWeight(outWeight, arena), backend.packLinearWeight(interWeight, arena),
                        backend.packLinearWeight(ffOutWeight, arena)));
    }

    /** The layer's parameters under HuggingFace's state-dict names after {@code prefix} (q, k, v as views of the packed projection). */
    Map<String, Tensor> parameters(String prefix) {
        Map<String, Tensor> sd = new java.util.LinkedHashMap<>();
        long h = outWeight.shape(0);
        String[] qkv = {"query", "key", "value"};
        for (int p = 0; p < 3; p++) {
            sd.put(prefix + "attention.self." + qkv[p] + ".weight", qkvWeight.slice(0, p * h, (p + 1) * h));
            sd.put(prefix + "attention.self." + qkv[p] + ".bias", qkvBias.slice(0, p * h, (p + 1) * h));
        }
        sd.put(prefix + "attention.output.dense.weight", outWeight);
        sd.put(prefix + "attention.output.dense.bias", outBias);
        sd.put(prefix + "attention.output.LayerNorm.weight", norm1Weight);
        sd.put(prefix + "attention.output.LayerNorm.bias", norm1Bias);
        sd.put(prefix + "intermediate.dense.weight", interWeight);
        sd.put(prefix + "intermediate.dense.bias", interBias);
        sd.put(prefix + "output.dense.weight", ffOutWeight);
        sd.put(prefix + "output.dense.bias", ffOutBias);
        sd.put(prefix + "output.LayerNorm.weight", norm2Weight);
        sd.put(prefix + "output.LayerNorm.bias", norm2Bias);
        return sd;
    }
}
