package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.QueryKeyValue;
import org.attn4j.internal.layer.Attend;
import org.attn4j.internal.module.Scratch;
import org.attn4j.internal.module.TensorAllocator;

/**
 * A single-head attention module defined by its score function ({@link AdditiveAttention},
 * {@link LuongAttention}): scores [b, i, j] = score(queries, keys), softmax over the visible
 * keys, weights · values. Always returns the weights.
 *
 * @param <C> the configuration record, which gives the widths of queries and keys
 */
public abstract class ScoringAttention<C extends Record & ScoringAttention.Widths> extends ConfiguredModule<C> {
    ScoringAttention(C config, Backend backend, Arena weights) {
        super(config, backend, weights);
    }

    /** Writes the module's scores [b, i, j] of the checked queries and keys (values are not read). */
    abstract void scores(Scratch scratch, QueryKeyValue in, Tensor scores);

    /**
     * queries [b, i, querySize], keys [b, j, keySize], values [b, j, dv] → output [b, i, dv] and
     * weights [b, i, j], both from {@code allocator}.
     *
     * @param keyPaddingMask BOOL [b, j], true = attend (false marks padding); null = none
     */
    public AttentionOutput forward(SegmentAllocator allocator, Tensor queries, Tensor keys, Tensor values,
                                   Tensor keyPaddingMask) {
        TensorAllocator out = TensorAllocator.of(allocator);
        return call(scratch -> {
            QueryKeyValue in = QueryKeyValue.check(queries, keys, values, keyPaddingMask, config.querySize(), config.keySize(),
                    scratch.arena());
            Tensor scores = scratch.allocate(in.b(), in.i(), in.j());
            scores(scratch, in, scores);
            return Attend.weighValues(backend, out, scores, in);
        });
    }

    /** The widths a configuration gives (its record components of these names). */
    public interface Widths {
        int querySize();

        int keySize();
    }
}
