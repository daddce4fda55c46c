package org.attn4j.nn;

import org.attn4j.Tensor;

/**
 * What an attention forward pass returns.
 *
 * @param output  the attended values (shape per module: [b, h, i, dv] for scaled dot-product
 *                attention, [b, i, embed] for multi-head attention, ...)
 * @param weights the attention weights when asked for ([b, h, i, j], or averaged over heads
 *                [b, i, j]), else null
 */
public record AttentionOutput(Tensor output, Tensor weights) {
}
