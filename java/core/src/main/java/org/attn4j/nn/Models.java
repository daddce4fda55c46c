package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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

    /** How one module class loads from a file. */
    private interface Loader {
        Module load(Path file, Backend backend) throws IOException;
    }

    // Every module class by its __metadata__ class name: a new module joins with one line.
    private static final Map<String, Loader> LOADERS = Map.ofEntries(
            Map.entry(BidirectionalCrossAttention.CLASS_NAME, BidirectionalCrossAttention::load),
            Map.entry(BidirectionalCrossAttentionTransformer.CLASS_NAME, BidirectionalCrossAttentionTransformer::load),
            Map.entry(MultiheadAttention.CLASS_NAME, MultiheadAttention::load),
            Map.entry(TransformerEncoderLayer.CLASS_NAME, TransformerEncoderLayer::load),
            Map.entry(TransformerDecoderLayer.CLASS_NAME, TransformerDecoderLayer::load),
            Map.entry(AdditiveAttention.CLASS_NAME, AdditiveAttention::load),
            Map.entry(LuongAttention.CLASS_NAME, LuongAttention::load),
            Map.entry(TopKAttention.CLASS_NAME, TopKAttention::load),
            Map.entry(SlidingWindowAttention.CLASS_NAME, SlidingWindowAttention::load),
            Map.entry(LowRankAttention.CLASS_NAME, LowRankAttention::load),
            Map.entry(FusedQkvAttention.CLASS_NAME, FusedQkvAttention::load),
            Map.entry(LinearAttention.CLASS_NAME, LinearAttention::load),
            Map.entry(CosineSimilarityAttention.CLASS_NAME, CosineSimilarityAttention::load),
            Map.entry(CrossModalCrossAttention.CLASS_NAME, CrossModalCrossAttention::load),
            Map.entry(CrossModalFusionBlock.CLASS_NAME, CrossModalFusionBlock::load));

    /** The class names {@link #load} knows, sorted. */
    public static Set<String> classNames() {
        return new TreeSet<>(LOADERS.keySet());
    }

    /** Loads whichever module class the file names; IllegalArgumentException names an unknown class or a bad tensor. */
    public static Module load(Path file, Backend backend) throws IOException {
        String cls = className(file);
        Loader loader = LOADERS.get(cls);
        if (loader == null) {
            throw new IllegalArgumentException(file + ": unknown module class " + cls + " (expected one of " + classNames() + ")");
        }
        return loader.load(file, backend);
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
