/**
 * attn4j text: BERT sentence embeddings on attn4j's ops (BertModel, BertTokenizer,
 * SentenceEmbedder). Native access must be enabled for org.attn4j and org.attn4j.bindings, as
 * for attn4j itself. It reads tokenizer.json and config.json with core's JSON reader, which core
 * exports to this module alone (see org.attn4j's module-info).
 */
module org.attn4j.text {
    requires transitive org.attn4j; // the API takes and gives Tensor, Backend, Module

    exports org.attn4j.text;
}
