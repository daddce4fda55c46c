package org.attn4j.internal.check;

import java.lang.foreign.Arena;
import org.attn4j.Tensor;

/**
 * The checked inputs of a module where x [b, i, dim] attends to context [b, j, contextDim], or to
 * itself when context is null (then contextDim must be dim): both F32, batch first, one batch.
 */
public record ContextInputs(Tensor x, Tensor context) implements AttentionInputs {

    public static ContextInputs check(Tensor x, Tensor context, int dim, int contextDim, Arena arena) {
        Tensor xs = SequenceInputs.sequence("x", x, dim, true, false, arena);
        return new ContextInputs(xs, SequenceInputs.context(context, xs, contextDim, arena));
    }

    @Override
    public Tensor querySequence() {
        return x;
    }

    @Override
    public Tensor keySequence() {
        return context;
    }
}
