package org.attn4j.nn;

import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import org.attn4j.Backend;
import org.attn4j.Tensor;
import org.attn4j.internal.check.CrossModalInputs;
import org.attn4j.internal.module.Scratch;
import org.attn4j.internal.module.TensorAllocator;

/**
 * A module that updates a text sequence and a vision sequence together
 * ({@link CrossModalCrossAttention}, {@link CrossModalFusionBlock}).
 *
 * @param <C> the configuration record, which gives the widths of both sequences
 */
public abstract class TextVisionModule<C extends Record & TextVisionModule.Widths> extends ConfiguredModule<C> {
    TextVisionModule(C config, Backend backend, Arena weights) {
        super(config, backend, weights);
    }

    /**
     * text [b, nt, textDim] and vision [b, nv, visionDim] → both updated, from {@code allocator}.
     *
     * @param textMask   BOOL [b, nt], true = attend; null = none
     * @param visionMask BOOL [b, nv], true = attend; null = none
     */
    public CrossModalOutput forward(SegmentAllocator allocator, Tensor text, Tensor vision, Tensor textMask,
                                    Tensor visionMask) {
        TensorAllocator out = TensorAllocator.of(allocator);
        return call(scratch -> compute(scratch, out, CrossModalInputs.check(text, vision, textMask, visionMask,
                config.textDim(), config.visionDim(), scratch.arena())));
    }

    /** Same without masks. */
    public CrossModalOutput forward(SegmentAllocator allocator, Tensor text, Tensor vision) {
        return forward(allocator, text, vision, null, null);
    }

    /** The module's computation on checked inputs; results from {@code out}. */
    abstract CrossModalOutput compute(Scratch scratch, TensorAllocator out, CrossModalInputs in);

    /** The widths a configuration gives (its record components of these names). */
    public interface Widths {
        int textDim();

        int visionDim();
    }
}
