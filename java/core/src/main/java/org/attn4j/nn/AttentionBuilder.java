package org.attn4j.nn;

/**
 * The setters that every multi-head module over x [b, n, dim] shares: its configuration record
 * has dim, heads and dimHead components.
 *
 * @param <C> the configuration record
 * @param <M> the module
 * @param <B> the concrete builder
 */
public abstract class AttentionBuilder<C extends Record, M extends Module, B extends AttentionBuilder<C, M, B>>
        extends ModuleBuilder<C, M, B> {
    AttentionBuilder(ModuleFactory<C, M> factory) {
        super(factory);
    }

    /** Features of x. */
    public B dim(int dim) {
        return set("dim", dim);
    }

    public B heads(int heads) {
        return set("heads", heads);
    }

    /** Size of each head (of its values where queries and keys have another size). */
    public B dimHead(int dimHead) {
        return set("dimHead", dimHead);
    }
}
