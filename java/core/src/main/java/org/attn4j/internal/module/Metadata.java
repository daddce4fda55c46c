package org.attn4j.internal.module;

import java.util.Map;

/**
 * A safetensors {@code __metadata__} as a module's model file holds it: the class name, and
 * every constructor argument as the JSON encoding of its value in a string ("32", "2.0", "true",
 * "\"gelu\"", "null"). {@link ConfigCodec} turns the arguments into a configuration record.
 * Unknown keys are ignored (the reference adds some, like "upstream_commit").
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

    /** The value as its JSON text ("32", "\"gelu\""), stripped, or null when absent or JSON null. */
    public String text(String key) {
        String v = values.get(key);
        return v == null || v.strip().equals("null") ? null : v.strip();
    }
}
