package org.attn4j.internal.backend;

/**
 * The complementary error function in double precision, for the reference GELU
 * (x · Φ(x) = 0.5 · x · erfc(−x / √2)). Two textbook expansions, each used where it converges
 * fast and loses nothing: a series with only positive terms below 3, the continued fraction
 * above. Relative error ≈ 1e-15 (below 3 the subtraction 1 − erf costs at most ≈ 1e-11).
 */
public final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private Erf() {
    }

    public static double erfc(double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        if (z < 0) {
            return 2 - erfc(-z); // erfc(−z) = 2 − erfc(z)
        }
        return z < 3 ? 1 - erfSeries(z) : erfcContinuedFraction(z);
    }

    // erf(z) = 2/√π · e^(−z²) · Σ_{n≥0} z · (2z²)^n / (1·3·…·(2n+1)): every term positive, no cancellation.
    private static double erfSeries(double z) {
        double z2 = z * z;
        double term = z;
        double sum = z;
        for (int n = 1; n < 500 && term > 1e-17 * sum; n++) {
            term *= 2 * z2 / (2 * n + 1);
            sum += term;
        }
        return TWO_OVER_SQRT_PI * Math.exp(-z2) * sum;
    }

    // erfc(z) = e^(−z²)/√π / (z + (1/2)/(z + (2/2)/(z + (3/2)/(z + ...)))), evaluated by modified Lentz.
    private static double erfcContinuedFraction(double z) {
        double f = z;
        double c = z;
        double d = 0;
        for (int n = 1; n < 500; n++) {
            double a = n / 2.0;
            d = 1 / (z + a * d);
            c = z + a / c;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
    }
}
