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
abstract class QkvAttentionBuilder<C extends Record, M extends Module, B extends QkvAttentionBuilder<C, M, B>>
        extends ModuleBuilder<C, M, B> {
    QkvAttentionBuilder(ModuleType<C, M> type) {
        super(type);
    }

    public B dim(int dim) {
        return set("dim", dim);
    }

    public B heads(int heads) {
        return set("heads", heads);
    }

    public B dimHead(int dimHead) {
        return set("dimHead", dimHead);
    }

    /** Rotary embeddings on q and k (null = none). */
    public B rotary(RotaryEmbedding rotary) {
        return set("rotary", rotary);
    }
}
