package org.attn4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * last_hidden_state of all-MiniLM-L6-v2 equal to ONNX Runtime's on the same .onnx (within 1e-4 at
 * every real token of every sentence), in padded batches of mixed lengths.
 */
class BertModelOnnxRuntimeTest {
    private static OrtEnvironment env;
    private static OrtSession session;
    private static BertModel model;
    private static BertTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException, OrtException {
        env = OrtEnvironment.getEnvironment();
        session = env.createSession(MiniLm.onnx().toString(), new OrtSession.SessionOptions());
        model = BertModel.fromOnnx(MiniLm.onnx(), Backends.defaultBackend());
        tokenizer = BertTokenizer.load(MiniLm.tokenizer());
    }

    @AfterAll
    static void close() throws OrtException {
        session.close();
        model.close();
    }

    @Test
    void configComesFromTheGraph() {
        assertEquals(new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12f), model.config());
    }

    @Test
    void lastHiddenStateEqualsOnnxRuntime() throws OrtException {
        List<Encoding> encodings = new ArrayList<>();
        encodings.add(new Encoding(new int[] {101}, new int[] {0}, new String[] {"[CLS]"})); // one token
        for (String t : Corpus.texts(230, 3)) {
            encodings.add(tokenizer.encode(t));
        }
        int min = Integer.MAX_VALUE;
        int max = 0;
        double worst = 0;
        for (int start = 0; start < encodings.size(); start += 16) {
            TokenBatch batch = TokenBatch.of(encodings.subList(start, Math.min(start + 16, encodings.size())), 0);
            float[] expected = onnxRuntime(batch);
            float[] actual;
            try (Arena arena = Arena.ofConfined()) {
                Tensor h = model.lastHiddenState(arena, batch);
                actual = h.toFloatArray();
            }
            assertEquals(expected.length, actual.length);
            int hidden = 384;
            for (int r = 0; r < batch.batch(); r++) {
                min = Math.min(min, batch.lengths()[r]);
                max = Math.max(max, batch.lengths()[r]);
                for (int p = 0; p < batch.lengths()[r]; p++) { // the sentence's tokens (padding is no sentence's output)
                    for (int c = 0; c < hidden; c++) {
                        int k = (r * batch.seqLen() + p) * hidden + c;
                        double err = Math.abs(expected[k] - actual[k]);
                        worst = Math.max(worst, err);
                        if (!(err <= 1e-4)) {
                            throw new AssertionError("batch at " + start + ", row " + r + " (length " + batch.lengths()[r]
                                    + "), position " + p + ", channel " + c + ": ONNX Runtime " + expected[k] + ", attn4j "
                                    + actual[k]);
                        }
                    }
                }
            }
        }
        assertTrue(encodings.size() >= 200 && min == 1 && max == 128, "corpus spans " + min + ".." + max + " tokens");
        System.out.printf("last_hidden_state vs ONNX Runtime: %d sentences, max |diff| %.3g%n", encodings.size(), worst);
    }

    private static float[] onnxRuntime(TokenBatch batch) throws OrtException {
        int b = batch.batch();
        int s = batch.seqLen();
        long[][] ids = new long[b][s];
        long[][] mask = new long[b][s];
        long[][] types = new long[b][s];
        for (int r = 0; r < b; r++) {
            for (int p = 0; p < s; p++) {
                ids[r][p] = batch.ids()[r * s + p];
                types[r][p] = batch.typeIds()[r * s + p];
                mask[r][p] = p < batch.lengths()[r] ? 1 : 0;
            }
        }
        try (ai.onnxruntime.OnnxTensor i = ai.onnxruntime.OnnxTensor.createTensor(env, ids);
             ai.onnxruntime.OnnxTensor m = ai.onnxruntime.OnnxTensor.createTensor(env, mask);
             ai.onnxruntime.OnnxTensor t = ai.onnxruntime.OnnxTensor.createTensor(env, types);
             OrtSession.Result out = session.run(Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t))) {
            float[][][] h = (float[][][]) out.get(0).getValue();
            float[] flat = new float[b * s * h[0][0].length];
            int k = 0;
            for (float[][] row : h) {
                for (float[] pos : row) {
                    System.arraycopy(pos, 0, flat, k, pos.length);
                    k += pos.length;
                }
            }
            return flat;
        }
    }
}
