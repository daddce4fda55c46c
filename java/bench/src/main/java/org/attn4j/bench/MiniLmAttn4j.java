package org.attn4j.bench;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.text.Pooling;
import org.attn4j.text.SentenceEmbedder;
import org.attn4j.text.TokenBatch;

/** attn4j's SentenceEmbedder on all-MiniLM-L6-v2 from LangChain4j's jar, on a native backend of the bench's threads. */
final class MiniLmAttn4j implements MiniLmContender {
    private final Backend backend;
    private final SentenceEmbedder embedder;

    MiniLmAttn4j(int threads) throws java.io.IOException {
        this.backend = Backends.nativeBackend(threads);
        this.embedder = SentenceEmbedder.builder().backend(backend)
                .classPath(SentenceEmbedder.MINILM_ONNX, SentenceEmbedder.MINILM_TOKENIZER).build();
    }

    SentenceEmbedder embedder() {
        return embedder;
    }

    @Override
    public String name() {
        return "attn4j";
    }

    @Override
    public Object prepare(List<String> texts) {
        return TokenBatch.of(embedder.encode(texts), embedder.tokenizer().padId());
    }

    @Override
    public float[][] embedPrepared(Object prepared) {
        TokenBatch batch = (TokenBatch) prepared;
        int d = embedder.dimension();
        float[] flat = new float[batch.batch() * d];
        embedder.model().embed(batch, Pooling.MEAN, true, MemorySegment.ofArray(flat));
        float[][] out = new float[batch.batch()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = java.util.Arrays.copyOfRange(flat, r * d, (r + 1) * d);
        }
        return out;
    }

    @Override
    public float[][] embed(List<String> texts) {
        return embedder.embed(texts).toArray(float[][]::new);
    }

    @Override
    public void close() {
        embedder.close();
        backend.close();
    }
}
