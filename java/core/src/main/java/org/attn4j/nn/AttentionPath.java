package org.attn4j.nn;

/** How bidirectional cross attention is computed. */
public enum AttentionPath {
    /** FUSED unless attention weights are asked for, then MATERIALISED. */
    AUTO,
    /** The tiled native kernel: never holds the [b, h, i, j] matrix; cannot return attn. */
    FUSED,
    /** Similarity matrix by batched matmul, then the two softmaxes: O(b·h·i·j) memory. */
    MATERIALISED
}
