package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.attn4j.Tensor;

/**
 * The inputs of one BidirectionalCrossAttention forward (dim {@value #DIM}, context
 * {@value #CONTEXT_DIM}, {@value #HEADS} heads) among four that reach the branches a concurrency
 * defect hides in: length-1, odd and prime sequences, masks with fully masked rows (odd cases)
 * and a broadcast relative-position bias (the later two). Shared by ThreadSafetyTest and by
 * java/bench's Soak (through core's test jar), which runs the same check at full scale.
 */
public record ForwardCase(Tensor x, Tensor context, BidirectionalOptions options) {
    public static final int DIM = 32;
    public static final int CONTEXT_DIM = 24;
    public static final int HEADS = 4;

    /** These inputs on {@code path} (without attention weights). */
    public BidirectionalOptions on(AttentionPath path) {
        return new BidirectionalOptions(options.mask(), options.contextMask(), options.relPosBias(), false, path);
    }

    /** The four cases, their tensors in {@code shared} (an arena every calling thread may read). */
    public static List<ForwardCase> all(Arena shared) {
        long[][] bij = {{1, 1, 1}, {2, 7, 13}, {3, 17, 5}, {1, 31, 16}};
        List<ForwardCase> cases = new ArrayList<>();
        for (int c = 0; c < bij.length; c++) {
            long b = bij[c][0];
            long i = bij[c][1];
            long j = bij[c][2];
            boolean[] mask = new boolean[(int) (b * i)];
            boolean[] contextMask = new boolean[(int) (b * j)];
            for (int k = 0; k < mask.length; k++) {
                mask[k] = (k * 7 + c) % 5 != 0;
            }
            for (int k = 0; k < contextMask.length; k++) {
                contextMask[k] = (k * 3 + c) % 4 != 1;
            }
            BidirectionalOptionsBuilder o = BidirectionalOptions.builder();
            if (c % 2 == 1) {
                o.mask(Tensor.ofBooleans(shared, mask, b, i)).contextMask(Tensor.ofBooleans(shared, contextMask, b, j));
            }
            if (c >= 2) {
                o.relPosBias(Tensor.randn(shared, 100 + c, HEADS, i, j));
            }
            cases.add(new ForwardCase(Tensor.randn(shared, 10 + c, b, i, DIM), Tensor.randn(shared, 20 + c, b, j, CONTEXT_DIM),
                    o.build()));
        }
        return cases;
    }
}
