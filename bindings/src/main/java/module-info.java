/**
 * The generated FFM bindings of libattn4j (jextract's output, see bindings/README.md). Only
 * org.attn4j, the safe layer that checks every argument before a downcall, may use them.
 * Not generated: jextract writes the package, this file stays.
 */
module org.attn4j.bindings {
    exports org.attn4j.bindings to org.attn4j;
}
