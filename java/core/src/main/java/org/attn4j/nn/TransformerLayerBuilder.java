package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.internal.module.Metadata;
import org.attn4j.internal.module.ModuleFiles;
import org.attn4j.internal.module.ParameterSource;

/**
 * The configuration of PyTorch's TransformerEncoderLayer and TransformerDecoderLayer (the same
 * constructor arguments, names and defaults: dim_feedforward 2048, dropout 0.1, relu, layer_norm_eps
 * 1e-5, batch_first false, norm_first false), and the three ways to build one.
 *
 * @param <B> the concrete builder
 * @param <M> the layer it builds
 */
public abstract class TransformerLayerBuilder<B extends TransformerLayerBuilder<B, M>, M> {
    int dModel;
    int nhead;
    int dimFeedforward = 2048;
    float dropout = 0.1f;
    Activation activation = Activation.RELU;
    float layerNormEps = 1e-5f;
    boolean batchFirst;
    boolean normFirst;

    TransformerLayerBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    public B dModel(int dModel) {
        this.dModel = dModel;
        return self();
    }

    public B nhead(int nhead) {
        this.nhead = nhead;
        return self();
    }

    public B dimFeedforward(int dimFeedforward) {
        this.dimFeedforward = dimFeedforward;
        return self();
    }

    /** Kept for weight compatibility; inference ignores it. */
    public B dropout(float dropout) {
        this.dropout = dropout;
        return self();
    }

    public B activation(Activation activation) {
        this.activation = activation;
        return self();
    }

    public B layerNormEps(float layerNormEps) {
        this.layerNormEps = layerNormEps;
        return self();
    }

    public B batchFirst(boolean batchFirst) {
        this.batchFirst = batchFirst;
        return self();
    }

    /** LayerNorm before each block (pre-norm) instead of after the residual add (post-norm). */
    public B normFirst(boolean normFirst) {
        this.normFirst = normFirst;
        return self();
    }

    abstract M create(ParameterSource source, Backend backend, Arena arena);

    /** Copies this configuration into {@code b} (layers keep a copy: a builder may change after build). */
    B copyTo(B b) {
        b.dModel = dModel;
        b.nhead = nhead;
        b.dimFeedforward = dimFeedforward;
        b.dropout = dropout;
        b.activation = activation;
        b.layerNormEps = layerNormEps;
        b.batchFirst = batchFirst;
        b.normFirst = normFirst;
        return b;
    }

    /** A fresh layer initialised as PyTorch initialises one, from {@code seed}. */
    public M build(Backend backend, long seed) {
        validate();
        return ModuleFiles.fresh(seed, (source, arena) -> create(source, backend, arena));
    }

    /** A fresh layer on the default backend. */
    public M build(long seed) {
        return build(Backends.defaultBackend(), seed);
    }

    /** A layer over a PyTorch state dict (F32 contiguous tensors used in place: keep their arena alive). */
    public M build(Backend backend, Map<String, Tensor> stateDict) {
        validate();
        return ModuleFiles.fromStateDict(stateDict, (source, arena) -> create(source, backend, arena));
    }

    void validate() {
        MultiheadAttention.Builder.positive("d_model", dModel);
        MultiheadAttention.Builder.positive("nhead", nhead);
        MultiheadAttention.Builder.positive("dim_feedforward", dimFeedforward);
        if (dModel % nhead != 0) {
            throw new IllegalArgumentException("d_model: expected a multiple of nhead (" + nhead + "), got " + dModel);
        }
        if (activation == null) {
            throw new IllegalArgumentException("activation must not be null");
        }
        if (!(layerNormEps >= 0) || !Float.isFinite(layerNormEps)) {
            throw new IllegalArgumentException("layer_norm_eps: expected a finite value >= 0, got " + layerNormEps);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException("dropout: expected in [0, 1], got " + dropout);
        }
    }

    B read(Metadata meta) {
        dModel = meta.integer("d_model", null);
        nhead = meta.integer("nhead", null);
        dimFeedforward = meta.integer("dim_feedforward", 2048);
        dropout = (float) meta.number("dropout", 0.1);
        activation = Activation.of(meta.string("activation", "relu"));
        layerNormEps = (float) meta.number("layer_norm_eps", 1e-5);
        batchFirst = meta.bool("batch_first", false);
        normFirst = meta.bool("norm_first", false);
        validate();
        return self();
    }

    /** The constructor arguments as safetensors metadata (JSON-encoded values) plus "class". */
    Map<String, String> metadata(String className) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("d_model", Integer.toString(dModel));
        m.put("nhead", Integer.toString(nhead));
        m.put("dim_feedforward", Integer.toString(dimFeedforward));
        m.put("dropout", Float.toString(dropout));
        m.put("activation", "\"" + activation.torchName() + "\"");
        m.put("layer_norm_eps", Float.toString(layerNormEps));
        m.put("batch_first", Boolean.toString(batchFirst));
        m.put("norm_first", Boolean.toString(normFirst));
        m.put("class", className);
        return m;
    }

    String describe(String className) {
        return className + "(d_model=" + dModel + ", nhead=" + nhead + ", dim_feedforward=" + dimFeedforward
                + ", activation=" + activation.torchName() + ", layer_norm_eps=" + layerNormEps + ", batch_first="
                + batchFirst + ", norm_first=" + normFirst + ")";
    }
}
