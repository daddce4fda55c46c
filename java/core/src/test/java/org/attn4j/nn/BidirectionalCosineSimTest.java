package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.TestBackends;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cosine-similarity option of BidirectionalCrossAttention: out and context_out against the
 * definition computed here (qk and context_qk l2-normalised per head, similarities times the
 * temperature, softmax over j for out and over i for context_out), on both backends and paths;
 * and the option's round trip through a model file.
 */
class BidirectionalCosineSimTest {
    private static final Backend NATIVE = TestBackends.nativeBackend();
    private static final Backend JAVA = TestBackends.javaReference();

    @TempDir
    Path tmp;

    /** y[n, o] = Σ_c x[n, c] · w[o, c] (+ bias[o]) for one batch element. */
    private static double[][] linear(Tensor x, Tensor w, Tensor bias) {
        int n = (int) x.shape(1);
        int in = (int) w.shape(1);
        int out = (int) w.shape(0);
        double[][] y = new double[n][out];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double acc = bias == null ? 0 : bias.getFloat(o);
                for (int c = 0; c < in; c++) {
                    acc += (double) x.getFloat(0, r, c) * w.getFloat(o, c);
                }
                y[r][o] = acc;
            }
        }
        return y;
    }

    /** Unit vectors per head: rows of [n, h·d] normalised over each d-slice. */
    private static void unitHeads(double[][] t, int heads, int d) {
        for (double[] row : t) {
            for (int h = 0; h < heads; h++) {
                double norm = 0;
                for (int k = 0; k < d; k++) {
                    norm += row[h * d + k] * row[h * d + k];
                }
                norm = Math.sqrt(norm);
                for (int k = 0; k < d; k++) {
                    row[h * d + k] /= norm;
                }
            }
        }
    }

    @Test
    void matchesTheDefinition() {
        int dim = 12;
        int ctxDim = 10;
        int heads = 2;
        int d = 5;
        int ni = 7;
        int nj = 4;
        float temperature = 6f;
        var builder = BidirectionalCrossAttention.builder().dim(dim).contextDim(ctxDim).heads(heads).dimHead(d)
                .cosineSimScale(temperature);
        try (Arena arena = Arena.ofConfined(); BidirectionalCrossAttention ref = builder.build(JAVA, 3)) {
            Map<String, Tensor> sd = ref.stateDict();
            Tensor x = Tensor.randn(arena, 1, 1, ni, dim);
            Tensor context = Tensor.randn(arena, 2, 1, nj, ctxDim);
            double[][] qk = linear(x, sd.get("to_qk.weight"), null);
            double[][] v = linear(x, sd.get("to_v.weight"), null);
            double[][] cqk = linear(context, sd.get("context_to_qk.weight"), null);
            double[][] cv = linear(context, sd.get("context_to_v.weight"), null);
            unitHeads(qk, heads, d);
            unitHeads(cqk, heads, d);
            double[][] merged = new double[ni][heads * d];
            double[][] contextMerged = new double[nj][heads * d];
            for (int h = 0; h < heads; h++) {
                double[][] sim = new double[ni][nj];
                for (int i = 0; i < ni; i++) {
                    for (int j = 0; j < nj; j++) {
                        for (int k = 0; k < d; k++) {
                            sim[i][j] += qk[i][h * d + k] * cqk[j][h * d + k];
                        }
                        sim[i][j] *= temperature;
                    }
                }
                attend(sim, cv, h, d, merged);                    // softmax over j → out
                attend(transpose(sim), v, h, d, contextMerged);   // softmax over i (the same matrix) → context_out
            }
            Tensor out = project(arena, merged, sd.get("to_out.weight"), sd.get("to_out.bias"));
            Tensor contextOut = project(arena, contextMerged, sd.get("context_to_out.weight"), sd.get("context_to_out.bias"));
            for (Backend backend : new Backend[] {NATIVE, JAVA}) {
                try (BidirectionalCrossAttention m = builder.build(backend, sd)) {
                    for (AttentionPath path : new AttentionPath[] {AttentionPath.FUSED, AttentionPath.MATERIALISED}) {
                        BidirectionalOutput o = m.forward(arena, x, context, BidirectionalOptions.builder().path(path).build());
                        FamilyAssert.close(backend.name() + " " + path + " out", o.out(), out, 2e-5, 1e-4);
                        FamilyAssert.close(backend.name() + " " + path + " context_out", o.contextOut(), contextOut, 2e-5, 1e-4);
                    }
                }
            }
        }
    }

    private static Tensor project(Arena arena, double[][] merged, Tensor w, Tensor bias) {
        int n = merged.length;
        int out = (int) w.shape(0);
        float[] y = new float[n * out];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double acc = bias.getFloat(o);
                for (int c = 0; c < merged[r].length; c++) {
                    acc += merged[r][c] * w.getFloat(o, c);
                }
                y[r * out + o] = (float) acc;
            }
        }
        return Tensor.of(arena, y, 1, n, out);
    }

    @Test
    void theOptionRoundTripsAndIsChecked() throws IOException {
        Path file = tmp.resolve("bca_cosine.safetensors");
        try (BidirectionalCrossAttention m = BidirectionalCrossAttention.builder().dim(8).heads(2).dimHead(4)
                .cosineSimScale(9f).build(NATIVE, 1)) {
            m.save(file);
            try (BidirectionalCrossAttention loaded = Models.load(file, BidirectionalCrossAttention.class, NATIVE)) {
                assertEquals("9.0", loaded.metadata().get("cosine_sim_scale"));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> BidirectionalCrossAttention.builder().dim(8).cosineSimScale(-1f)
                .build(NATIVE, 1));
    }

    /** Head h of merged [r, heads·d] += softmax over each row of scores [r, c] · values [c, heads·d]. */
    private static void attend(double[][] scores, double[][] values, int h, int d, double[][] merged) {
        for (int r = 0; r < scores.length; r++) {
            double sum = 0;
            for (double score : scores[r]) {
                sum += Math.exp(score);
            }
            for (int c = 0; c < scores[r].length; c++) {
                for (int k = 0; k < d; k++) {
                    merged[r][h * d + k] += Math.exp(scores[r][c]) / sum * values[c][h * d + k];
                }
            }
        }
    }

    private static double[][] transpose(double[][] m) {
        double[][] t = new double[m[0].length][m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < m[0].length; j++) {
                t[j][i] = m[i][j];
            }
        }
        return t;
    }
}
