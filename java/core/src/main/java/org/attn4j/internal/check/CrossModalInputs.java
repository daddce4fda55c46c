package org.attn4j.internal.check;

import java.lang.foreign.Arena;
import org.attn4j.Tensor;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.tensor.Shapes;

/** The checked inputs of a cross-modal forward: both sequences as F32, one batch, masks BOOL [b, n]. */
public record CrossModalInputs(Tensor text, Tensor vision, Tensor textMask, Tensor visionMask) {

    public static CrossModalInputs check(Tensor text, Tensor vision, Tensor textMask, Tensor visionMask, int textDim,
                                  int visionDim, Arena arena) {
        Tensor t = SequenceInputs.sequence("text", text, textDim, true, false, arena);
        Tensor v = SequenceInputs.sequence("vision", vision, visionDim, true, false, arena);
        if (v.shape(0) != t.shape(0)) {
            throw new IllegalArgumentException("vision: expected batch " + t.shape(0) + " (as text), got "
                    + Shapes.toString(vision.shape()));
        }
        Masks.sequenceMask("textMask", textMask, t.shape(0), t.shape(1));
        Masks.sequenceMask("visionMask", visionMask, t.shape(0), v.shape(1));
        return new CrossModalInputs(t, v, textMask, visionMask);
    }
}
