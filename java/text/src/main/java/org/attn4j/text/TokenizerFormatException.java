package org.attn4j.text;

/** A tokenizer.json that is malformed or of a kind this tokenizer does not implement; the message names the field. */
public final class TokenizerFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public TokenizerFormatException(String message) {
        super(message);
    }

    public TokenizerFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
