package org.attn4j.bench;

import java.nio.FloatBuffer;

/** sentence-transformers' mean pooling and L2 normalisation on a [b, s, h] last_hidden_state, for the ONNX Runtime contender. */
final class MiniLmPool {
    private MiniLmPool() {
    }

    static float[][] pool(FloatBuffer hidden, int b, int s, int h, int[] lengths) {
        float[][] out = new float[b][h];
        double[] acc = new double[h];
        for (int r = 0; r < b; r++) {
            java.util.Arrays.fill(acc, 0);
            for (int p = 0; p < lengths[r]; p++) {
                int o = (r * s + p) * h;
                for (int c = 0; c < h; c++) {
                    acc[c] += hidden.get(o + c);
                }
            }
            double norm = 0;
            for (int c = 0; c < h; c++) {
                acc[c] /= lengths[r];
                norm += acc[c] * acc[c];
            }
            double div = Math.max(Math.sqrt(norm), 1e-12);
            for (int c = 0; c < h; c++) {
                out[r][c] = (float) (acc[c] / div);
            }
        }
        return out;
    }
}
