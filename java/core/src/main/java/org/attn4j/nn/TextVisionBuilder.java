package org.attn4j.nn;

/**
 * The setters that the builders of the {@link TextVisionModule}s share: their configuration
 * records have textDim, visionDim and heads components.
 *
 * @param <C> the configuration record
 * @param <M> the module
 * @param <B> the concrete builder
 */
public abstract class TextVisionBuilder<C extends Record, M extends Module, B extends TextVisionBuilder<C, M, B>>
        extends ModuleBuilder<C, M, B> {
    TextVisionBuilder(ModuleFactory<C, M> factory) {
        super(factory);
    }

    /** Features of the text sequence. */
    public B textDim(int textDim) {
        return set("textDim", textDim);
    }

    /** Features of the vision sequence. */
    public B visionDim(int visionDim) {
        return set("visionDim", visionDim);
    }

    public B heads(int heads) {
        return set("heads", heads);
    }
}
