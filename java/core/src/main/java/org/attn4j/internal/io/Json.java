package org.attn4j.internal.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A small strict JSON (RFC 8259) parser and writer, so that the safetensors reader and the
 * benchmark output need no third-party library.
 *
 * <p>Parsing maps objects to {@code LinkedHashMap<String, Object>} (document order; a
 * duplicate key is an error), arrays to {@code List<Object>}, numbers to {@link Long} when
 * written without fraction or exponent and within range, else to {@link Double} (a number
 * whose magnitude overflows a double is an error), strings to {@link String} (unpaired
 * surrogates are errors), and {@code true/false/null} to {@link Boolean} / {@code null}.
 * Nothing outside the grammar is accepted: no comments, no trailing commas, no leading zeros,
 * no NaN, no unescaped control characters. Nesting is limited ({@link #DEFAULT_MAX_DEPTH}),
 * so that hostile input cannot exhaust the stack.
 */
public final class Json {
    /** Deepest nesting of arrays and objects {@link #parse(String)} accepts. */
    public static final int DEFAULT_MAX_DEPTH = 128;

    private Json() {
    }

    /** Parses one JSON value (surrounded by optional whitespace); throws {@link JsonException}. */
    public static Object parse(String text) {
        return parse(text, DEFAULT_MAX_DEPTH);
    }

    /**
     * Parses a file's text, {@code name} naming it in messages: text that is not JSON (or null)
     * fails as {@code error.apply("name: not valid JSON: ...", cause)}, the caller's exception type.
     */
    public static Object parse(String text, String name, BiFunction<String, RuntimeException, ? extends RuntimeException> error) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw error.apply(name + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Parses one JSON value with at most {@code maxDepth} nested arrays/objects. */
    public static Object parse(String text, int maxDepth) {
        if (text == null) {
            throw new IllegalArgumentException("text: expected a JSON string, got null");
        }
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth: expected >= 1, got " + maxDepth);
        }
        return new Parser(text, maxDepth).document();
    }

    // ------------------------------------------------------------------ writing

    /**
     * Compact JSON for {@code value}: Map (String keys, iteration order kept), Collection,
     * Object[], long[], int[], double[], float[], CharSequence, Boolean, null, and any
     * Number (non-finite doubles and floats are rejected: JSON has no NaN or Infinity).
     * Throws IllegalArgumentException naming the first value it cannot write.
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    /** Appends the compact JSON for {@code value} to {@code out}; see {@link #write(Object)}. */
    public static void write(Object value, StringBuilder out) {
        writeValue(value, out, 0);
    }

    /** A camelCase name as a snake_case key: dimHead → dim_head, dModel → d_model, topK → top_k. */
    public static String snakeCase(String name) {
        StringBuilder s = new StringBuilder(name.length() + 4);
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c)) {
                s.append('_').append(Character.toLowerCase(c));
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        writeString(s, out);
        return out.toString();
    }

    private static void writeValue(Object value, StringBuilder out, int depth) {
        if (depth > DEFAULT_MAX_DEPTH) {
            // Why: a self-containing collection would otherwise recurse until StackOverflowError.
            throw new IllegalArgumentException("json: nesting deeper than " + DEFAULT_MAX_DEPTH + " (a cycle?)");
        }
        switch (value) {
            case null -> out.append("null");
            case CharSequence s -> writeString(s.toString(), out);
            case Boolean b -> out.append(b);
            case Double d -> out.append(finite(d, d));
            case Float f -> out.append(finite(f, f));
            case Long l -> out.append(l);
            case Integer i -> out.append(i);
            case Short s -> out.append(s);
            case Byte b -> out.append(b);
            case BigInteger b -> out.append(b);
            case BigDecimal b -> out.append(b.toString());
            case Map<?, ?> map -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("json: object keys must be strings, got "
                                + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                    }
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    writeString(key, out);
                    out.append(':');
                    writeValue(e.getValue(), out, depth + 1);
                }
                out.append('}');
            }
            case Collection<?> c -> {
                out.append('[');
                boolean first = true;
                for (Object o : c) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    writeValue(o, out, depth + 1);
                }
                out.append(']');
            }
            case Object[] a -> {
                out.append('[');
                for (int k = 0; k < a.length; k++) {
                    if (k > 0) {
                        out.append(',');
                    }
                    writeValue(a[k], out, depth + 1);
                }
                out.append(']');
            }
            case long[] a -> {
                out.append('[');
                for (int k = 0; k < a.length; k++) {
                    out.append(k == 0 ? "" : ",").append(a[k]);
                }
                out.append(']');
            }
            case int[] a -> {
                out.append('[');
                for (int k = 0; k < a.length; k++) {
                    out.append(k == 0 ? "" : ",").append(a[k]);
                }
                out.append(']');
            }
            case double[] a -> {
                out.append('[');
                for (int k = 0; k < a.length; k++) {
                    out.append(k == 0 ? "" : ",").append(finite(a[k], a[k]));
                }
                out.append(']');
            }
            case float[] a -> {
                out.append('[');
                for (int k = 0; k < a.length; k++) {
                    out.append(k == 0 ? "" : ",").append(finite(a[k], a[k]));
                }
                out.append(']');
            }
            case Number n -> throw new IllegalArgumentException("json: cannot write number type " + n.getClass().getName());
            default -> throw new IllegalArgumentException("json: cannot write a " + value.getClass().getName());
        }
    }

    private static String finite(double d, Object original) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("json: expected a finite number, got " + original);
        }
        // Double/Float.toString give the shortest round-tripping digits, e.g. "1.0E-5": valid JSON.
        return original.toString();
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c) && k + 1 < s.length() && Character.isLowSurrogate(s.charAt(k + 1))) {
                        out.append(c).append(s.charAt(++k));
                    } else if (Character.isSurrogate(c)) {
                        // Why: an unpaired surrogate has no UTF-8 encoding; writing it would make
                        // a file that strict readers (this one included) reject.
                        throw new IllegalArgumentException("json: unpaired surrogate U+"
                                + Integer.toHexString(c).toUpperCase() + " at index " + k + " of a string");
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    // ------------------------------------------------------------------ parsing

    /** Recursive descent over the text; {@code pos} is the next unread character. */
    private static final class Parser extends TextCursor {
        Parser(String text, int maxDepth) {
            super(text, maxDepth, " arrays/objects");
        }

        Object document() {
            skipWhitespace();
            Object value = value();
            skipWhitespace();
            if (pos < text.length()) {
                throw error("expected end of input after the value, got " + describe());
            }
            return value;
        }

        private Object value() {
            return switch (valueStart("input")) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> keyword("true", Boolean.TRUE);
                case 'f' -> keyword("false", Boolean.FALSE);
                case 'n' -> keyword("null", null);
                default -> numberOr(this::number);
            };
        }

        /**
         * Reads {@code member}s separated by commas from the opening bracket at {@link #pos}
         * through {@code closing}; JSON allows no comma after the last one.
         */
        private void members(char closing, String context, Runnable member) {
            open();
            skipWhitespace();
            if (peek() == closing) {
                close();
                return;
            }
            while (true) {
                skipWhitespace();
                member.run();
                skipWhitespace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() == closing) {
                    close();
                    return;
                } else {
                    throw error("expected ',' or '" + closing + "' " + context + ", got " + describe());
                }
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            members('}', "after an object member", () -> {
                if (peek() != '"') {
                    throw error("expected a string key, got " + describe());
                }
                entry(map, "object key", this::string, this::value);
            });
            return map;
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            members(']', "after an array element", () -> list.add(value()));
            return list;
        }

        private String string() {
            int start = pos;
            pos++; // opening quote
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw new JsonException("unterminated string starting at " + where(start), start);
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    pos++;
                    return sb.toString();
                }
                if (c < 0x20) {
                    throw error("unescaped control character U+" + hex4(c) + " in a string");
                }
                if (c == '\\') {
                    escape(sb);
                } else if (Character.isHighSurrogate(c) && pos + 1 < text.length() && Character.isLowSurrogate(text.charAt(pos + 1))) {
                    sb.append(c).append(text.charAt(pos + 1));
                    pos += 2;
                } else if (Character.isSurrogate(c)) {
                    throw error("unpaired surrogate U+" + hex4(c) + " in a string");
                } else {
                    sb.append(c);
                    pos++;
                }
            }
        }

        private void escape(StringBuilder sb) {
            int start = pos;
            pos++; // backslash
            if (pos >= text.length()) {
                throw new JsonException("unterminated escape at " + where(start), start);
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char u = hexEscape(start);
                    if (Character.isHighSurrogate(u)) {
                        int lowStart = pos;
                        if (pos + 1 < text.length() && text.charAt(pos) == '\\' && text.charAt(pos + 1) == 'u') {
                            pos += 2;
                            char low = hexEscape(lowStart);
                            if (!Character.isLowSurrogate(low)) {
                                throw new JsonException("high surrogate \\u" + hex4(u) + " followed by \\u" + hex4(low)
                                        + ", not a low surrogate, at " + where(start), start);
                            }
                            sb.append(u).append(low);
                        } else {
                            throw new JsonException("unpaired high surrogate \\u" + hex4(u) + " at " + where(start), start);
                        }
                    } else if (Character.isLowSurrogate(u)) {
                        throw new JsonException("unpaired low surrogate \\u" + hex4(u) + " at " + where(start), start);
                    } else {
                        sb.append(u);
                    }
                }
                default -> throw new JsonException("invalid escape \\" + printable(e) + " at " + where(start), start);
            }
        }

        /** Reads the 4 hex digits after "\\u" (pos is at the first digit). */
        private char hexEscape(int escapeStart) {
            if (pos + 4 > text.length()) {
                throw new JsonException("truncated \\u escape at " + where(escapeStart), escapeStart);
            }
            int v = 0;
            for (int k = 0; k < 4; k++) {
                int d = Character.digit(text.charAt(pos + k), 16);
                // Character.digit accepts non-ASCII digits; JSON allows only [0-9a-fA-F].
                if (d < 0 || text.charAt(pos + k) > 'f') {
                    throw new JsonException("invalid \\u escape: expected 4 hex digits at " + where(escapeStart), escapeStart);
                }
                v = v * 16 + d;
            }
            pos += 4;
            return (char) v;
        }

        private Object number() {
            int start = pos;
            boolean integral = true;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
                if (isDigit(peek())) {
                    throw new JsonException("leading zero in number at " + where(start), start);
                }
            } else if (isDigit(peek())) {
                while (isDigit(peek())) {
                    pos++;
                }
            } else {
                throw error("expected a digit in number, got " + describe());
            }
            if (peek() == '.') {
                integral = false;
                pos++;
                if (!isDigit(peek())) {
                    throw error("expected a digit after the decimal point, got " + describe());
                }
                while (isDigit(peek())) {
                    pos++;
                }
            }
            if (peek() == 'e' || peek() == 'E') {
                integral = false;
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                if (!isDigit(peek())) {
                    throw error("expected a digit in the exponent, got " + describe());
                }
                while (isDigit(peek())) {
                    pos++;
                }
            }
            String literal = text.substring(start, pos);
            if (integral) {
                try {
                    return Long.parseLong(literal);
                } catch (NumberFormatException outOfRange) {
                    // Why: out-of-range integers become doubles, so callers that need an
                    // integer (shapes, offsets) see a Double and reject it by type.
                }
            }
            double d = Double.parseDouble(literal);
            if (Double.isInfinite(d)) {
                throw new JsonException("number " + abbreviate(literal) + " overflows a double at " + where(start), start);
            }
            return d;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        @Override
        JsonException error(String what) {
            return new JsonException(what + " at " + where(pos), pos);
        }

        /** "line 3, column 7 (offset 41)", 1-based lines and columns. */
        private String where(int at) {
            int line = 1;
            int lineStart = 0;
            for (int k = 0; k < at && k < text.length(); k++) {
                if (text.charAt(k) == '\n') {
                    line++;
                    lineStart = k + 1;
                }
            }
            return "line " + line + ", column " + (at - lineStart + 1) + " (offset " + at + ")";
        }

        @Override
        String describe() {
            return pos >= text.length() ? "end of input" : "'" + printable(text.charAt(pos)) + "'";
        }

        @Override
        String show(String key) {
            return Json.quote(safe(key));
        }

        @Override
        JsonException duplicateKey(String key, int offset) {
            return new JsonException("duplicate key " + show(key) + " at " + where(offset), offset);
        }

        private static String printable(char c) {
            return c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? "U+" + hex4(c) : String.valueOf(c);
        }

        private static String hex4(char c) {
            return String.format("%04X", (int) c);
        }

        /** Keeps messages one readable line even for hostile keys. */
        private static String safe(String s) {
            return abbreviate(s);
        }

        private static String abbreviate(String s) {
            if (s.length() <= 64) {
                return s;
            }
            int cut = Character.isHighSurrogate(s.charAt(60)) ? 60 : 61; // never split a pair
            return s.substring(0, cut) + "...";
        }
    }
}
