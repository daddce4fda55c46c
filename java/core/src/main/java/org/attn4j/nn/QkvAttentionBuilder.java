package org.attn4j.nn;

/**
 * The setters the packed-projection modules share ({@link FusedQkvAttention},
 * {@link SlidingWindowAttention}, {@link CosineSimilarityAttention}): their configuration records
 * all begin with dim, heads, dimHead and rotary.
 *
 * @param <C> the configuration record
 * @param <M> the module
 * @param <B> the concrete builder
 */
public abstract class QkvAttentionBuilder<C extends Record, M extends Module, B extends QkvAttentionBuilder<C, M, B>>
        extends AttentionBuilder<C, M, B> {
    QkvAttentionBuilder(ModuleFactory<C, M> factory) {
        super(factory);
    }

    /** Rotary embeddings on q and k (null = none). */
    public B rotary(RotaryEmbedding rotary) {
        return set("rotary", rotary);
    }
}
