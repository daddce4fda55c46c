package org.attn4j.nn;

import java.lang.foreign.Arena;
import org.attn4j.internal.tensor.Shapes;
import org.attn4j.Tensor;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.check.SequenceInputs;

/**
 * The checked inputs of the single-head scoring modules (additive, Luong): queries [b, i,
 * querySize], keys [b, j, keySize], values [b, j, dv] as F32, and an optional BOOL key padding
 * mask [b, j] (true = attend).
 */
record QueryKeyValue(Tensor queries, Tensor keys, Tensor values, Tensor keyPaddingMask) {

    /** Checks every shape, dtype and lifetime; half-precision inputs become F32 copies in {@code arena}. */
    static QueryKeyValue check(Tensor queries, Tensor keys, Tensor values, Tensor keyPaddingMask, long querySize,
                               long keySize, Arena arena) {
        Tensor q = SequenceInputs.sequence("queries", queries, querySize, true, false, arena);
        Tensor k = SequenceInputs.sequence("keys", keys, keySize, true, false, arena);
        if (values == null || values.rank() != 3) {
            throw new IllegalArgumentException("values: expected shape [b, j, dv], got " + (values == null ? "null"
                    : Shapes.toString(values.shape())));
        }
        Tensor v = SequenceInputs.sequence("values", values, values.shape(2), true, false, arena);
        long b = q.shape(0);
        long j = k.shape(1);
        if (k.shape(0) != b || v.shape(0) != b || v.shape(1) != j) {
            throw new IllegalArgumentException("keys, values: expected [" + b + ", j, ·] with equal j (as queries "
                    + Shapes.toString(queries.shape()) + "), got " + Shapes.toString(keys.shape()) + " and "
                    + Shapes.toString(values.shape()));
        }
        Masks.keyPadding("keyPaddingMask", keyPaddingMask, b, j);
        return new QueryKeyValue(q, k, v, keyPaddingMask);
    }

    long b() {
        return queries.shape(0);
    }

    long i() {
        return queries.shape(1);
    }

    long j() {
        return keys.shape(1);
    }
}
