package org.attn4j.nn;

import org.attn4j.Tensor;

/**
 * The setters that the options builders of single-sequence attention share
 * ({@link SdpaOptions.Builder}, {@link MhaOptions.Builder}): the attention mask, the key padding
 * mask, whether the weights are wanted and the path. What each mask means (true = attend or true
 * = masked) is the options record's convention.
 *
 * @param <B> the concrete builder (setters return it)
 */
public abstract class AttentionOptionsBuilder<B extends AttentionOptionsBuilder<B>> {
    Tensor attnMask;
    Tensor keyPaddingMask;
    boolean needWeights;
    AttentionPath path = AttentionPath.AUTO;

    AttentionOptionsBuilder(boolean needWeights) {
        this.needWeights = needWeights;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    public B attnMask(Tensor attnMask) {
        this.attnMask = attnMask;
        return self();
    }

    public B keyPaddingMask(Tensor keyPaddingMask) {
        this.keyPaddingMask = keyPaddingMask;
        return self();
    }

    public B needWeights(boolean needWeights) {
        this.needWeights = needWeights;
        return self();
    }

    public B path(AttentionPath path) {
        this.path = path;
        return self();
    }
}
