package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.junit.jupiter.api.AfterAll;

/**
 * Jazzer fuzz target for the public module API: random configurations, shapes (empty ones
 * included), dtypes, strided views, masks and biases of right and wrong shapes and dtypes, paths
 * and returnAttn, and a few poisoned values. A forward either succeeds on both backends with
 * agreeing results or is refused with IllegalArgumentException by both, before any downcall;
 * any other exception (a native status, an index error, a crash) is a finding.
 *
 * <p>{@code mvn verify} replays the seeds under src/test/resources/org/attn4j/nn/ModuleFuzzTestInputs/;
 * fuzz for real with {@code JAZZER_FUZZ=1 mvn -pl java/core -am test-compile surefire:test
 * -Dtest=ModuleFuzzTest}.
 */
class ModuleFuzzTest {
    private static final Backend NATIVE = Backends.nativeBackend(1);
    private static final Backend JAVA = Backends.javaReference();
    private static final DType[] DTYPES = DType.values();

    @AfterAll
    static void close() {
        NATIVE.close();
        JAVA.close();
    }

    @FuzzTest(maxDuration = "10s")
    void forward(FuzzedDataProvider data) {
        int dim = data.consumeInt(1, 9);
        int contextDim = data.consumeInt(1, 9);
        int heads = data.consumeInt(1, 3);
        int dimHead = data.consumeInt(1, 5);
        boolean talking = data.consumeBoolean();
        boolean prenorm = data.consumeBoolean();
        int b = data.consumeInt(0, 3);
        int i = data.consumeInt(0, 6);
        int j = data.consumeInt(0, 6);
        long seed = data.consumeLong();
        var builder = BidirectionalCrossAttention.builder().dim(dim).contextDim(contextDim).heads(heads).dimHead(dimHead)
                .talkingHeads(talking).prenorm(prenorm);
        try (Arena arena = Arena.ofConfined();
             BidirectionalCrossAttention onNative = builder.build(NATIVE, seed);
             BidirectionalCrossAttention onJava = builder.build(JAVA, seed)) {
            boolean[] wild = {false}; // a poisoned value of magnitude ≥ 1e4 or non-finite: rounding may differ in kind
            Tensor x = input(data, arena, seed + 1, b, i, dim, wild);
            Tensor context = input(data, arena, seed + 2, b, j, contextDim, wild);
            BidirectionalOptions options;
            try {
                options = new BidirectionalOptions(mask(data, arena, b, i), mask(data, arena, b, j),
                        bias(data, arena, seed + 3, b, heads, i, j), data.consumeBoolean(),
                        AttentionPath.values()[data.consumeInt(0, 2)]);
            } catch (IllegalArgumentException refused) { // FUSED with returnAttn
                return;
            }
            BidirectionalOutput got;
            try {
                got = onNative.forward(arena, x, context, options);
            } catch (IllegalArgumentException refused) {
                IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> onJava.forward(arena, x, context, options));
                assertEquals(refused.getMessage(), e.getMessage(), "both backends refuse alike");
                return;
            }
            BidirectionalOutput want = onJava.forward(arena, x, context,
                    new BidirectionalOptions(options.mask(), options.contextMask(), options.relPosBias(), options.returnAttn(),
                            AttentionPath.MATERIALISED));
            assertArrayEquals(want.out().shape(), got.out().shape(), "out: shape");
            assertArrayEquals(want.contextOut().shape(), got.contextOut().shape(), "context_out: shape");
            if (wild[0]) {
                return;
            }
            near("out", got.out(), want.out());
            near("context_out", got.contextOut(), want.contextOut());
            if (options.returnAttn()) {
                near("attn", got.attn(), want.attn());
                near("context_attn", got.contextAttn(), want.contextAttn());
            }
        }
    }

    /** [b, n, features] of a fuzzed dtype, sometimes a strided view, sometimes of a wrong shape, with a poisoned value. */
    private static Tensor input(FuzzedDataProvider data, Arena arena, long seed, int b, int n, int features,
                                boolean[] wild) {
        int kind = data.consumeInt(0, 7);
        Tensor t = switch (kind) {
            case 0 -> Tensor.randn(arena, seed, b, features, n).transpose(1, 2);          // strided view
            case 1 -> Tensor.randn(arena, seed, b, n, features + 1).slice(2, 1, features + 1); // offset rows
            case 2 -> Tensor.randn(arena, seed, b, n, features + data.consumeInt(1, 2));  // wrong features
            case 3 -> Tensor.randn(arena, seed, n, features);                               // wrong rank
            default -> Tensor.randn(arena, seed, b, n, features);
        };
        if (t.numel() > 0 && data.consumeBoolean()) {
            long[] at = new long[t.rank()];
            for (int k = 0; k < at.length; k++) {
                at[k] = data.consumeLong(0, t.shape(k) - 1);
            }
            float poison = data.consumeFloat(); // any float: NaN, ±Inf, huge, subnormal
            wild[0] |= !(Math.abs(poison) < 1e4f);
            t.setFloat(poison, at);
        }
        DType dtype = DTYPES[data.consumeInt(0, DTYPES.length - 1)];
        return dtype == DType.F32 ? t : t.to(dtype, arena);
    }

    private static Tensor mask(FuzzedDataProvider data, Arena arena, int b, int n) {
        return switch (data.consumeInt(0, 5)) {
            case 0 -> Tensor.randn(arena, 9, b, n);                          // wrong dtype
            case 1 -> Tensor.zeros(arena, DType.BOOL, b, n + 1);             // wrong shape
            case 2, 3 -> {
                boolean[] m = new boolean[b * n];
                for (int k = 0; k < m.length; k++) {
                    m[k] = data.consumeBoolean();
                }
                yield Tensor.ofBooleans(arena, m, b, n);
            }
            default -> null;
        };
    }

    private static Tensor bias(FuzzedDataProvider data, Arena arena, long seed, int b, int heads, int i, int j) {
        return switch (data.consumeInt(0, 7)) {
            case 0 -> Tensor.randn(arena, seed, heads, i, j);
            case 1 -> Tensor.randn(arena, seed, i, j);
            case 2 -> Tensor.randn(arena, seed, b, heads, i, j);
            case 3 -> Tensor.randn(arena, seed, 1, 1, 1, j);
            case 4 -> Tensor.randn(arena, seed, heads + 1, i, j);                 // not broadcastable
            case 5 -> Tensor.zeros(arena, DType.BOOL, i, j);                     // wrong dtype
            default -> null;
        };
    }

    /** FamilyAssert.closeToScale within 1e-4 of the tensor's finite scale (+ 1e-5). */
    private static void near(String what, Tensor got, Tensor want) {
        FamilyAssert.closeToScale(what, got, want, 1e-4, 1e-5);
    }
}
