package org.attn4j.text;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.DType;
import org.attn4j.Tensor;
import org.attn4j.nn.Module;

/**
 * A BERT encoder (HuggingFace's BertModel without the pooler) on attn4j's ops: embeddings
 * (word + position + token type, LayerNorm), then N post-LN layers of self attention and a GELU
 * (erf) feed-forward; any configuration. Weights load from a HuggingFace safetensors state dict
 * (with or without the {@code bert.} prefix) or an ONNX export, and are copied into the model's
 * own 64-byte aligned memory (q, k, v packed into one projection).
 *
 * <p>One forward is one GEMM for q/k/v, the fused attention kernel for all heads at once
 * (key-padding mask, no [s, s] matrix), and GEMMs for the rest with the bias, the GELU and the
 * residual additions done inside them (oneDNN post-ops; the fused GELU is within 1.5e-6 of the
 * exact one), on workspaces that are reused between calls (no allocation per layer or per call
 * once warm). Thread-safe: each running forward takes its own workspace.
 */
public final class BertModel extends Module {
    /** Class name in {@link #metadata()}. */
    public static final String CLASS_NAME = "BertModel";

    private final BertConfig config;
    private final Tensor wordEmbeddings;     // [V, H]
    private final Tensor positionEmbeddings; // [P, H]
    private final Tensor typeEmbeddings;     // [T, H]
    private final Tensor positionType0;      // [P, H] = position + type 0 (the common case: one sentence)
    private final Tensor embNormWeight;      // [H]
    private final Tensor embNormBias;        // [H]
    private final BertLayer[] layers;
    private final Workspaces workspaces;

    private BertModel(BertWeights w, Backend backend, Arena arena, Workspaces workspaces) {
        super(backend, arena, workspaces::free); // the workspaces are freed with the weights, after the last call
        this.workspaces = workspaces;
        BertConfig c = w.config;
        this.config = c;
        long h = c.hiddenSize();
        long inter = c.intermediateSize();
        WeightCopier copy = new WeightCopier(w, arena);
        wordEmbeddings = register("embeddings.word_embeddings.weight",
                copy.matrix("embeddings.word_embeddings.weight", c.vocabSize(), h));
        positionEmbeddings = register("embeddings.position_embeddings.weight",
                copy.matrix("embeddings.position_embeddings.weight", c.maxPositionEmbeddings(), h));
        typeEmbeddings = register("embeddings.token_type_embeddings.weight",
                copy.matrix("embeddings.token_type_embeddings.weight", c.typeVocabSize(), h));
        embNormWeight = register("embeddings.LayerNorm.weight", copy.vector("embeddings.LayerNorm.weight", h));
        embNormBias = register("embeddings.LayerNorm.bias", copy.vector("embeddings.LayerNorm.bias", h));
        positionType0 = copy.empty(c.maxPositionEmbeddings(), h);
        backend.add(positionEmbeddings, typeEmbeddings.select(0, 0), positionType0);
        layers = new BertLayer[c.numHiddenLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "encoder.layer." + l + ".";
            String s = p + "attention.self.";
            layers[l] = new BertLayer(
                    copy.stacked(h, s + "query.weight", s + "key.weight", s + "value.weight"),
                    copy.stacked(0, s + "query.bias", s + "key.bias", s + "value.bias"),
                    copy.matrix(p + "attention.output.dense.weight", h, h), copy.vector(p + "attention.output.dense.bias", h),
                    copy.vector(p + "attention.output.LayerNorm.weight", h), copy.vector(p + "attention.output.LayerNorm.bias", h),
                    copy.matrix(p + "intermediate.dense.weight", inter, h), copy.vector(p + "intermediate.dense.bias", inter),
                    copy.matrix(p + "output.dense.weight", h, inter), copy.vector(p + "output.dense.bias", h),
                    copy.vector(p + "output.LayerNorm.weight", h), copy.vector(p + "output.LayerNorm.bias", h),
                    null).packedFor(backend, arena);
            layers[l].parameters(p).forEach(this::register); // the state dict, by HuggingFace's names
        }
        copy.checkAllUsed();
    }

