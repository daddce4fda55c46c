package org.attn4j.nn;

import org.attn4j.Tensor;
import org.attn4j.internal.module.OptionsBuilder;

/**
 * Forward arguments of {@link MultiheadAttention}, with PyTorch's names, conventions and
 * defaults (nn.MultiheadAttention.forward): a boolean mask says true = masked (left out), a
 * float mask is added to the scores.
 *
 * @param keyPaddingMask     BOOL (true = padding, ignored) or float (added), [b, S] ([S] unbatched); null = none
 * @param attnMask           BOOL (true = masked) or float (added), [L, S] or [b·num_heads, L, S]; null = none
 * @param needWeights        also return the attention weights (PyTorch's default: true). Without
 *                           them the fused kernel runs in O(L + S) memory; with them [b, h, L, S] is materialised.
 * @param averageAttnWeights average the weights over heads ([b, L, S]) instead of [b, h, L, S]
 * @param isCausal           also hide keys after each query (as PyTorch's is_causal; may stand alone)
 * @param path               AUTO: fused unless weights are wanted
 */
@OptionsBuilder
public record MhaOptions(Tensor keyPaddingMask, Tensor attnMask, boolean needWeights, boolean averageAttnWeights,
                         boolean isCausal, AttentionPath path) {

    /** PyTorch's defaults: no masks, need_weights=True, average_attn_weights=True. */
    public static final MhaOptions DEFAULT = new MhaOptions(null, null, true, true, false, AttentionPath.AUTO);

    public MhaOptions {
        AttentionPath.check(path, needWeights, "needWeights", "the weights");
    }

    /** A builder starting from {@link #DEFAULT}. */
    public static MhaOptionsBuilder builder() {
        return new MhaOptionsBuilder(DEFAULT);
    }
}
