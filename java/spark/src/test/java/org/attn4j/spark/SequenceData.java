package org.attn4j.spark;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.attn4j.nn.BidirectionalOutput;
import org.attn4j.nn.BidirectionalOptions;
import org.attn4j.nn.BidirectionalOptionsBuilder;
import org.attn4j.nn.MhaOptions;
import org.attn4j.nn.MultiheadAttention;

/**
 * Test models (saved with attn4j's own builders) and rows of random sequences, with the
 * single-process answer each row must get: one forward per row on a one-thread backend.
 */
final class SequenceData {
    static final int DIM = 16;
    static final int CONTEXT_DIM = 12;

    /** Columns: id, x [i, 16], context [j, 12], mask [i], contextMask [j]. */
    static final StructType BIDIRECTIONAL = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("x", ArrayColumns.SEQUENCE, true)
            .add("context", ArrayColumns.SEQUENCE, true)
            .add("mask", DataTypes.createArrayType(DataTypes.BooleanType, false), true)
            .add("contextMask", DataTypes.createArrayType(DataTypes.BooleanType, false), true);

    /** Columns: id, x [n, 16], mask [n]. */
    static final StructType ONE_SEQUENCE = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("x", ArrayColumns.SEQUENCE, true)
            .add("mask", DataTypes.createArrayType(DataTypes.BooleanType, false), true);

    private SequenceData() {
    }

    /** Bidirectional cross attention, dim 16, context 12, 2 heads of 8, talking heads, saved to {@code file}. */
    static Path bidirectionalModel(Path file) throws Exception {
        try (var m = BidirectionalCrossAttention.builder().dim(DIM).contextDim(CONTEXT_DIM).heads(2).dimHead(8).talkingHeads(true)
                .build(Backends.defaultBackend(), 7)) {
            m.save(file);
        }
        return file;
    }

    /** nn.MultiheadAttention(16, 4) in PyTorch's default layout (batch_first false), saved to {@code file}. */
    static Path multiheadModel(Path file) throws Exception {
        try (var m = MultiheadAttention.builder().embedDim(DIM).numHeads(4).build(Backends.defaultBackend(), 11)) {
            m.save(file);
        }
        return file;
    }

    /** {@code count} rows: i in 1..6, j in 1..5 (so batches hold several shapes), random masks on some rows. */
    static List<Row> bidirectionalRows(int count, long seed) {
        return rows(count, seed, (rnd, r) -> {
            int i = 1 + rnd.nextInt(6);
            int j = 1 + rnd.nextInt(5);
            return RowFactory.create((long) r, sequence(rnd, i, DIM), sequence(rnd, j, CONTEXT_DIM),
                    rnd.nextInt(3) == 0 ? mask(rnd, i) : null, rnd.nextInt(3) == 0 ? mask(rnd, j) : null);
        });
    }

    /** {@code count} rows of one sequence: n in 1..7, random masks on some rows (never all false). */
    static List<Row> oneSequenceRows(int count, long seed) {
        return rows(count, seed, (rnd, r) -> {
            int n = 1 + rnd.nextInt(7);
            boolean[] m = rnd.nextInt(3) == 0 ? mask(rnd, n) : null;
            if (m != null) {
                m[0] = true; // PyTorch gives NaN for a query that sees no key; keep every row finite
            }
            return RowFactory.create((long) r, sequence(rnd, n, DIM), m);
        });
    }

    /** One random row (row id r), drawn from rnd. */
    @FunctionalInterface
    private interface RowDraw {
        Row draw(Random rnd, int r);
    }

    /** {@code count} rows drawn one after another from one generator seeded with {@code seed}. */
    private static List<Row> rows(int count, long seed, RowDraw draw) {
        Random rnd = new Random(seed);
        List<Row> rows = new ArrayList<>(count);
        for (int r = 0; r < count; r++) {
            rows.add(draw.draw(rnd, r));
        }
        return rows;
    }

    static float[][] sequence(Random rnd, int n, int width) {
        float[][] s = new float[n][width];
        for (float[] p : s) {
            for (int c = 0; c < width; c++) {
                p[c] = (float) rnd.nextGaussian();
            }
        }
        return s;
    }

    static boolean[] mask(Random rnd, int n) {
        boolean[] m = new boolean[n];
        for (int k = 0; k < n; k++) {
            m[k] = rnd.nextInt(4) != 0;
        }
        return m;
    }

    /** The row's (out, contextOut) from one single-row forward in this process. */
    static float[][][] bidirectionalReference(BidirectionalCrossAttention model, Row row) {
        try (Arena arena = Arena.ofConfined()) {
            float[][] x = (float[][]) row.get(1);
            float[][] c = (float[][]) row.get(2);
            BidirectionalOptionsBuilder opts = BidirectionalOptions.builder();
            if (row.get(3) != null) {
                opts.mask(Tensor.ofBooleans(arena, (boolean[]) row.get(3), 1, x.length));
            }
            if (row.get(4) != null) {
                opts.contextMask(Tensor.ofBooleans(arena, (boolean[]) row.get(4), 1, c.length));
            }
            BidirectionalOutput o = model.forward(arena, tensor(arena, x), tensor(arena, c), opts.build());
            return new float[][][] {split(o.out().toFloatArray(), x.length), split(o.contextOut().toFloatArray(), c.length)};
        }
    }

    /** The row's self-attention output from one single-row forward (sequence-first layout, key padding = !mask). */
    static float[][] multiheadReference(MultiheadAttention model, Row row, boolean causal) {
        try (Arena arena = Arena.ofConfined()) {
            float[][] x = (float[][]) row.get(1);
            Tensor padding = null;
            if (row.get(2) != null) {
                boolean[] m = ((boolean[]) row.get(2)).clone();
                for (int k = 0; k < m.length; k++) {
                    m[k] = !m[k];
                }
                padding = Tensor.ofBooleans(arena, m, 1, x.length);
            }
            Tensor in = tensor(arena, x).transpose(0, 1); // [n, 1, dim]
            Tensor out = model.forward(arena, in, MhaOptions.builder().keyPaddingMask(padding).isCausal(causal).needWeights(false)
                    .build()).output();
            return split(out.transpose(0, 1).toFloatArray(), x.length);
        }
    }

    /** [1, n, width] from n positions. */
    static Tensor tensor(Arena arena, float[][] s) {
        int w = s[0].length;
        float[] flat = new float[s.length * w];
        for (int p = 0; p < s.length; p++) {
            System.arraycopy(s[p], 0, flat, p * w, w);
        }
        return Tensor.of(arena, flat, 1, s.length, w);
    }

    static float[][] split(float[] flat, int n) {
        int w = flat.length / n;
        float[][] out = new float[n][];
        for (int p = 0; p < n; p++) {
            out[p] = java.util.Arrays.copyOfRange(flat, p * w, (p + 1) * w);
        }
        return out;
    }

    /** A one-thread native backend, as each Spark task of one CPU uses. */
    static Backend oneThread() {
        return Backends.nativeBackend(1);
    }
}
