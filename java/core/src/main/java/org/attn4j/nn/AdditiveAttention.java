package org.attn4j.nn;

import java.lang.foreign.Arena;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.check.QueryKeyValue;
import org.attn4j.internal.layer.Linear;
import org.attn4j.internal.module.Init;
import org.attn4j.internal.module.Parameter;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.Scratch;

/**
 * Additive (Bahdanau) attention: score(q, k) = w_vᵀ tanh(W_q q + W_k k), softmax over the keys,
 * weights · values. Parameters by the names of the d2l.ai PyTorch module: {@code W_q.weight}
 * [hidden, querySize], {@code W_k.weight} [hidden, keySize], {@code w_v.weight} [1, hidden], no
 * biases. Keys masked out (or a query with every key masked) follow SDPA's convention: a query
 * that sees no key gets NaN. Always returns the weights. Thread-safe; owns its weights.
 */
public final class AdditiveAttention extends ScoringAttention<AdditiveAttention.Config> {
    /**
     * The configuration, as model files' {@code __metadata__} holds it (all required).
     *
     * @param querySize  features of the queries
     * @param keySize    features of the keys
     * @param numHiddens width of the tanh layer
     */
    public record Config(int querySize, int keySize, int numHiddens) implements ScoringAttention.Widths {
        public Config {
            Checks.positive("query_size, key_size, num_hiddens", querySize, keySize, numHiddens);
        }
    }

    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "AdditiveAttention";

    private final Linear wq; // querySize → hidden
    private final Linear wk; // keySize → hidden
    private final Parameter wv; // [1, hidden]

    AdditiveAttention(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights);
        this.wk = new Linear(source, "W_k", config.keySize, config.numHiddens, false);
        this.wq = new Linear(source, "W_q", config.querySize, config.numHiddens, false);
        this.wv = source.get("w_v.weight", new long[] {1, config.numHiddens}, Init.uniformFanIn(config.numHiddens));
    }

    @Override
    void scores(Scratch scratch, QueryKeyValue in, Tensor scores) {
        // [b, i, j] = w_vᵀ tanh(W_q q + W_k k)
        backend.additiveScores(wq.forward(backend, scratch, in.queries()), wk.forward(backend, scratch, in.keys()),
                wv.get().reshape(config.numHiddens), scores);
    }

    public static AdditiveAttentionBuilder builder() {
        return new AdditiveAttentionBuilder();
    }
}
