package org.attn4j.internal.module;

import java.util.LinkedHashMap;
import java.util.Map;
import org.attn4j.internal.check.Checks;
import org.attn4j.nn.RotaryEmbedding;

/**
 * The shape of a packed-projection attention module: dim, heads, dim_head and optional rotary
 * embeddings, with the metadata keys (dim, heads, dim_head, rotary_dim, rotary_theta,
 * rotary_interleaved) its model files carry.
 */
public record QkvAttentionConfig(int dim, int heads, int dimHead, RotaryEmbedding rotary) {

    public QkvAttentionConfig {
        Checks.positive("dim", dim);
        Checks.positive("heads", heads);
        Checks.positive("dim_head", dimHead);
        if (rotary != null && rotary.rotaryDim() > dimHead) {
            throw new IllegalArgumentException("rotary_dim: expected at most dim_head (" + dimHead + "), got "
                    + rotary.rotaryDim());
        }
    }

    public static QkvAttentionConfig from(Metadata meta) {
        int dim = meta.integer("dim", null);
        int heads = meta.integer("heads", 8);
        int dimHead = meta.integer("dim_head", 64);
        RotaryEmbedding rotary = null;
        if (meta.has("rotary_dim")) {
            rotary = new RotaryEmbedding(meta.integer("rotary_dim", null), meta.number("rotary_theta", 10000),
                    meta.bool("rotary_interleaved", false));
        }
        return new QkvAttentionConfig(dim, heads, dimHead, rotary);
    }

    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dim", Integer.toString(dim));
        m.put("heads", Integer.toString(heads));
        m.put("dim_head", Integer.toString(dimHead));
        if (rotary != null) {
            m.put("rotary_dim", Integer.toString(rotary.rotaryDim()));
            m.put("rotary_theta", Double.toString(rotary.theta()));
            m.put("rotary_interleaved", Boolean.toString(rotary.interleaved()));
        }
        return m;
    }

    @Override
    public String toString() {
        return "dim=" + dim + ", heads=" + heads + ", dim_head=" + dimHead
                + (rotary == null ? "" : ", rotary_dim=" + rotary.rotaryDim() + (rotary.interleaved() ? " interleaved" : ""));
    }
}
