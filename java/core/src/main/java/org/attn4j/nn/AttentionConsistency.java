package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.attn4j.internal.tensor.Shapes;
import org.attn4j.Tensor;

/**
 * Attention consistency: how far the attention maps of a module move when its inputs are
 * perturbed, as the mean Jensen-Shannon divergence per head.
 *
 * <p>Definition. For each of N samples, every data input x of the probe (not the masks) becomes
 * x' = x + noise · rms(x) · ε, with rms(x) = √(mean of x²) over the whole tensor and ε ~ N(0, 1)
 * element-wise. For each attention map, each head h and each row r (a query's distribution over
 * the keys): JS(P, Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M), M = (P + Q) / 2, in <b>nats</b> (natural
 * logarithm; 0 ≤ JS ≤ ln 2 ≈ 0.693; 0 ln 0 = 0), between the clean row P and the perturbed row Q.
 * The value of head h is the mean of JS over samples, batch and rows. Rows that are NaN in the
 * clean map (a query that sees no key) are left out; a NaN in a perturbed row whose clean row is
 * a distribution makes the head NaN. A head with no row left is NaN.
 *
 * <p>Randomness: one {@link SplittableRandom} seeded with {@code seed} draws ε with
 * {@code nextGaussian()}, sample after sample, data input after data input in the probe's order,
 * elements in row-major order; the same seed gives the same values on every machine.
 */
public final class AttentionConsistency {
    private AttentionConsistency() {
    }

    /**
     * Per map name, the per-head mean JS divergence (nats) over {@code samples} perturbations of
     * relative scale {@code noise}, drawn from {@code seed}.
     */
    public static Map<String, double[]> measure(AttentionProbe probe, Map<String, Tensor> inputs, double noise, int samples,
                                                long seed) {
        checkProbe(probe, inputs);
        if (samples < 1) {
            throw new IllegalArgumentException("samples: expected a value >= 1, got " + samples);
        }
        SplittableRandom random = new SplittableRandom(seed);
        try (Arena arena = Arena.ofConfined()) {
            List<Map<String, Tensor>> draws = new ArrayList<>();
            for (int s = 0; s < samples; s++) {
                Map<String, Tensor> eps = new LinkedHashMap<>();
                for (String name : probe.dataInputs()) {
                    Tensor x = inputs.get(name);
                    if (x != null) {
                        float[] e = new float[Math.toIntExact(x.numel())];
                        for (int k = 0; k < e.length; k++) {
                            e[k] = (float) random.nextGaussian();
                        }
                        eps.put(name, Tensor.of(arena, e, x.shape()));
                    }
                }
                draws.add(eps);
            }
            return measure(probe, inputs, noise, draws);
        }
    }