    /** Loads an ONNX export of a BERT encoder (e.g. all-minilm-l6-v2.onnx). */
    public static BertModel fromOnnx(Path file, Backend backend) throws IOException {
        try (Arena mapping = Arena.ofConfined()) {
            return create(BertOnnx.read(file, mapping), backend);
        }
    }

    /**
     * Loads an ONNX export from a stream (e.g. a class-path resource inside a jar), read whole
     * into memory once; {@code name} is used in error messages. Does not close the stream.
     */
    public static BertModel fromOnnx(InputStream in, String name, Backend backend) throws IOException {
        if (in == null) {
            throw new IllegalArgumentException("in: expected a stream of an ONNX file, got null");
        }
        byte[] bytes = in.readAllBytes();
        return create(BertOnnx.read(MemorySegment.ofArray(bytes), name), backend);
    }

    /**
     * Loads a HuggingFace checkpoint: a directory with model.safetensors and config.json, or the
     * .safetensors file itself with config.json beside it.
     */
    public static BertModel fromSafeTensors(Path file, Backend backend) throws IOException {
        try (Arena mapping = Arena.ofConfined()) {
            return create(BertWeights.fromSafeTensors(file, mapping), backend);
        }
    }

    private static BertModel create(BertWeights w, Backend backend) {
        if (backend == null) {
            throw new IllegalArgumentException("backend must not be null");
        }
        Arena arena = Arena.ofShared();
        try {
            return new BertModel(w, backend, arena,
                    new Workspaces(w.config.hiddenSize(), w.config.intermediateSize()));
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public BertConfig config() {
        return config;
    }

    /**
     * The encoder's output for a padded batch: last_hidden_state [b, s, hidden], from
     * {@code allocator} (padded positions hold what HuggingFace computes there too).
     */
    public Tensor lastHiddenState(SegmentAllocator allocator, TokenBatch batch) {
        if (allocator == null) {
            throw new IllegalArgumentException("allocator must not be null");
        }
        check(batch);
        return withWorkspace(ws -> {
            Tensor x = encode(ws, batch, layers.length);
            Tensor out = Tensor.zeros(allocator, DType.F32, x.shape());
            MemorySegment.copy(x.segment(), 0, out.segment(), 0, x.byteSize());
            return out;
        });
    }

    /**
     * Sentence embeddings [b, hidden] written as floats into {@code out} from byte 0 on (b ·
     * hidden · 4 bytes): pooled as asked, then L2-normalised when {@code normalize}.
     */
    public void embed(TokenBatch batch, Pooling pooling, boolean normalize, MemorySegment out) {
        check(batch);
        if (pooling == null || out == null) {
            throw new IllegalArgumentException("pooling and out must not be null");
        }
        long bytes = (long) batch.batch() * config.hiddenSize() * 4;
        if (out.byteSize() < bytes) {
            throw new IllegalArgumentException("out: expected at least " + bytes + " bytes ([" + batch.batch() + ", "
                    + config.hiddenSize() + "] floats), got " + out.byteSize());
        }
        if (out.isReadOnly()) {
            throw new IllegalArgumentException("out: expected a writable segment, got a read-only one");
        }
        withWorkspace(ws -> {
            Tensor x = encode(ws, batch, layers.length);
            Pool.pool(x.segment(), batch, config.hiddenSize(), pooling, normalize, out);
            return null;
        });
    }

    /**
     * The attention probabilities of one layer, [b, heads, s, s] from {@code allocator}:
     * softmax over the real keys of each query (0 on padding), as HuggingFace's
     * output_attentions gives them.
     */
    public Tensor attention(SegmentAllocator allocator, TokenBatch batch, int layer) {
        if (allocator == null) {
            throw new IllegalArgumentException("allocator must not be null");
        }
        check(batch);
        if (layer < 0 || layer >= layers.length) {
            throw new IllegalArgumentException("layer: expected 0.." + (layers.length - 1) + ", got " + layer);
        }
        return withWorkspace(ws -> {
            long b = batch.batch();
            long s = batch.seqLen();
            Tensor x = encode(ws, batch, layer); // the input of layer `layer`
            Tensor qkv = ws.qkv(b, s);
            BertLayer ly = layers[layer];
            backend.linear(x, ly.qkvWeight(), ly.packed().qkv(), ly.qkvBias(), qkv);
            Tensor[] qkvHeads = heads(qkv, b, s);
            Tensor weights = Tensor.zeros(allocator, DType.F32, b, config.numAttentionHeads(), s, s);
            backend.matmul(qkvHeads[0], false, qkvHeads[1], true, scale(), weights);
            backend.sdpaSoftmax(weights, null, null, ws.mask(b, s), null, -1, -1, weights);
            return weights;
        });
    }

    /** One call of the module protocol (Module.call) on a workspace of the pool. */
    private <R> R withWorkspace(java.util.function.Function<Workspace, R> computation) {
        return call(() -> {
            Workspace ws = workspaces.take();
            try {
                return computation.apply(ws);
            } finally {
                workspaces.give(ws); // inside the call: idle again before the last call out frees them
            }
        });
    }

    // ------------------------------------------------------------------ the forward

    // Runs the embeddings and the first `upTo` layers; the result is ws.x [b, s, H].
    private Tensor encode(Workspace ws, TokenBatch batch, int upTo) {
        long b = batch.batch();
        long s = batch.seqLen();
        ws.reserve(b, s);
        Tensor x = ws.x(b, s);
        Tensor mask = ws.mask(b, s);
        embeddings(batch, x, mask);
        backend.layerNorm(x, embNormWeight, embNormBias, config.layerNormEps(), x);
        Tensor qkv = ws.qkv(b, s);
        Tensor ctx = ws.ctx(b, s);
        Tensor inter = ws.inter(b, s);
        Tensor[] qkvHeads = heads(qkv, b, s);
        // ctx [b, s, H] seen as [b, h, s, d]: the kernel writes the heads merged back in place
        Tensor ctxHeads = ctx.reshape(b, s, config.numAttentionHeads(), config.headDim()).permute(0, 2, 1, 3);
        float eps = config.layerNormEps();
        float scale = scale();
        for (int l = 0; l < upTo; l++) {
            BertLayer ly = layers[l];
            // attention: x = LN(x + dense(sdpa(q, k, v)))
            backend.linear(x, ly.qkvWeight(), ly.packed().qkv(), ly.qkvBias(), qkv);
            backend.sdpaFused(qkvHeads[0], qkvHeads[1], qkvHeads[2], null, null, mask, null, -1, -1, scale, ctxHeads);
            backend.linearResidual(ctx, ly.outWeight(), ly.packed().out(), ly.outBias(), x); // x += dense(ctx), inside the GEMM
            backend.layerNorm(x, ly.norm1Weight(), ly.norm1Bias(), eps, x);
            // feed-forward: x = LN(x + dense(gelu(dense(x)))), the GELU and the residual inside the GEMMs
            backend.linearGelu(x, ly.interWeight(), ly.packed().inter(), ly.interBias(), inter);
            backend.linearResidual(inter, ly.ffOutWeight(), ly.packed().ffOut(), ly.ffOutBias(), x);
            backend.layerNorm(x, ly.norm2Weight(), ly.norm2Bias(), eps, x);
        }
        return x;
    }

    // q, k, v [b, h, s, d] as views of the packed projection [b, s, 3, h, d]
    private Tensor[] heads(Tensor qkv, long b, long s) {
        Tensor five = qkv.reshape(b, s, 3, config.numAttentionHeads(), config.headDim());
        return new Tensor[] {five.select(2, 0).permute(0, 2, 1, 3), five.select(2, 1).permute(0, 2, 1, 3),
                five.select(2, 2).permute(0, 2, 1, 3)};
    }

    private float scale() {
        return (float) (1.0 / Math.sqrt(config.headDim()));
    }

    // x[b, p] = word[id] + position[p] + type[typeId]; mask[b, p] = p < length[b]
    private void embeddings(TokenBatch batch, Tensor x, Tensor mask) {
        int b = batch.batch();
        int s = batch.seqLen();
        long rowBytes = (long) config.hiddenSize() * 4;
        MemorySegment xs = x.segment();
        MemorySegment words = wordEmbeddings.segment();
        MemorySegment ms = mask.segment();
        int[] ids = batch.ids();
        boolean allType0 = true;
        for (int k = 0; k < ids.length; k++) {
            MemorySegment.copy(words, ids[k] * rowBytes, xs, k * rowBytes, rowBytes);
            allType0 &= batch.typeIds()[k] == 0;
        }
        for (int r = 0; r < b; r++) {
            for (int p = 0; p < s; p++) {
                ms.set(ValueLayout.JAVA_BOOLEAN, (long) r * s + p, p < batch.lengths()[r]);
            }
        }
        if (allType0) {
            backend.add(x, positionType0.slice(0, 0, s), x); // [s, H] broadcast over b
            return;
        }
        backend.add(x, positionEmbeddings.slice(0, 0, s), x);
        MemorySegment types = typeEmbeddings.segment();
        int h = config.hiddenSize();
        for (int k = 0; k < ids.length; k++) {
            long t = (long) batch.typeIds()[k] * rowBytes;
            long o = k * rowBytes;
            for (int c = 0; c < h; c++) {
                float v = xs.get(ValueLayout.JAVA_FLOAT, o + 4L * c) + types.get(ValueLayout.JAVA_FLOAT, t + 4L * c);
                xs.set(ValueLayout.JAVA_FLOAT, o + 4L * c, v);
            }
        }
    }

    private void check(TokenBatch batch) {
        if (batch == null) {
            throw new IllegalArgumentException("batch must not be null");
        }
        if (batch.seqLen() > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("batch: " + batch.seqLen() + " tokens per sequence, more than the model's "
                    + config.maxPositionEmbeddings() + " positions (truncate when tokenizing)");
        }
        for (int k = 0; k < batch.ids().length; k++) {
            int id = batch.ids()[k];
            int t = batch.typeIds()[k];
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("ids[" + k + "]: expected a token id in [0, " + config.vocabSize() + "), got " + id);
            }
            if (t < 0 || t >= config.typeVocabSize()) {
                throw new IllegalArgumentException("typeIds[" + k + "]: expected a type id in [0, " + config.typeVocabSize() + "), got " + t);
            }
        }
    }

    /** Workspaces allocated and not freed yet (for tests: 0 once closed and no forward runs). */
    int workspacesAllocated() {
        return workspaces.allocated();
    }

    @Override
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("vocab_size", Integer.toString(config.vocabSize()));
        m.put("hidden_size", Integer.toString(config.hiddenSize()));
        m.put("num_hidden_layers", Integer.toString(config.numHiddenLayers()));
        m.put("num_attention_heads", Integer.toString(config.numAttentionHeads()));
        m.put("intermediate_size", Integer.toString(config.intermediateSize()));
        m.put("max_position_embeddings", Integer.toString(config.maxPositionEmbeddings()));
        m.put("type_vocab_size", Integer.toString(config.typeVocabSize()));
        m.put("layer_norm_eps", Float.toString(config.layerNormEps()));
        m.put("class", CLASS_NAME);
        return m;
    }

    @Override
    public String toString() {
        return CLASS_NAME + config;
    }
}
