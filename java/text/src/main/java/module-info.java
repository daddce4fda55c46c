/**
 * attn4j text: sentence embeddings from BERT encoders on attn4j's ops. The WordPiece tokenizer
 * of HuggingFace tokenizer.json files, BertModel (weights from safetensors or ONNX), the ONNX
 * initializer reader (org.attn4j.text.onnx) and SentenceEmbedder. No dependency beyond attn4j.
 */
module org.attn4j.text {
    requires transitive org.attn4j;

    exports org.attn4j.text;
    exports org.attn4j.text.onnx;
}
