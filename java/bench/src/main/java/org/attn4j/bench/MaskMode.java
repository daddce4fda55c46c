package org.attn4j.bench;

import java.util.Locale;

/** Which masks every contender gets: all true (as the reference README passes them), random, or none. */
public enum MaskMode {
    /** mask [b, i] and context_mask [b, j] all true: the README example's call, the default. */
    ONES,
    /** Each position kept with probability 0.8 (seeded), so some rows and columns are masked. */
    RANDOM,
    /** No masks passed at all (ONNX Runtime then runs model.onnx instead of model_masks.onnx). */
    NONE;

    static MaskMode parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "ones", "true", "all" -> ONES;
            case "random" -> RANDOM;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("--masks: expected ones, random or none, got \"" + text + "\"");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
