package org.attn4j.nn;

/**
 * How a module computes its attention: by the fused tiled kernel (online softmax, no score
 * matrix held) or by materialising the scores. Every module's options take one.
 */
public enum AttentionPath {
    /**
     * Chosen per call from the shape: MATERIALISED when attention weights are asked for or
     * the score matrices are small, FUSED otherwise (BidirectionalOptions.pathFor says where
     * the line is for bidirectional attention).
     */
    AUTO,
    /** The tiled native kernel: never holds the [b, h, i, j] matrix; cannot return attn. */
    FUSED,
    /** Similarity matrix by batched matmul, then the two softmaxes: O(b·h·i·j) memory. */
    MATERIALISED
}
