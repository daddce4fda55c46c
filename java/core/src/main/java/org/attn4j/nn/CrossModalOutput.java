package org.attn4j.nn;

import org.attn4j.Tensor;

/**
 * What a cross-modal forward pass returns.
 *
 * @param text   [b, nt, textDim]
 * @param vision [b, nv, visionDim]
 */
public record CrossModalOutput(Tensor text, Tensor vision) {
}
