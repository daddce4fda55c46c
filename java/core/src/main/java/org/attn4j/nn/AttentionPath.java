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
    MATERIALISED;

    /** The rule of every options record: a path is given (null is an error). */
    static void check(AttentionPath path) {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null (use AttentionPath.AUTO)");
        }
    }

    /**
     * The rule of the options records that can ask for the weights: as {@link #check(AttentionPath)},
     * and FUSED is not asked for together with the weights, which it never holds. {@code weightsFlag}
     * names the option that asks for them ("needWeights"), {@code weights} what they are ("the weights").
     */
    static void check(AttentionPath path, boolean weightsWanted, String weightsFlag, String weights) {
        check(path);
        if (weightsWanted && path == FUSED) {
            throw new IllegalArgumentException(weightsFlag + " needs the MATERIALISED (or AUTO) path: the fused kernel never holds "
                    + weights);
        }
    }
}
