package org.attn4j.nn;

import org.attn4j.Tensor;

/**
 * What a bidirectional forward pass returns.
 *
 * @param out         [b, i, dim]
 * @param contextOut  [b, j, contextDim]
 * @param attn        [b, h, i, j] softmax over j (after talking heads), or null unless returnAttn
 * @param contextAttn [b, h, i, j] softmax over i (not transposed), or null unless returnAttn
 */
public record BidirectionalOutput(Tensor out, Tensor contextOut, Tensor attn, Tensor contextAttn) {
}
