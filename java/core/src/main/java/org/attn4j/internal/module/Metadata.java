package org.attn4j.internal.module;

import java.util.Map;

/**
 * Constructor arguments read from a safetensors {@code __metadata__}: every value is the
 * JSON encoding of the argument as a string ("32", "2.0", "true", "null"). Unknown keys are
 * ignored (the reference adds some, like "upstream_commit"); wrong types fail with the key.
 */
public final class Metadata {
    private final Map<String, String> values;

    public Metadata(Map<String, String> values) {
        this.values = values;
    }

    public String className() {
        String c = values.get("class");
        if (c == null) {
            throw new IllegalArgumentException("__metadata__: missing \"class\" (the module's class name)");
        }
        return c;
    }

    public int integer(String key, Integer fallback) {
        String v = raw(key);
        if (v == null) {
            return required(key, fallback);
        }
        try {
            long n = Long.parseLong(v);
            if (n < 1 || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("__metadata__." + key + ": expected a positive int, got " + v);
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("__metadata__." + key + ": expected an integer, got " + v);
        }
    }

    public double number(String key, double fallback) {
        String v = raw(key);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("__metadata__." + key + ": expected a number, got " + v);
        }
    }

    public boolean bool(String key, boolean fallback) {
        String v = raw(key);
        if (v == null) {
            return fallback;
        }
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("__metadata__." + key + ": expected true or false, got " + v);
        };
    }

    /** A non-negative integer (0 allowed, unlike {@link #integer}); absent or null is an error. */
    public long integerOrZero(String key) {
        String v = raw(key);
        if (v == null) {
            throw new IllegalArgumentException("__metadata__: missing \"" + key + "\"");
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("__metadata__." + key + ": expected an integer >= 0, got " + v);
        }
    }

    /** True when {@code key} is present and not JSON null. */
    public boolean has(String key) {
        return raw(key) != null;
    }

    /** A JSON string value ("\"gelu\"" holds gelu), or {@code fallback} when absent or null. */
    public String string(String key, String fallback) {
        String v = raw(key);
        if (v == null) {
            return fallback;
        }
        Object parsed;
        try {
            parsed = org.attn4j.internal.io.Json.parse(v);
        } catch (RuntimeException e) {
            parsed = null;
        }
        if (!(parsed instanceof String text)) {
            throw new IllegalArgumentException("__metadata__." + key + ": expected a JSON string, got " + v);
        }
        return text;
    }

    /** The value as its JSON text ("32", "\"gelu\""), or null when absent or JSON null. */
    public String text(String key) {
        return raw(key);
    }

    private String raw(String key) {
        String v = values.get(key);
        return v == null || v.strip().equals("null") ? null : v.strip();
    }

    private static int required(String key, Integer fallback) {
        if (fallback == null) {
            throw new IllegalArgumentException("__metadata__: missing \"" + key + "\"");
        }
        return fallback;
    }
}
