package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.internal.layer.Linear;
import org.attn4j.internal.module.Init;
import org.attn4j.internal.module.ModuleFiles;
import org.attn4j.internal.module.Parameter;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.TensorAllocator;

/**
 * Additive (Bahdanau) attention: score(q, k) = w_vᵀ tanh(W_q q + W_k k), softmax over the keys,
 * weights · values. Parameters by the names of the d2l.ai PyTorch module: {@code W_q.weight}
 * [hidden, querySize], {@code W_k.weight} [hidden, keySize], {@code w_v.weight} [1, hidden], no
 * biases. Keys masked out (or a query with every key masked) follow SDPA's convention: a query
 * that sees no key gets NaN. Always returns the weights. Thread-safe; owns its weights.
 */
public final class AdditiveAttention extends Module {
    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "AdditiveAttention";

    private final int querySize;
    private final int keySize;
    private final int numHiddens;
    private final Linear wq; // querySize → hidden
    private final Linear wk; // keySize → hidden
    private final Parameter wv; // [1, hidden]

    private AdditiveAttention(int querySize, int keySize, int numHiddens, ParameterSource source, Backend backend,
                              Arena weights) {
        super(backend, weights);
        MultiheadAttention.Builder.positive("query_size", querySize);
        MultiheadAttention.Builder.positive("key_size", keySize);
        MultiheadAttention.Builder.positive("num_hiddens", numHiddens);
        this.querySize = querySize;
        this.keySize = keySize;
        this.numHiddens = numHiddens;
        this.wk = new Linear(source, "W_k", keySize, numHiddens, false);
        this.wq = new Linear(source, "W_q", querySize, numHiddens, false);
        this.wv = source.get("w_v.weight", new long[] {1, numHiddens}, Init.uniformFanIn(numHiddens));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a state dict from a safetensors file configured by its {@code __metadata__}. */
    public static AdditiveAttention load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, CLASS_NAME, (meta, source, arena) -> new AdditiveAttention(
                meta.integer("query_size", null), meta.integer("key_size", null), meta.integer("num_hiddens", null), source,
                backend, arena));
    }

    /**
     * queries [b, i, querySize], keys [b, j, keySize], values [b, j, dv] → output [b, i, dv] and
     * weights [b, i, j], both from {@code allocator}.
     *
     * @param keyPaddingMask BOOL [b, j], true = attend (false marks padding); null = none
     */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor queries, Tensor keys, Tensor values,
                                   Tensor keyPaddingMask) {
        return call(scratch -> {
            if (allocator == null) {
                throw new IllegalArgumentException("allocator must not be null");
            }
            QueryKeyValue in = QueryKeyValue.check(queries, keys, values, keyPaddingMask, querySize, keySize, scratch.arena());
            // scores [b, i, j] = w_vᵀ tanh(W_q q + W_k k), then the masked softmax over j and weights · values
            Tensor scores = scratch.allocate(in.b(), in.i(), in.j());
            backend.additiveScores(wq.forward(backend, scratch, in.queries()), wk.forward(backend, scratch, in.keys()),
                    wv.get().reshape(numHiddens), scores);
            TensorAllocator out = TensorAllocator.of(allocator);
            Tensor weights = out.allocate(in.b(), in.i(), in.j());
            backend.sdpaSoftmax(scores.unsqueeze(1), null, null, in.keyPaddingMask(), null, -1, -1, weights.unsqueeze(1));
            Tensor output = out.allocate(in.b(), in.i(), in.values().shape(2));
            backend.matmul(weights, false, in.values(), false, 1f, output);
            return new AttentionOutput(output, weights);
        });
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("query_size", Integer.toString(querySize));
        m.put("key_size", Integer.toString(keySize));
        m.put("num_hiddens", Integer.toString(numHiddens));
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + "(query_size=" + querySize + ", key_size=" + keySize + ", num_hiddens=" + numHiddens + ")";
    }

    /** Configuration: querySize, keySize and numHiddens (all required). */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        private int querySize;
        private int keySize;
        private int numHiddens;

        public Builder querySize(int querySize) {
            this.querySize = querySize;
            return this;
        }

        public Builder keySize(int keySize) {
            this.keySize = keySize;
            return this;
        }

        public Builder numHiddens(int numHiddens) {
            this.numHiddens = numHiddens;
            return this;
        }

        public AdditiveAttention build(Backend backend, long seed) {
            return ModuleFiles.fresh(seed, (source, arena) -> new AdditiveAttention(querySize, keySize, numHiddens, source,
                    backend, arena));
        }

        public AdditiveAttention build(long seed) {
            return build(Backends.defaultBackend(), seed);
        }

        public AdditiveAttention build(Backend backend, Map<String, Tensor> stateDict) {
            return ModuleFiles.fromStateDict(stateDict, (source, arena) -> new AdditiveAttention(querySize, keySize,
                    numHiddens, source, backend, arena));
        }
    }
}
