package org.attn4j.nn;

import org.attn4j.internal.check.Checks;
import org.attn4j.internal.module.Default;

/**
 * The configuration of PyTorch's TransformerEncoderLayer and TransformerDecoderLayer: the same
 * constructor arguments, names, defaults and order, as their model files' {@code __metadata__}
 * holds them.
 *
 * @param dModel         features of the sequences (required)
 * @param nhead          heads; dModel is a multiple of it (required)
 * @param dimFeedforward the feed-forward's inner width (2048)
 * @param dropout        kept for weight compatibility; inference ignores it (0.1)
 * @param activation     the feed-forward's activation (relu)
 * @param layerNormEps   eps of every LayerNorm (1e-5)
 * @param batchFirst     inputs [b, n, d] instead of [n, b, d] (false)
 * @param normFirst      LayerNorm before each block (pre-norm) instead of after the residual add (false)
 */
public record TransformerLayerConfig(int dModel, int nhead, @Default("2048") int dimFeedforward,
                                     @Default("0.1") float dropout, @Default("relu") Activation activation,
                                     @Default("1e-5") float layerNormEps, @Default("false") boolean batchFirst,
                                     @Default("false") boolean normFirst) {
    public TransformerLayerConfig {
        Checks.positive("d_model, nhead, dim_feedforward", dModel, nhead, dimFeedforward);
        Checks.multipleOf("d_model", dModel, "nhead", nhead);
        if (activation == null) {
            throw new IllegalArgumentException("activation must not be null");
        }
        if (!(layerNormEps >= 0) || !Float.isFinite(layerNormEps)) {
            throw new IllegalArgumentException("layer_norm_eps: expected a finite value >= 0, got " + layerNormEps);
        }
        Checks.probability("dropout", dropout);
    }
}
