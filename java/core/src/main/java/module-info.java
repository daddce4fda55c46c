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
}
