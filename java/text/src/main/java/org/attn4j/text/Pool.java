package org.attn4j.text;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Sentence pooling over the last hidden state [b, s, H]: mean over the real tokens or CLS, then optional L2 normalisation. */
final class Pool {
    private Pool() {
    }

    static void pool(MemorySegment hidden, TokenBatch batch, int h, Pooling pooling, boolean normalize, MemorySegment out) {
        int s = batch.seqLen();
        double[] acc = new double[h];
        for (int r = 0; r < batch.batch(); r++) {
            java.util.Arrays.fill(acc, 0);
            int n = pooling == Pooling.CLS ? 1 : batch.lengths()[r];
            long base = (long) r * s * h * 4;
            for (int p = 0; p < n; p++) {
                long o = base + (long) p * h * 4;
                for (int c = 0; c < h; c++) {
                    acc[c] += hidden.get(ValueLayout.JAVA_FLOAT, o + 4L * c);
                }
            }
            double norm = 0;
            for (int c = 0; c < h; c++) {
                acc[c] /= n;
                norm += acc[c] * acc[c];
            }
            // sentence-transformers' Normalize: x / max(‖x‖, 1e-12)
            double div = normalize ? Math.max(Math.sqrt(norm), 1e-12) : 1.0;
            long ob = (long) r * h * 4;
            for (int c = 0; c < h; c++) {
                out.set(ValueLayout.JAVA_FLOAT_UNALIGNED, ob + 4L * c, (float) (acc[c] / div));
            }
        }
    }
}
