package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.attn4j.Backend;
import org.attn4j.PerSeed;
import org.attn4j.Tensor;
import org.attn4j.TestBackends;

/**
 * The native paths (fused and materialised) against the Java reference on random
 * configurations: every option on and off, rel_pos_bias of several broadcast shapes, masks
 * with fully masked rows, columns and batch elements, lengths 1, odd and prime.
 */
class BidirectionalRandomConfigTest {
    private static final Backend NATIVE = TestBackends.nativeBackend();
    private static final Backend JAVA = TestBackends.javaReference();

    static Stream<Integer> seeds() {
        return IntStream.range(0, 24).boxed();
    }

    @PerSeed
    void nativeMatchesReference(int seed) {
        SplittableRandom r = new SplittableRandom(seed * 7919L);
        int[] lengths = {1, 2, 3, 7, 13, 16, 17, 31, 64};
        int b = 1 + r.nextInt(3);
        int i = lengths[r.nextInt(lengths.length)];
        int j = lengths[r.nextInt(lengths.length)];
        int heads = 1 + r.nextInt(4);
        int dimHead = new int[] {1, 3, 8, 16, 64}[r.nextInt(5)];
        int dim = 1 + r.nextInt(40);
        int contextDim = 1 + r.nextInt(40);
        boolean talking = r.nextBoolean();
        boolean prenorm = r.nextBoolean();
        String config = "b=" + b + " i=" + i + " j=" + j + " h=" + heads + " d=" + dimHead + " dim=" + dim + " ctx="
                + contextDim + " talking=" + talking + " prenorm=" + prenorm;
        var builder = BidirectionalCrossAttention.builder().dim(dim).contextDim(contextDim).heads(heads).dimHead(dimHead)
                .talkingHeads(talking).prenorm(prenorm);
        try (Arena arena = Arena.ofConfined();
             BidirectionalCrossAttention onNative = builder.build(NATIVE, seed);
             BidirectionalCrossAttention onJava = builder.build(JAVA, seed)) {
            Tensor x = Tensor.randn(arena, seed + 1, b, i, dim);
            Tensor context = Tensor.randn(arena, seed + 2, b, j, contextDim);
            BidirectionalOptionsBuilder o = BidirectionalOptions.builder();
            if (r.nextInt(3) != 0) {
                o.mask(randomMask(arena, r, b, i)).contextMask(randomMask(arena, r, b, j));
            }
            o.relPosBias(switch (r.nextInt(4)) {
                case 0 -> null;
                case 1 -> Tensor.randn(arena, seed + 3, heads, i, j);
                case 2 -> Tensor.randn(arena, seed + 4, b, heads, i, j);
                default -> Tensor.randn(arena, seed + 5, i, j);
            });
            BidirectionalOutput want = onJava.forward(arena, x, context, o.returnAttn(true).path(AttentionPath.MATERIALISED).build());
            BidirectionalOutput materialised = onNative.forward(arena, x, context, o.build());
            BidirectionalOutput fused = onNative.forward(arena, x, context, o.returnAttn(false).path(AttentionPath.FUSED).build());
            near(config + " materialised out", materialised.out(), want.out());
            near(config + " materialised context_out", materialised.contextOut(), want.contextOut());
            near(config + " attn", materialised.attn(), want.attn());
            near(config + " context_attn", materialised.contextAttn(), want.contextAttn());
            near(config + " fused out", fused.out(), want.out());
            near(config + " fused context_out", fused.contextOut(), want.contextOut());
        }
    }

    /** Random mask with, half the time, a fully masked first row and a fully masked last batch element. */
    private static Tensor randomMask(Arena arena, SplittableRandom r, int b, int n) {
        boolean[] m = new boolean[b * n];
        for (int k = 0; k < m.length; k++) {
            m[k] = r.nextInt(3) != 0;
        }
        if (r.nextBoolean()) {
            m[0] = false;
            for (int k = (b - 1) * n; k < b * n && b > 1; k++) {
                m[k] = false;
            }
        }
        return Tensor.ofBooleans(arena, m, b, n);
    }

    /** ≤ 1e-5 relative to the tensor's scale, plus 1e-6 absolute. */
    private static void near(String what, Tensor got, Tensor want) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        double scale = 0;
        for (float w : want.toFloatArray()) {
            scale = Math.max(scale, Math.abs(w));
        }
        double err = Golden.maxAbsDiff(got, want);
        assertTrue(err <= 1e-5 * scale + 1e-6, what + ": max |diff| " + err + " at scale " + scale);
    }
}
