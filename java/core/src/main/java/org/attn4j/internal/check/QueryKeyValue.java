package org.attn4j.internal.check;

import java.lang.foreign.Arena;
import org.attn4j.Tensor;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.tensor.Shapes;

/**
 * The checked inputs of the single-head scoring modules (additive, Luong): queries [b, i,
 * querySize], keys [b, j, keySize], values [b, j, dv] as F32, and an optional BOOL key padding
 * mask [b, j] (true = attend).
 */
public record QueryKeyValue(Tensor queries, Tensor keys, Tensor values, Tensor keyPaddingMask)
        implements AttentionInputs {

    /** Checks every shape, dtype and lifetime; half-precision inputs become F32 copies in {@code arena}. */
    public static QueryKeyValue check(Tensor queries, Tensor keys, Tensor values, Tensor keyPaddingMask, long querySize,
                               long keySize, Arena arena) {
        Tensor q = SequenceInputs.sequence("queries", queries, querySize, true, false, arena);
        Tensor k = SequenceInputs.sequence("keys", keys, keySize, true, false, arena);
        if (values == null || values.rank() != 3) {
            throw new IllegalArgumentException("values: expected shape [b, j, dv], got " + (values == null ? "null"
                    : Shapes.toString(values.shape())));
        }
        Tensor v = SequenceInputs.sequence("values", values, values.shape(2), true, false, arena);
        SequenceInputs.keysAndValues("keys, values", q, k, v, keys, values);
        Masks.sequenceMask("keyPaddingMask", keyPaddingMask, q.shape(0), k.shape(1));
        return new QueryKeyValue(q, k, v, keyPaddingMask);
    }

    @Override
    public Tensor querySequence() {
        return queries;
    }

    @Override
    public Tensor keySequence() {
        return keys;
    }
}
