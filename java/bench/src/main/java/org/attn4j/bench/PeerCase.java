package org.attn4j.bench;

/**
 * One case of {@code ./attn4j bench peers}: the attention core ("sdpa": q, k, v [b, n, h·d] →
 * out [b, n, h·d]) or nn.MultiheadAttention's self attention ("mha": x [b, n, E] → y [b, n, E],
 * E = h·d), causal or not, and the useful work it takes.
 */
record PeerCase(String kind, boolean causal, int batch, int n, int heads, int dimHead) {

    int embed() {
        return heads * dimHead;
    }

    /**
     * Floating-point operations (a multiply-add counts 2): q·kᵀ and weights·v, 4·b·h·n²·d, halved
     * when causal (only the keys at or before each query are work); for "mha" also the four
     * E × E projections, 8·b·n·E².
     */
    double usefulFlops() {
        double attention = 4.0 * batch * heads * (double) n * n * dimHead * (causal ? 0.5 : 1.0);
        double projections = kind.equals("mha") ? 8.0 * batch * n * (double) embed() * embed() : 0;
        return attention + projections;
    }

    @Override
    public String toString() {
        return (kind.equals("sdpa") ? "SDPA core" : "MultiheadAttention") + (causal ? ", causal" : "");
    }
}
