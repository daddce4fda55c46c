package org.attn4j.internal.io;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The read position of a recursive-descent parser over a literal text, with what its two
 * grammars here (JSON, Python literals) share: whitespace, one-character lookahead, keywords,
 * numbers' first character, "key: value" entries with their duplicate-key rule, and a nesting
 * limit. Each parser says how an error reads and where ({@link #error}), how the character at the
 * position and a key are shown ({@link #describe}, {@link #show}) and what a repeated key raises.
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

    /** A key as a message shows it ("a" in JSON, 'a' in Python). */
    abstract String show(String key);

    /** The error for a key that a mapping already holds, found at {@code offset}. */
    abstract RuntimeException duplicateKey(String key, int offset);

    /** The character a value starts with, at {@link #pos}; "expected a value, got end of {end}" past the end. */
    final char valueStart(String end) {
        if (pos >= text.length()) {
            throw error("expected a value, got end of " + end);
        }
        return text.charAt(pos);
    }

    /** The number at {@link #pos} (a sign or a digit starts one), read by {@code number}; else no value. */
    final Object numberOr(Supplier<Object> number) {
        char c = peek();
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number.get();
        }
        throw error("expected a value, got " + describe());
    }

    /**
     * One "key: value" entry of a mapping into {@code map}, its key starting at {@link #pos}: the
     * key, ':' between optional whitespace ("expected ':' after {keyKind} {key}" without it), the
     * value; a key {@code map} already holds fails as {@link #duplicateKey}.
     */
    final void entry(Map<String, Object> map, String keyKind, Supplier<String> key, Supplier<Object> value) {
        int keyPos = pos;
        String k = key.get();
        skipWhitespace();
        expect(':', "after " + keyKind + " " + show(k));
        skipWhitespace();
        Object v = value.get();
        if (map.containsKey(k)) {
            throw duplicateKey(k, keyPos);
        }
        map.put(k, v);
    }

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
