package org.attn4j.text;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.attn4j.DType;
import org.attn4j.Tensor;

/**
 * Copies named parameters out of a file's mapping into the model's arena (64-byte aligned,
 * logical row-major layout), checking each name and shape, and finally that the file held no
 * encoder parameter the model did not use (a sign of a different architecture).
 */
final class WeightCopier {
    private final BertWeights w;
    private final Arena arena;
    private final Set<String> used = new HashSet<>();

    WeightCopier(BertWeights w, Arena arena) {
        this.w = w;
        this.arena = arena;
    }

    Tensor matrix(String name, long rows, long cols) {
        Weight x = get(name, rows, cols);
        Tensor t = empty(rows, cols);
        x.copyTo(t.segment(), 0);
        return t;
    }

    Tensor vector(String name, long n) {
        Weight x = get(name, n);
        Tensor t = empty(n);
        x.copyTo(t.segment(), 0);
        return t;
    }

    /** Parameters of equal shape stacked along dim 0: [k·rows, cols] (cols &gt; 0) or [k·n] (cols = 0). */
    Tensor stacked(long cols, String... names) {
        long rows = w.config.hiddenSize(); // q, k, v: [H, H] weights and [H] biases
        Tensor t = cols > 0 ? empty(names.length * rows, cols) : empty(names.length * rows);
        long bytes = rows * Math.max(cols, 1) * 4;
        for (int k = 0; k < names.length; k++) {
            Weight x = cols > 0 ? get(names[k], rows, cols) : get(names[k], rows);
            x.copyTo(t.segment(), k * bytes);
        }
        return t;
    }

    Tensor empty(long... shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        MemorySegment s = arena.allocate(n * 4, 64);
        return Tensor.wrap(s, DType.F32, shape);
    }

    private Weight get(String name, long... shape) {
        Weight x = w.weights.get(name);
        if (x == null) {
            throw new IllegalArgumentException("missing parameter " + name + " (or bert." + name + "); the file has "
                    + w.names());
        }
        if (!Arrays.equals(x.shape(), shape)) {
            throw new IllegalArgumentException(x.source() + ": expected shape " + Arrays.toString(shape) + " for " + name
                    + " (config " + w.config + "), got " + Arrays.toString(x.shape()));
        }
        used.add(name);
        return x;
    }

    void checkAllUsed() {
        Set<String> extra = new TreeSet<>();
        for (String k : w.weights.keySet()) {
            if (!used.contains(k) && !BertWeights.unused(k)) {
                extra.add(k);
            }
        }
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException("parameters a BERT encoder of config " + w.config + " does not have: " + extra);
        }
    }
}
