package org.attn4j.internal.io;

/**
 * Malformed JSON text: the message says what was expected, what was found and where (line,
 * column and character offset). Unchecked because JSON usually comes from a String in code;
 * the file readers wrap it into their own {@link java.io.IOException} subclasses.
 */
public final class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int position;

    public JsonException(String message, int position) {
        super(message);
        this.position = position;
    }

    /** Character offset (0-based) in the parsed text where the problem was found. */
    public int position() {
        return position;
    }
}
