/**
 * attn4j: attention on native kernels. Exports the public API only: tensors, backends and native
 * loading (org.attn4j), the modules (org.attn4j.nn), safetensors and .npy files (org.attn4j.io).
 * Native access must be enabled for this module and the bindings
 * (--enable-native-access=org.attn4j,org.attn4j.bindings); without it the first call names that flag.
 */
module org.attn4j {
    requires org.attn4j.bindings;

    exports org.attn4j;
    exports org.attn4j.nn;
    exports org.attn4j.io;

    // The JSON reader (Json, JsonException) for org.attn4j.text's tokenizer.json and config.json,
    // exported to that module only. Why not public: a general JSON reader is no part of an
    // attention library's API (no compatibility promise for it), and why not a copy in text: one
    // reader, one set of hostile-input tests. A qualified export is the JDK's own way to share
    // internals between the modules of one release (java.base exports jdk.internal.* so).
    exports org.attn4j.internal.io to org.attn4j.text;
}
