package org.attn4j.internal.check;

import org.attn4j.Tensor;

/** Checked inputs where queries [b, i, ·] attend to keys [b, j, ·], batch first, one batch. */
public interface AttentionInputs {
    /** The sequence the queries come from, [b, i, ·]. */
    Tensor querySequence();

    /** The sequence the keys come from, [b, j, ·]. */
    Tensor keySequence();

    default long b() {
        return querySequence().shape(0);
    }

    /** Queries: the length of their sequence. */
    default long i() {
        return querySequence().shape(1);
    }

    /** Keys: the length of their sequence. */
    default long j() {
        return keySequence().shape(1);
    }
}
