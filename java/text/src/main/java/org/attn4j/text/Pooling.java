package org.attn4j.text;

/** How a sentence embedding comes from the last hidden state [b, s, hidden]. */
public enum Pooling {
    /** Mean over the tokens the attention mask keeps (sentence-transformers' default, all-MiniLM's). */
    MEAN,
    /** The first token's ([CLS]) state. */
    CLS
}
