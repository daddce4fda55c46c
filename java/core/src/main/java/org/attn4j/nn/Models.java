package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Set;
import org.attn4j.Backend;
import org.attn4j.internal.module.Metadata;
import org.attn4j.io.SafeTensors;

/** Loads whichever module a safetensors file's {@code __metadata__.class} names. */
public final class Models {
    private Models() {
    }

    /** The class name a model file declares, read from its header alone. */
    public static String className(Path file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return new Metadata(SafeTensors.open(file, arena).metadata()).className();
        }
    }

    /** The class names {@link #load} knows ({@link ModuleClasses}), sorted. */
    public static Set<String> classNames() {
        return ModuleClasses.names();
    }

    /** Loads whichever module class the file names; IllegalArgumentException names an unknown class or a bad tensor. */
    public static Module load(Path file, Backend backend) throws IOException {
        String cls = className(file);
        ModuleClass moduleClass;
        try {
            moduleClass = ModuleClasses.of(cls);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return moduleClass.load(file, backend);
    }

    /**
     * Loads a module of class {@code type} ({@code Models.load(file, MultiheadAttention.class, backend)});
     * IllegalArgumentException where the file names another class or {@code type} is not a module class.
     */
    public static <M extends Module> M load(Path file, Class<M> type, Backend backend) throws IOException {
        return type.cast(ModuleClasses.of(type).load(file, backend));
    }

    /** Loads a bidirectional module (x and context both ways); IllegalArgumentException for any other class. */
    public static BidirectionalModule loadBidirectional(Path file, Backend backend) throws IOException {
        String cls = className(file);
        if (!cls.equals(BidirectionalCrossAttention.CLASS_NAME) && !cls.equals(BidirectionalCrossAttentionTransformer.CLASS_NAME)) {
            throw new IllegalArgumentException(file + ": unknown module class " + cls + " (expected "
                    + BidirectionalCrossAttention.CLASS_NAME + " or " + BidirectionalCrossAttentionTransformer.CLASS_NAME + ")");
        }
        return (BidirectionalModule) load(file, backend);
    }
}
