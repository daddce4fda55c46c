package org.attn4j.internal.module;

/**
 * How PyTorch initialises a fresh parameter, so that modules built without weights start as
 * the reference's do: Linear and Conv2d draw U(−1/√fan_in, 1/√fan_in) for weight and bias
 * (kaiming_uniform with a = √5 reduces to that bound), norms start at ones.
 *
 * @param bound half-width of the uniform distribution; ignored for ones
 * @param fillOnes fill with 1 instead of drawing
 */
public record Init(double bound, boolean fillOnes) {
    public static Init uniformFanIn(long fanIn) {
        return new Init(fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0.0, false);
    }

    public static Init ones() {
        return new Init(0, true);
    }
}
