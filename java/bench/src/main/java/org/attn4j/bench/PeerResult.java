package org.attn4j.bench;

/**
 * What a peer of {@code ./attn4j bench peers} gives back for one case: its output (row-major, for
 * the check against attn4j's) and the timed runs in milliseconds; or, when it could not run, why.
 */
record PeerResult(float[] output, double[] ms, String unavailable) {

    static PeerResult of(float[] output, double[] ms) {
        return new PeerResult(output, ms, null);
    }

    static PeerResult unavailable(String why) {
        return new PeerResult(null, null, why);
    }
}
