package org.attn4j.internal.io;

/**
 * The read position of a recursive-descent parser over a literal text, with the tokens its two
 * grammars here (JSON, Python literals) share: whitespace, one-character lookahead, keywords and
 * a nesting limit. Each parser says how an error reads and where ({@link #error}) and how the
 * character at the position is shown ({@link #describe}).
 */
abstract class TextCursor {
    final String text;
    /** The next unread character. */
    int pos;
    private final int maxDepth;
    private final String nested;
    private int depth;

    /** {@code nested} names what nests in messages, e.g. " arrays/objects" (or ""). */
    TextCursor(String text, int maxDepth, String nested) {
        this.text = text;
        this.maxDepth = maxDepth;
        this.nested = nested;
    }

    /** An exception for {@code what} went wrong, placed at {@link #pos}. */
    abstract RuntimeException error(String what);

    /** The character at {@link #pos} (or the end), as a message shows it. */
    abstract String describe();

    final void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** The next character, or 0xFFFF at the end (never a token start in either grammar). */
    final char peek() {
        return pos < text.length() ? text.charAt(pos) : '\uffff';
    }

    /** Consumes {@code c}, else throws "expected 'c' {context}, got ...". */
    final void expect(char c, String context) {
        if (peek() != c) {
            throw error("expected '" + c + "' " + context + ", got " + describe());
        }
        pos++;
    }

    /** Consumes the keyword {@code word} (true, None, ...) and gives its value. */
    final Object keyword(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("expected a value, got " + describe());
        }
        pos += word.length();
        return value;
    }

    /** Steps over an opening bracket, one level deeper; throws past the nesting limit. */
    final void open() {
        if (++depth > maxDepth) {
            throw error("nesting deeper than " + maxDepth + nested);
        }
        pos++;
    }

    /** Steps over the closing bracket of the innermost open level. */
    final void close() {
        pos++;
        depth--;
    }
}
