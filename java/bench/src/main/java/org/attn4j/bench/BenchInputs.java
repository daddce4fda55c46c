package org.attn4j.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.attn4j.Tensor;
import org.attn4j.io.Npy;

/**
 * The inputs every contender gets for one workload, drawn from a seed: x [b, i, dim] and
 * context [b, j, contextDim] ~ N(0, 1), and BOOL masks [b, i], [b, j] (or none). They live in
 * their own arena, freed by {@link #close()}; the PyTorch script gets them as .npy files.
 */
public final class BenchInputs implements AutoCloseable {
    /** Chance that a position is kept under {@link MaskMode#RANDOM}. */
    static final double KEEP_PROBABILITY = 0.8;

    private final Arena arena = Arena.ofShared(); // ORT reads them from its own threads
    private final Workload workload;
    private final Tensor x;
    private final Tensor context;
    private final Tensor mask;
    private final Tensor contextMask;

    public BenchInputs(Workload w, MaskMode masks, long seed) {
        this.workload = w;
        // one seed per tensor, derived from the run seed and the shape, so that every size has
        // its own inputs and rerunning a size gives the same ones
        long base = seed * 1_000_003L + (long) w.batch() * 7919L + w.i() * 31L + w.j();
        x = Tensor.randn(arena, base + 1, w.batch(), w.i(), w.dim());
        context = Tensor.randn(arena, base + 2, w.batch(), w.j(), w.contextDim());
        if (masks == MaskMode.NONE) {
            mask = null;
            contextMask = null;
        } else {
            SplittableRandom random = new SplittableRandom(base + 3);
            mask = Tensor.ofBooleans(arena, draw(w.batch() * w.i(), masks, random), w.batch(), w.i());
            contextMask = Tensor.ofBooleans(arena, draw(w.batch() * w.j(), masks, random), w.batch(), w.j());
        }
    }

    private static boolean[] draw(int n, MaskMode masks, SplittableRandom random) {
        boolean[] keep = new boolean[n];
        for (int k = 0; k < n; k++) {
            keep[k] = masks == MaskMode.ONES || random.nextDouble() < KEEP_PROBABILITY;
        }
        return keep;
    }

    public Workload workload() {
        return workload;
    }

    /** [b, i, dim] */
    public Tensor x() {
        return x;
    }

    /** [b, j, contextDim] */
    public Tensor context() {
        return context;
    }

    /** [b, i] BOOL, or null when the run passes no masks. */
    public Tensor mask() {
        return mask;
    }

    /** [b, j] BOOL, or null when the run passes no masks. */
    public Tensor contextMask() {
        return contextMask;
    }

    /** Writes x.npy, context.npy (and mask.npy, context_mask.npy) into {@code dir}. */
    public void writeNpy(Path dir) throws IOException {
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("context.npy"), context);
        if (mask != null) {
            Npy.write(dir.resolve("mask.npy"), mask);
            Npy.write(dir.resolve("context_mask.npy"), contextMask);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
