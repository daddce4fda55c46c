package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.util.Locale;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.Checks;
import org.attn4j.internal.check.QueryKeyValue;
import org.attn4j.internal.layer.Linear;
import org.attn4j.internal.module.Default;
import org.attn4j.internal.module.Init;
import org.attn4j.internal.module.Parameter;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.Scratch;

/**
 * Luong's attention scores (Luong, Pham &amp; Manning 2015), softmax over the keys, weights ·
 * values, with the parameter names of the PyTorch chatbot tutorial's {@code Attn} module:
 * <ul>
 *   <li>{@code dot}: score(q, k) = qᵀ k (querySize = keySize; no parameters);</li>
 *   <li>{@code general}: score(q, k) = qᵀ (W k + b) with {@code attn = nn.Linear(key_size,
 *       query_size)}: {@code attn.weight} [querySize, keySize], {@code attn.bias} [querySize] when
 *       bias (qᵀ b is the same for every key of a query, so it moves scores, not weights);</li>
 *   <li>{@code concat}: score(q, k) = vᵀ tanh(W [q; k] + b) with {@code attn = nn.Linear(query_size
 *       + key_size, hidden_size)} and {@code v} [hiddenSize]; computed as the additive score of
 *       W[:, :querySize] q + b and W[:, querySize:] k, never forming the [i, j] pairs.</li>
 * </ul>
 * Masked keys (and a query with every key masked) follow SDPA's convention: a query that sees no
 * key gets NaN. Always returns the weights. Thread-safe; owns its weights.
 */
public final class LuongAttention extends ScoringAttention<LuongAttention.Config> {
    /** Luong's three score functions, by the names of the paper and the PyTorch tutorial. */
    public enum Score {
        DOT, GENERAL, CONCAT;

        /** "dot", "general" or "concat". */
        public String torchName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The configuration, as model files' {@code __metadata__} holds it.
     *
     * @param method     the score function (required)
     * @param querySize  features of the queries (required)
     * @param keySize    features of the keys (required; = querySize for dot)
     * @param hiddenSize the width of concat's tanh layer (required for concat; null otherwise)
     * @param bias       whether {@code attn} has a bias (false; null for dot, which has no {@code attn})
     */
    public record Config(Score method, int querySize, int keySize, Integer hiddenSize, @Default("false") Boolean bias)
            implements ScoringAttention.Widths {
        public Config {
            Checks.required(method, "method must not be null (dot, general or concat)");
            Checks.positive("query_size, key_size", querySize, keySize);
            if (method == Score.DOT && querySize != keySize) {
                throw new IllegalArgumentException("key_size: expected " + querySize
                        + " (dot scores need query_size = key_size), got " + keySize);
            }
            if (method == Score.CONCAT) {
                Checks.positive("hidden_size", hiddenSize == null ? 0 : hiddenSize);
            } else {
                hiddenSize = null; // only concat has a tanh layer
            }
            bias = method == Score.DOT ? null : Boolean.TRUE.equals(bias);
        }
    }

    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "LuongAttention";

    private final Linear attn;    // general: keySize → querySize; concat: querySize + keySize → hidden; dot: null
    private final Parameter v;    // concat: [hidden]; else null

    LuongAttention(Config config, ParameterSource source, Backend backend, Arena weights) {
        super(config, backend, weights);
        boolean bias = Boolean.TRUE.equals(config.bias);
        this.attn = switch (config.method) {
            case DOT -> null;
            case GENERAL -> new Linear(source, "attn", config.keySize, config.querySize, bias);
            case CONCAT -> new Linear(source, "attn", config.querySize + config.keySize, config.hiddenSize, bias);
        };
        // The tutorial leaves v uninitialised (torch.FloatTensor); a fresh module draws it as a Linear's weight.
        this.v = config.method == Score.CONCAT
                ? source.get("v", new long[] {config.hiddenSize}, Init.uniformFanIn(config.hiddenSize)) : null;
    }

    @Override
    void scores(Scratch scratch, QueryKeyValue in, Tensor scores) {
        switch (config.method) {
            case DOT -> backend.matmul(in.queries(), false, in.keys(), true, 1f, scores);
            case GENERAL -> backend.matmul(in.queries(), false, attn.forward(backend, scratch, in.keys()), true, 1f, scores);
            case CONCAT -> {
                // W [q; k] + b = (W[:, :querySize] q + b) + W[:, querySize:] k: two [·, hidden] projections
                Tensor wq = attn.weight.get().slice(1, 0, config.querySize);          // [hidden, querySize], row stride q + k
                Tensor wk = attn.weight.get().slice(1, config.querySize, config.querySize + config.keySize);
                Tensor q = scratch.allocate(in.b(), in.i(), config.hiddenSize);
                Tensor k = scratch.allocate(in.b(), in.j(), config.hiddenSize);
                backend.linear(in.queries(), wq, Parameter.read(attn.bias), q);
                backend.linear(in.keys(), wk, null, k);
                backend.additiveScores(q, k, v.get(), scores);
            }
        }
    }

    public static LuongAttentionBuilder builder() {
        return new LuongAttentionBuilder();
    }
}
