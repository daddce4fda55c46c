package org.attn4j.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.List;

/**
 * LangChain4j's in-process AllMiniLmL6V2EmbeddingModel as applications use it: embed(text) for
 * one sentence, embedAll(segments) for a batch (it runs each text as its own ONNX Runtime call,
 * unpadded, on its own executor). It has no tokenisation-excluded path.
 */
final class MiniLmLangChain4j implements MiniLmContender {
    private final AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();

    @Override
    public String name() {
        return "LangChain4j";
    }

    @Override
    public Object prepare(List<String> texts) {
        return null;
    }

    @Override
    public float[][] embedPrepared(Object prepared) {
        return null;
    }

    @Override
    public float[][] embed(List<String> texts) {
        if (texts.size() == 1) {
            return new float[][] {model.embed(texts.get(0)).content().vector()};
        }
        List<Embedding> all = model.embedAll(texts.stream().map(TextSegment::from).toList()).content();
        return all.stream().map(Embedding::vector).toArray(float[][]::new);
    }

    @Override
    public void close() {
        // the model holds its ONNX Runtime session for the JVM's life (LangChain4j offers no close)
    }
}
