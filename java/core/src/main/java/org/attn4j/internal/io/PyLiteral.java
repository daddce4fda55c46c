package org.attn4j.internal.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser for the subset of Python literals that .npy headers are made of (what
 * numpy's {@code ast.literal_eval} sees): dicts with string keys (a repeated key is an error),
 * tuples, lists, single- or double-quoted strings (escapes \\ \' \" only), decimal integers
 * (a trailing L from Python 2 writers is accepted), True, False and None. Values map to
 * LinkedHashMap, {@link Tuple}, List, String, Long, Boolean and {@link #NONE}. Nesting is
 * limited so hostile headers cannot exhaust the stack.
 */
public final class PyLiteral extends TextCursor {
    /** Python's None (a Java null would be ambiguous in map lookups). */
    public static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** A Python tuple, kept apart from lists so that a shape written as a list is rejected. */
    public record Tuple(List<Object> items) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("(");
            for (int k = 0; k < items.size(); k++) {
                sb.append(k == 0 ? "" : ", ").append(repr(items.get(k)));
            }
            return sb.append(items.size() == 1 ? ",)" : ")").toString();
        }
    }

    /** Malformed literal: the message says what and where (character offset). */
    public static final class SyntaxException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message) {
            super(message);
        }
    }

    public static final int MAX_DEPTH = 32;

    private PyLiteral(String text) {
        super(text, MAX_DEPTH, "");
    }

    /** Parses one literal, surrounded by optional whitespace (numpy pads headers with spaces and a newline). */
    public static Object parse(String text) {
        PyLiteral p = new PyLiteral(text);
        p.skipWhitespace();
        Object value = p.value();
        p.skipWhitespace();
        if (p.pos < text.length()) {
            throw p.error("expected end of header after the literal, got " + p.describe());
        }
        return value;
    }

    /** Python's repr of a parsed value, for messages. */
    public static String repr(Object value) {
        if (value instanceof String s) {
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return String.valueOf(value);
    }

    private Object value() {
        return switch (valueStart("header")) {
            case '{' -> dict();
            case '(' -> tuple();
            case '[' -> list();
            case '\'', '"' -> string();
            case 'T' -> keyword("True", Boolean.TRUE);
            case 'F' -> keyword("False", Boolean.FALSE);
            case 'N' -> keyword("None", NONE);
            default -> numberOr(this::integer);
        };
    }

    private Map<String, Object> dict() {
        Map<String, Object> map = new LinkedHashMap<>();
        sequence('}', "after a dict entry", () -> {
            if (peek() != '\'' && peek() != '"') {
                throw error("expected a string key or '}', got " + describe());
            }
            entry(map, "key", this::string, this::value);
        });
        return map;
    }

    private Object tuple() {
        List<Object> items = new ArrayList<>();
        int commas = sequence(')', "in a tuple", () -> items.add(value()));
        // Python: "(3)" is the int 3, "(3,)" and "()" are tuples.
        return items.size() == 1 && commas == 0 ? items.get(0) : new Tuple(List.copyOf(items));
    }

    private List<Object> list() {
        List<Object> items = new ArrayList<>();
        sequence(']', "in a list", () -> items.add(value()));
        return items;
    }

    /**
     * Reads {@code item}s separated by commas from the opening bracket at {@link #pos} through
     * {@code closing}; Python allows a comma after the last one. Returns how many commas it read.
     */
    private int sequence(char closing, String context, Runnable item) {
        open();
        int commas = 0;
        while (true) {
            skipWhitespace();
            if (peek() == closing) {
                close();
                return commas;
            }
            item.run();
            skipWhitespace();
            if (peek() == ',') {
                pos++;
                commas++;
            } else if (peek() != closing) {
                throw error("expected ',' or '" + closing + "' " + context + ", got " + describe());
            }
        }
    }

    private String string() {
        int start = pos;
        char quote = text.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new SyntaxException("unterminated string starting at offset " + start);
            }
            char c = text.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\n' || c == '\r') {
                throw new SyntaxException("line break inside the string starting at offset " + start);
            }
            if (c == '\\') {
                char e = pos < text.length() ? text.charAt(pos++) : '\0';
                if (e != '\\' && e != '\'' && e != '"') {
                    throw new SyntaxException("unsupported escape in the string starting at offset " + start);
                }
                sb.append(e);
            } else {
                sb.append(c);
            }
        }
    }

    private Long integer() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        int digits = pos;
        while (peek() >= '0' && peek() <= '9') {
            pos++;
        }
        if (pos == digits) {
            throw error("expected a digit, got " + describe());
        }
        String literal = text.substring(start, pos);
        if (text.charAt(digits) == '0' && pos - digits > 1) {
            throw new SyntaxException("integer " + literal + " has a leading zero at offset " + start);
        }
        if (peek() == 'L' || peek() == 'l') {
            pos++; // Python 2 long suffix, as numpy's own reader tolerates
        }
        if (peek() == '.' || peek() == 'e' || peek() == 'E' || peek() == 'j' || peek() == 'x' || peek() == '_') {
            throw error("expected an integer, got a number continuing with " + describe());
        }
        try {
            return Long.parseLong(literal);
        } catch (NumberFormatException e) {
            throw new SyntaxException("integer " + (literal.length() > 40 ? literal.substring(0, 40) + "..." : literal)
                    + " at offset " + start + " does not fit 64 bits");
        }
    }

    @Override
    String describe() {
        if (pos >= text.length()) {
            return "end of header";
        }
        char c = text.charAt(pos);
        return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    @Override
    String show(String key) {
        return repr(key);
    }

    @Override
    SyntaxException duplicateKey(String key, int offset) {
        return new SyntaxException("duplicate key " + repr(key) + " at offset " + offset);
    }

    @Override
    SyntaxException error(String what) {
        return new SyntaxException(what + " at offset " + pos);
    }
}
