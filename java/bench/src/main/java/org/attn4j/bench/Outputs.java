package org.attn4j.bench;

/**
 * The two results of one forward pass, copied out for the agreement check:
 * out [b, i, dim] and contextOut [b, j, contextDim], row-major.
 */
public record Outputs(float[] out, float[] contextOut) {

    /** Largest |a − b| over both outputs; +∞ when lengths differ or any value is NaN or infinite. */
    public double maxAbsDiff(Outputs other) {
        return Math.max(maxAbsDiff(out, other.out), maxAbsDiff(contextOut, other.contextOut));
    }

    /** Largest |value| over both outputs (+∞ if any is not finite). */
    public double maxAbs() {
        double m = 0;
        for (float[] a : new float[][] {out, contextOut}) {
            for (float v : a) {
                if (!Float.isFinite(v)) {
                    return Double.POSITIVE_INFINITY;
                }
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int k = 0; k < a.length; k++) {
            double d = Math.abs((double) a[k] - b[k]);
            if (!(d <= m)) { // also catches NaN, which compares false
                if (Double.isNaN(d)) {
                    return Double.POSITIVE_INFINITY;
                }
                m = d;
            }
        }
        return m;
    }
}
