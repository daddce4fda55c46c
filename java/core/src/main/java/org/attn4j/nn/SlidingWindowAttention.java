package org.attn4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SegmentAllocator;
import java.nio.file.Path;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.internal.check.SequenceInputs;
import org.attn4j.internal.layer.QkvAttentionLayer;
import org.attn4j.internal.mask.Masks;
import org.attn4j.internal.mask.Visibility;
import org.attn4j.internal.module.ModuleFiles;
import org.attn4j.internal.module.ParameterSource;
import org.attn4j.internal.module.QkvAttentionConfig;
import org.attn4j.internal.module.TensorAllocator;

/**
 * Local (sliding-window) self attention: each position attends to the keys at most
 * {@code windowLeft} before and {@code windowRight} after it (windowRight 0: causal local
 * attention), in O(n·w) time and O(n) memory on the fused kernel, which skips every key tile
 * outside the band. Longformer-style global tokens (a BOOL [b, n] per call) attend to every
 * position and are attended by every position. Parameters as {@link FusedQkvAttention}
 * ({@code to_qkv}, {@code to_out}). Thread-safe; owns its weights.
 */
public final class SlidingWindowAttention extends Module {
    /** The class name model files carry in {@code __metadata__.class}. */
    public static final String CLASS_NAME = "SlidingWindowAttention";

    private final QkvAttentionConfig config;
    private final long windowLeft;
    private final long windowRight;
    private final QkvAttentionLayer layer;

    private SlidingWindowAttention(QkvAttentionConfig config, long windowLeft, long windowRight, ParameterSource source,
                                   Backend backend, Arena weights) {
        super(backend, weights);
        this.config = config;
        this.windowLeft = windowLeft;
        this.windowRight = windowRight;
        this.layer = new QkvAttentionLayer(source, config.dim(), config.heads(), config.dimHead(), config.rotary(),
                Float.NaN, null);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Loads a state dict from a safetensors file configured by its {@code __metadata__}. */
    public static SlidingWindowAttention load(Path file, Backend backend) throws IOException {
        return ModuleFiles.load(file, CLASS_NAME, (meta, source, arena) -> {
            long left = meta.integerOrZero("window_left");
            long right = meta.integerOrZero("window_right");
            return new SlidingWindowAttention(QkvAttentionConfig.from(meta), left, right, source, backend, arena);
        });
    }

    /**
     * x [b, n, dim] → [b, n, dim] from {@code allocator}.
     *
     * @param keyPaddingMask BOOL [b, n], true = attend (false marks padding); null = none
     * @param globalTokens   BOOL [b, n], true = global position; null = none
     */
    public Tensor forward(SegmentAllocator allocator, Tensor x, Tensor keyPaddingMask, Tensor globalTokens) {
        if (allocator == null) {
            throw new IllegalArgumentException("allocator must not be null");
        }
        return call(scratch -> {
            Tensor in = SequenceInputs.sequence("x", x, config.dim(), true, false, scratch.arena());
            SdpaOptions o = SdpaOptions.builder().keyPaddingMask(keyPaddingMask).globalTokens(globalTokens)
                    .window(windowLeft, windowRight).build();
            Visibility vis = Masks.sdpa(o, in.shape(0), config.heads(), in.shape(1), in.shape(1), scratch.arena());
            return layer.forward(backend, TensorAllocator.of(allocator), scratch, in, vis, Float.NaN, false,
                    AttentionPath.FUSED).output();
        });
    }

    /** Same without padding or global tokens. */
    public Tensor forward(SegmentAllocator allocator, Tensor x) {
        return forward(allocator, x, null, null);
    }

    public long windowLeft() {
        return windowLeft;
    }

    public long windowRight() {
        return windowRight;
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = config.metadata();
        m.put("window_left", Long.toString(windowLeft));
        m.put("window_right", Long.toString(windowRight));
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + "(" + config + ", window_left=" + windowLeft + ", window_right=" + windowRight + ")";
    }

    /** Configuration: dim and a window (required), heads 8, dimHead 64. */
    public static final class Builder {
        private Builder() { // from builder() only
        }

        private int dim;
        private int heads = 8;
        private int dimHead = 64;
        private RotaryEmbedding rotary;
        private long windowLeft = -1;
        private long windowRight = -1;

        public Builder dim(int dim) {
            this.dim = dim;
            return this;
        }

        public Builder heads(int heads) {
            this.heads = heads;
            return this;
        }

        public Builder dimHead(int dimHead) {
            this.dimHead = dimHead;
            return this;
        }

        public Builder rotary(RotaryEmbedding rotary) {
            this.rotary = rotary;
            return this;
        }

        /** w keys on each side (2w + 1 in all). */
        public Builder window(long w) {
            return window(w, w);
        }

        /** left keys before and right keys after each position (right = 0: causal). */
        public Builder window(long left, long right) {
            this.windowLeft = left;
            this.windowRight = right;
            return this;
        }

        private QkvAttentionConfig config() {
            if (windowLeft < 0 || windowRight < 0) {
                throw new IllegalArgumentException("window: expected left >= 0 and right >= 0, got " + windowLeft + " and "
                        + windowRight);
            }
            return new QkvAttentionConfig(dim, heads, dimHead, rotary);
        }

        public SlidingWindowAttention build(Backend backend, long seed) {
            QkvAttentionConfig c = config();
            return ModuleFiles.fresh(seed, (source, arena) -> new SlidingWindowAttention(c, windowLeft, windowRight,
                    source, backend, arena));
        }

        public SlidingWindowAttention build(long seed) {
            return build(Backends.defaultBackend(), seed);
        }

        public SlidingWindowAttention build(Backend backend, Map<String, Tensor> stateDict) {
            QkvAttentionConfig c = config();
            return ModuleFiles.fromStateDict(stateDict, (source, arena) -> new SlidingWindowAttention(c, windowLeft,
                    windowRight, source, backend, arena));
        }
    }
}
