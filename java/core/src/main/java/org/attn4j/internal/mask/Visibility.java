package org.attn4j.internal.mask;

import org.attn4j.Tensor;

/**
 * Which keys each query sees, in the backend's convention (Backend#sdpaFused): BOOL masks with
 * true = attend, already expanded to [b, h, i, j] views (zero strides, no copy), an additive F32
 * bias likewise, a window (negative = unbounded) and global tokens. Built from the users'
 * conventions (PyTorch's true = masked, SDPA's true = attend) by {@link Masks}.
 *
 * @param bias           F32 [b, h, i, j] view, or null
 * @param mask           BOOL [b, h, i, j] view (true = attend), or null
 * @param keyPaddingMask BOOL [b, j] (true = attend), or null
 * @param globalTokens   BOOL [b, n] (true = global), or null
 * @param windowLeft     a query sees keys at most this far behind it; negative = unbounded
 * @param windowRight    a query sees keys at most this far ahead of it; negative = unbounded (0 = causal)
 */
public record Visibility(Tensor bias, Tensor mask, Tensor keyPaddingMask, Tensor globalTokens, long windowLeft,
                  long windowRight) {
}
