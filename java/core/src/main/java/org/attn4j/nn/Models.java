package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.attn4j.Backend;
import org.attn4j.internal.module.Metadata;
import org.attn4j.io.SafeTensors;

/** Loads whichever bidirectional module a safetensors file's {@code __metadata__.class} names. */
public final class Models {
    private Models() {
    }

    /** The class name a model file declares, read from its header alone. */
    public static String className(Path file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return new Metadata(SafeTensors.open(file, arena).metadata()).className();
        }
    }

    /** Loads the module; IllegalArgumentException names an unknown class or a bad tensor. */
    public static BidirectionalModule load(Path file, Backend backend) throws IOException {
        String cls = className(file);
        return switch (cls) {
            case BidirectionalCrossAttention.CLASS_NAME -> BidirectionalCrossAttention.load(file, backend);
            case BidirectionalCrossAttentionTransformer.CLASS_NAME -> BidirectionalCrossAttentionTransformer.load(file, backend);
            default -> throw new IllegalArgumentException(file + ": unknown module class " + cls + " (expected "
                    + BidirectionalCrossAttention.CLASS_NAME + " or " + BidirectionalCrossAttentionTransformer.CLASS_NAME + ")");
        };
    }
}
