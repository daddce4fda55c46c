package org.attn4j.internal.module;

import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.attn4j.DType;
import org.attn4j.Tensor;

/** Fresh parameters initialised as PyTorch's defaults do ({@link Init}), from a seed. */
public final class RandomSource implements ParameterSource {
    private final ModuleArena allocator;
    private final SplittableRandom random;

    public RandomSource(ModuleArena allocator, long seed) {
        this.allocator = allocator;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public Parameter get(String name, long[] shape, Init init) {
        Tensor t = Tensor.zeros(allocator, DType.F32, shape);
        long n = t.numel();
        long seed = random.nextLong(); // one stream per parameter: adding one leaves the others as they were
        SplittableRandom r = new SplittableRandom(seed);
        for (long k = 0; k < n; k++) {
            float v = init.fillOnes() ? 1f : (float) ((2 * r.nextDouble() - 1) * init.bound());
            t.segment().setAtIndex(ValueLayout.JAVA_FLOAT, k, v); // native order: little-endian on every supported CPU
        }
        return allocator.register(name, t);
    }
}
