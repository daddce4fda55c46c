package org.attn4j.bench;

import java.util.Arrays;

/** Median, minimum and maximum of a sample of timings (milliseconds). */
public record Stats(double median, double min, double max, int count) {

    /** Summarises {@code ms}; throws when it is empty (nothing was timed). */
    public static Stats of(double[] ms) {
        if (ms.length == 0) {
            throw new IllegalArgumentException("timings: expected at least one, got none");
        }
        double[] s = ms.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
        return new Stats(median, s[0], s[n - 1], n);
    }
}
