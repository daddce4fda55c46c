package org.attn4j.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.attn4j.Tensor;
import org.attn4j.io.Npy;

/**
 * The inputs every contender gets for one workload, drawn from a seed: x [b, i, dim] and
 * context [b, j, contextDim] ~ N(0, 1), and BOOL masks [b, i], [b, j] (or none, null). They
 * live in their own arena (shared: ORT reads them from its own threads), freed by
 * {@link #close()}; the PyTorch script gets them as .npy files.
 */
public record BenchInputs(Workload workload, Tensor x, Tensor context, Tensor mask, Tensor contextMask, Arena arena)
        implements AutoCloseable {
    /** Chance that a position is kept under {@link MaskMode#RANDOM}. */
    static final double KEEP_PROBABILITY = 0.8;

    /** The inputs of workload {@code w} for run seed {@code seed}, in a new shared arena. */
    public static BenchInputs draw(Workload w, MaskMode masks, long seed) {
        Arena arena = Arena.ofShared();
        // one seed per tensor, derived from the run seed and the shape, so that every size has
        // its own inputs and rerunning a size gives the same ones
        long base = seed * 1_000_003L + (long) w.batch() * 7919L + w.i() * 31L + w.j();
        Tensor x = Tensor.randn(arena, base + 1, w.batch(), w.i(), w.dim());
        Tensor context = Tensor.randn(arena, base + 2, w.batch(), w.j(), w.contextDim());
        if (masks == MaskMode.NONE) {
            return new BenchInputs(w, x, context, null, null, arena);
        }
        SplittableRandom random = new SplittableRandom(base + 3);
        return new BenchInputs(w, x, context, Tensor.ofBooleans(arena, keep(w.batch() * w.i(), masks, random), w.batch(), w.i()),
                Tensor.ofBooleans(arena, keep(w.batch() * w.j(), masks, random), w.batch(), w.j()), arena);
    }

    private static boolean[] keep(int n, MaskMode masks, SplittableRandom random) {
        boolean[] keep = new boolean[n];
        for (int k = 0; k < n; k++) {
            keep[k] = masks == MaskMode.ONES || random.nextDouble() < KEEP_PROBABILITY;
        }
        return keep;
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
