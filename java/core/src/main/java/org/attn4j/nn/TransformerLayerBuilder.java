package org.attn4j.nn;

/**
 * The builder of PyTorch's TransformerEncoderLayer and TransformerDecoderLayer: setters for
 * {@link TransformerLayerConfig} with PyTorch's names and defaults (dim_feedforward 2048, dropout
 * 0.1, relu, layer_norm_eps 1e-5, batch_first false, norm_first false).
 *
 * @param <B> the concrete builder
 * @param <M> the layer it builds
 */
public abstract class TransformerLayerBuilder<B extends TransformerLayerBuilder<B, M>, M extends Module>
        extends ModuleBuilder<TransformerLayerConfig, M, B> {
    TransformerLayerBuilder(ModuleFactory<TransformerLayerConfig, M> factory) {
        super(factory);
    }

    public B dModel(int dModel) {
        return set("dModel", dModel);
    }

    public B nhead(int nhead) {
        return set("nhead", nhead);
    }

    public B dimFeedforward(int dimFeedforward) {
        return set("dimFeedforward", dimFeedforward);
    }

    /** Kept for weight compatibility; inference ignores it. */
    public B dropout(float dropout) {
        return set("dropout", dropout);
    }

    public B activation(Activation activation) {
        return set("activation", activation);
    }

    public B layerNormEps(float layerNormEps) {
        return set("layerNormEps", layerNormEps);
    }

    public B batchFirst(boolean batchFirst) {
        return set("batchFirst", batchFirst);
    }

    /** LayerNorm before each block (pre-norm) instead of after the residual add (post-norm). */
    public B normFirst(boolean normFirst) {
        return set("normFirst", normFirst);
    }
}
