package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
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
public final class LuongAttention extends Module {
    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "LuongAttention";

    /** Luong's three score functions, by the names of the paper and the PyTorch tutorial. */
    public enum Score {
        DOT, GENERAL, CONCAT;

        /** "dot", "general" or "concat". */
        public String torchName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Score of(String name) {
            for (Score s : values()) {
                if (s.torchName().equals(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("method: expected dot, general or concat, got " + name);
        }
    }

    private final Score score;
    private final int querySize;
    private final int keySize;
    private final int hiddenSize; // concat only, else 0
    private final boolean bias;
    private final Linear attn;    // general: keySize → querySize; concat: querySize + keySize → hidden; dot: null
    private final Parameter v;    // concat: [hidden]; else null

    private LuongAttention(Score score, int querySize, int keySize, int hiddenSize, boolean bias, ParameterSource source,
                           Backend backend, Arena weights) {
        super(backend, weights);
        if (score == null) {
            throw new IllegalArgumentException("method must not be null (dot, general or concat)");
        }
        MultiheadAttention.Builder.positive("query_size", querySize);
        MultiheadAttention.Builder.positive("key_size", keySize);
        if (score == Score.DOT && querySize != keySize) {
            throw new IllegalArgumentException("key_size: expected " + querySize + " (dot scores need query_size = key_size), got "
                    + keySize);
        }
        if (score == Score.CONCAT) {
            MultiheadAttention.Builder.positive("hidden_size", hiddenSize);
        }
        this.score = score;
        this.querySize = querySize;
        this.keySize = keySize;
        this.hiddenSize = score == Score.CONCAT ? hiddenSize : 0;
        this.bias = score != Score.DOT && bias;
        this.attn = switch (score) {
            case DOT -> null;
            case GENERAL -> new Linear(source, "attn", keySize, querySize, this.bias);
            case CONCAT -> new Linear(source, "attn", querySize + keySize, hiddenSize, this.bias);
        };
        // The tutorial leaves v uninitialised (torch.FloatTensor); a fresh module draws it as a Linear's weight.
        this.v = score == Score.CONCAT ? source.get("v", new long[] {hiddenSize}, Init.uniformFanIn(hiddenSize)) : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a state dict from a safetensors file configured by its {@code __metadata__}. */
    public static LuongAttention load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, CLASS_NAME, (meta, source, arena) -> {
            Score s = Score.of(meta.string("method", null));
            return new LuongAttention(s, meta.integer("query_size", null), meta.integer("key_size", null),
                    s == Score.CONCAT ? meta.integer("hidden_size", null) : 0, meta.bool("bias", false), source, backend, arena);
        });
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
            Tensor scores = scratch.allocate(in.b(), in.i(), in.j()); // [b, i, j]
            switch (score) {
                case DOT -> backend.matmul(in.queries(), false, in.keys(), true, 1f, scores);
                case GENERAL -> backend.matmul(in.queries(), false, attn.forward(backend, scratch, in.keys()), true, 1f, scores);
                case CONCAT -> {
                    // W [q; k] + b = (W[:, :querySize] q + b) + W[:, querySize:] k: two [·, hidden] projections
                    Tensor wq = attn.weight.get().slice(1, 0, querySize);          // [hidden, querySize], row stride q + k
                    Tensor wk = attn.weight.get().slice(1, querySize, querySize + keySize);
                    Tensor q = scratch.allocate(in.b(), in.i(), hiddenSize);
                    Tensor k = scratch.allocate(in.b(), in.j(), hiddenSize);
                    backend.linear(in.queries(), wq, Parameter.read(attn.bias), q);
                    backend.linear(in.keys(), wk, null, k);
                    backend.additiveScores(q, k, v.get(), scores);
                }
            }
            TensorAllocator out = TensorAllocator.of(allocator);
            Tensor weights = out.allocate(in.b(), in.i(), in.j());
            backend.sdpaSoftmax(scores.unsqueeze(1), null, null, in.keyPaddingMask(), null, -1, -1, weights.unsqueeze(1));
            Tensor output = out.allocate(in.b(), in.i(), in.values().shape(2));
            backend.matmul(weights, false, in.values(), false, 1f, output);
            return new AttentionOutput(output, weights);
        });
    }

    /** The score function. */
    public Score score() {
        return score;
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("method", "\"" + score.torchName() + "\"");
        m.put("query_size", Integer.toString(querySize));
        m.put("key_size", Integer.toString(keySize));
        if (score == Score.CONCAT) {
            m.put("hidden_size", Integer.toString(hiddenSize));
        }
        if (score != Score.DOT) {
            m.put("bias", Boolean.toString(bias));
        }
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + "(method=" + score.torchName() + ", query_size=" + querySize + ", key_size=" + keySize
                + (score == Score.CONCAT ? ", hidden_size=" + hiddenSize : "") + (score != Score.DOT ? ", bias=" + bias : "")
                + ")";
    }

    /** Configuration: method, querySize and keySize (required), hiddenSize (concat), bias (default false). */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        private Score score;
        private int querySize;
        private int keySize;
        private int hiddenSize;
        private boolean bias;

        public Builder score(Score score) {
            this.score = score;
            return this;
        }

        public Builder querySize(int querySize) {
            this.querySize = querySize;
            return this;
        }

        public Builder keySize(int keySize) {
            this.keySize = keySize;
            return this;
        }

        /** The width of the tanh layer of concat scores. */
        public Builder hiddenSize(int hiddenSize) {
            this.hiddenSize = hiddenSize;
            return this;
        }

        /** Whether {@code attn} (general, concat) has a bias, as the PyTorch tutorial's nn.Linear does. */
        public Builder bias(boolean bias) {
            this.bias = bias;
            return this;
        }

        public LuongAttention build(Backend backend, long seed) {
            return ModuleFiles.fresh(seed, (source, arena) -> new LuongAttention(score, querySize, keySize, hiddenSize, bias,
                    source, backend, arena));
        }

        public LuongAttention build(long seed) {
            return build(Backends.defaultBackend(), seed);
        }

        public LuongAttention build(Backend backend, Map<String, Tensor> stateDict) {
            return ModuleFiles.fromStateDict(stateDict, (source, arena) -> new LuongAttention(score, querySize, keySize,
                    hiddenSize, bias, source, backend, arena));
        }
    }
}