    /**
     * As {@link #measure(AttentionProbe, Map, double, int, long)} with the standard normal draws
     * given: one map per sample, data input name → ε of that input's shape (what a PyTorch
     * implementation of the definition can share with this one).
     */
    public static Map<String, double[]> measure(AttentionProbe probe, Map<String, Tensor> inputs, double noise,
                                                List<Map<String, Tensor>> draws) {
        checkProbe(probe, inputs);
        if (!(noise >= 0) || !Double.isFinite(noise)) {
            throw new IllegalArgumentException("noise: expected a finite value >= 0, got " + noise);
        }
        if (draws == null || draws.isEmpty()) {
            throw new IllegalArgumentException("draws: expected at least one sample");
        }
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> clean = probe.attention(arena, inputs);
            Map<String, double[]> sums = new LinkedHashMap<>();
            Map<String, double[]> rows = new HashMap<>();
            for (Map<String, Tensor> eps : draws) {
                try (Arena sample = Arena.ofConfined()) {
                    Map<String, Tensor> perturbed = new HashMap<>(inputs);
                    for (String name : probe.dataInputs()) {
                        if (inputs.get(name) != null) {
                            perturbed.put(name, perturb(name, inputs.get(name), eps == null ? null : eps.get(name), noise, sample));
                        }
                    }
                    Map<String, Tensor> moved = probe.attention(sample, perturbed);
                    for (Map.Entry<String, Tensor> e : clean.entrySet()) {
                        accumulate(e.getKey(), e.getValue(), moved.get(e.getKey()), sums, rows);
                    }
                }
            }
            Map<String, double[]> result = new LinkedHashMap<>();
            sums.forEach((name, total) -> {
                double[] n = rows.get(name);
                double[] mean = new double[total.length];
                for (int h = 0; h < mean.length; h++) {
                    mean[h] = total[h] / n[h]; // no row: 0 / 0 = NaN
                }
                result.put(name, mean);
            });
            return result;
        }
    }

    /**
     * The Jensen-Shannon divergence (nats) of each row of p and q ([..., n], equal shapes, rows
     * of probabilities): one value per row, NaN where either row holds NaN.
     */
    public static double[] jensenShannon(Tensor p, Tensor q) {
        if (p == null || q == null || !Arrays.equals(p.shape(), q.shape()) || p.rank() < 1) {
            throw new IllegalArgumentException("p, q: expected two maps of one shape [..., n], got "
                    + (p == null ? "null" : Shapes.toString(p.shape())) + " and " + (q == null ? "null" : Shapes.toString(q.shape())));
        }
        float[] a = p.toFloatArray();
        float[] b = q.toFloatArray();
        int n = Math.toIntExact(p.shape(-1));
        double[] js = new double[n == 0 ? 0 : a.length / n];
        for (int r = 0; r < js.length; r++) {
            js[r] = row(a, b, r * n, n);
        }
        return js;
    }

    /** JS of rows a[off, off + n) and b[off, off + n) in nats. */
    private static double row(float[] a, float[] b, int off, int n) {
        double klA = 0;
        double klB = 0;
        for (int c = off; c < off + n; c++) {
            double pa = a[c];
            double pb = b[c];
            if (Double.isNaN(pa) || Double.isNaN(pb)) {
                return Double.NaN;
            }
            if (pa < 0 || pb < 0) {
                throw new IllegalArgumentException("attention maps: expected probabilities (>= 0), got " + Math.min(pa, pb)
                        + " at element " + c);
            }
            double m = (pa + pb) / 2;
            klA += pa > 0 ? pa * Math.log(pa / m) : 0;
            klB += pb > 0 ? pb * Math.log(pb / m) : 0;
        }
        return Math.max(0, (klA + klB) / 2); // ≥ 0 in exact arithmetic
    }

    /** Adds the JS of every row of one sample to the per-head sums of map {@code name}. */
    private static void accumulate(String name, Tensor clean, Tensor moved, Map<String, double[]> sums,
                                   Map<String, double[]> rows) {
        if (clean.rank() != 4 || moved == null || !Arrays.equals(clean.shape(), moved.shape())) {
            throw new IllegalArgumentException(name + ": expected attention maps [b, h, rows, keys] of one shape, got "
                    + Shapes.toString(clean.shape()) + " and " + (moved == null ? "none" : Shapes.toString(moved.shape())));
        }
        int heads = Math.toIntExact(clean.shape(1));
        long perHead = clean.shape(2);
        double[] cleanNan = jensenShannon(clean, clean); // NaN exactly on the clean rows that hold NaN
        double[] js = jensenShannon(clean, moved);
        double[] total = sums.computeIfAbsent(name, k -> new double[heads]);
        double[] count = rows.computeIfAbsent(name, k -> new double[heads]);
        for (int r = 0; r < js.length; r++) {
            if (!Double.isNaN(cleanNan[r])) {
                int h = (int) (r / perHead % heads); // rows in [b, h, rows] order
                total[h] += js[r];
                count[h] += 1;
            }
        }
    }

    /** x + noise · rms(x) · eps as a new F32 tensor in {@code arena}. */
    private static Tensor perturb(String name, Tensor x, Tensor eps, double noise, Arena arena) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(name + ": expected a float tensor to perturb, got " + x.dtype());
        }
        if (eps == null || !Arrays.equals(eps.shape(), x.shape())) {
            throw new IllegalArgumentException("draws: " + name + ": expected noise of shape " + Shapes.toString(x.shape())
                    + ", got " + (eps == null ? "none" : Shapes.toString(eps.shape())));
        }
        float[] v = x.toFloatArray();
        float[] e = eps.toFloatArray();
        double squares = 0;
        for (float f : v) {
            squares += (double) f * f;
        }
        double sigma = v.length == 0 ? 0 : noise * Math.sqrt(squares / v.length);
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) (v[k] + sigma * e[k]);
        }
        return Tensor.of(arena, v, x.shape());
    }

    private static void checkProbe(AttentionProbe probe, Map<String, Tensor> inputs) {
        if (probe == null || inputs == null) {
            throw new IllegalArgumentException("probe and inputs must not be null");
        }
        for (String name : inputs.keySet()) {
            if (!probe.inputs().contains(name)) {
                throw new IllegalArgumentException("inputs: unexpected tensor " + name + " (expected "
                        + String.join(", ", probe.inputs()) + ")");
            }
        }
    }
}
