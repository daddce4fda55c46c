package org.attn4j.spark;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.attn4j.nn.BidirectionalCrossAttentionTransformer;
import org.attn4j.nn.BidirectionalModule;
import org.attn4j.nn.BidirectionalOutput;
import org.attn4j.nn.EncoderLayerOptions;
import org.attn4j.nn.BidirectionalOptions;
import org.attn4j.nn.MhaOptions;
import org.attn4j.nn.Models;
import org.attn4j.nn.Module;
import org.attn4j.nn.MultiheadAttention;
import org.attn4j.nn.TransformerEncoderLayer;
import org.attn4j.nn.AttentionPath;

/**
 * One attn4j module file loaded on one backend, behind the two shapes of call the applier makes:
 * two sequences (bidirectional cross attention and its transformer) or one sequence (multi-head
 * self attention, a transformer encoder layer). Thread-safe, as the modules are; {@link #close()}
 * frees the module, then its backend.
 */
abstract sealed class LoadedModule implements AutoCloseable {
    /** Module classes (safetensors {@code __metadata__.class}) that take x and context. */
    static final List<String> TWO_SEQUENCE = List.of(BidirectionalCrossAttention.CLASS_NAME,
            BidirectionalCrossAttentionTransformer.CLASS_NAME);
    /** Module classes that take one sequence. */
    static final List<String> ONE_SEQUENCE = List.of(MultiheadAttention.CLASS_NAME, TransformerEncoderLayer.CLASS_NAME);

    final Backend backend;

    private LoadedModule(Backend backend) {
        this.backend = backend;
    }

    /** True when {@code className} takes (x, context); IllegalArgumentException names the supported classes. */
    static boolean isTwoSequence(String className, Path file) {
        if (TWO_SEQUENCE.contains(className)) {
            return true;
        }
        if (ONE_SEQUENCE.contains(className)) {
            return false;
        }
        throw new IllegalArgumentException(file + ": module class " + className + " is not one the Spark applier runs (expected one of "
                + String.join(", ", TWO_SEQUENCE) + ", " + String.join(", ", ONE_SEQUENCE) + ")");
    }

    /** Loads {@code file} on a native backend of {@code threads} threads (which it owns). */
    static LoadedModule load(Path file, int threads) throws IOException {
        String cls = Models.className(file);
        boolean two = isTwoSequence(cls, file);
        Backend backend = Backends.nativeBackend(threads);
        try {
            if (two) {
                return new TwoSequence(backend, Models.loadBidirectional(file, backend));
            }
            Module m = cls.equals(MultiheadAttention.CLASS_NAME) ? Models.load(file, MultiheadAttention.class, backend)
                    : Models.load(file, TransformerEncoderLayer.class, backend);
            return new OneSequence(backend, m);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** Width of each x position. */
    abstract int dim();

    /** Width of each context position (0 for one-sequence modules). */
    abstract int contextDim();

    abstract void closeModule();

    @Override
    public void close() {
        try {
            closeModule();
        } finally {
            backend.close();
        }
    }

    /** Bidirectional cross attention or its transformer: (x, context) → (out, contextOut). */
    static final class TwoSequence extends LoadedModule {
        private final BidirectionalModule module;

        TwoSequence(Backend backend, BidirectionalModule module) {
            super(backend);
            this.module = module;
        }

        /**
         * x [g, i, dim], context [g, j, contextDim], masks BOOL [g, i] / [g, j] or null (true =
         * a real position) → out [g, i, dim] and contextOut [g, j, contextDim] from {@code arena}.
         */
        BidirectionalOutput forward(Arena arena, Tensor x, Tensor context, Tensor mask, Tensor contextMask) {
            return module.forward(arena, x, context, BidirectionalOptions.builder().mask(mask).contextMask(contextMask).build());
        }

        @Override
        int dim() {
            return module.dim();
        }

        @Override
        int contextDim() {
            return module.contextDim();
        }

        @Override
        void closeModule() {
            module.close();
        }
    }

    /** MultiheadAttention (self attention) or TransformerEncoderLayer: x → out, same shape. */
    static final class OneSequence extends LoadedModule {
        private final Module module;
        private final boolean batchFirst;
        private final int dim;

        OneSequence(Backend backend, Module module) {
            super(backend);
            this.module = module;
            // PyTorch's default layout is [n, b, dim]; the metadata says which one the weights were saved with.
            this.batchFirst = Boolean.parseBoolean(module.metadata().getOrDefault("batch_first", "false").toLowerCase(java.util.Locale.ROOT));
            this.dim = module instanceof MultiheadAttention mha ? mha.config().embedDim() : ((TransformerEncoderLayer) module).config().dModel();
        }

        /**
         * x [g, n, dim], mask BOOL [g, n] or null (true = a real position; PyTorch's key padding
         * mask is its negation) → out [g, n, dim] from {@code arena}.
         */
        Tensor forward(Arena arena, Tensor x, Tensor mask, boolean causal) {
            Tensor padding = mask == null ? null : negate(arena, mask);
            Tensor in = batchFirst ? x : x.transpose(0, 1); // [n, g, dim] when the module wants sequence first
            Tensor out;
            if (module instanceof MultiheadAttention mha) {
                out = mha.forward(arena, in, MhaOptions.builder().keyPaddingMask(padding).isCausal(causal)
                        .needWeights(false).build()).output();
            } else {
                out = ((TransformerEncoderLayer) module).forward(arena, in,
                        new EncoderLayerOptions(null, padding, causal, AttentionPath.AUTO));
            }
            return batchFirst ? out : out.transpose(0, 1);
        }

        private static Tensor negate(Arena arena, Tensor mask) {
            boolean[] keep = mask.toBooleanArray();
            boolean[] padded = new boolean[keep.length];
            for (int k = 0; k < keep.length; k++) {
                padded[k] = !keep[k];
            }
            return Tensor.ofBooleans(arena, padded, mask.shape());
        }

        @Override
        int dim() {
            return dim;
        }

        @Override
        int contextDim() {
            return 0;
        }

        @Override
        void closeModule() {
            module.close();
        }
    }
}
