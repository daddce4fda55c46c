package org.attn4j.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.internal.io.Json;

/**
 * A HuggingFace {@code tokenizer.json} of the BERT WordPiece kind (BertNormalizer,
 * BertPreTokenizer, WordPiece, a TemplateProcessing or BertProcessing post-processor), giving
 * the same token ids as the HuggingFace tokenizers library: added tokens split out first, then
 * normalisation, pre-tokenisation and WordPiece per piece, truncation as the file says (before
 * the special tokens are added, so the total fits), then the template's special tokens and
 * type ids. Padding is left to the caller (see {@link Encoding}). Immutable and thread-safe.
 */
public final class BertTokenizer {
    private final BertNormalizer normalizer;
    private final WordPiece model;
    private final AddedTokens added;
    private final PostProcessor post;
    private final Truncation truncation; // null = none
    private final int padId;

    private BertTokenizer(BertNormalizer normalizer, WordPiece model, AddedTokens added, PostProcessor post,
                          Truncation truncation, int padId) {
        this.normalizer = normalizer;
        this.model = model;
        this.added = added;
        this.post = post;
        this.truncation = truncation;
        this.padId = padId;
    }

    /** Reads a tokenizer.json file. */
    public static BertTokenizer load(Path file) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file: expected a tokenizer.json path, got null");
        }
        return fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Reads a tokenizer.json from a stream (e.g. a class-path resource); does not close it. */
    public static BertTokenizer load(InputStream in, String name) throws IOException {
        return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
    }

    /** Parses the text of a tokenizer.json; {@code name} is used in error messages. */
    public static BertTokenizer fromJson(String json, String name) {
        return TokenizerJson.read(map(Json.parse(json, name, TokenizerFormatException::new), name), name);
    }

    /** Tokens of one text: [CLS] text [SEP] for BERT's template, truncated as the file says. */
    public Encoding encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text: expected a string, got null");
        }
        Pieces a = tokenize(text);
        if (truncation != null) {
            truncation.apply(a, null, post.added(false));
        }
        return post.apply(a, null);
    }

    /** Tokens of a pair: [CLS] a [SEP] b [SEP] for BERT's template, type ids 0 then 1. */
    public Encoding encode(String first, String second) {
        if (first == null || second == null) {
            throw new IllegalArgumentException("first, second: expected strings, got " + (first == null ? "null" : "a string")
                    + " and " + (second == null ? "null" : "a string"));
        }
        Pieces a = tokenize(first);
        Pieces b = tokenize(second);
        if (truncation != null) {
            truncation.apply(a, b, post.added(true));
        }
        return post.apply(a, b);
    }

    /** The total length truncation keeps (special tokens included), or −1 when the file asks for none. */
    public int maxLength() {
        return truncation == null ? -1 : truncation.maxLength;
    }

    /** The same tokenizer truncating (longest first, at the end) to {@code maxLength} tokens in all. */
    public BertTokenizer withMaxLength(int maxLength) {
        int specials = post.added(true);
        if (maxLength <= specials) {
            throw new IllegalArgumentException("maxLength: expected more than " + specials
                    + " (the special tokens of a pair), got " + maxLength);
        }
        Truncation t = truncation == null ? new Truncation(maxLength, Truncation.Strategy.LONGEST_FIRST, false)
                : new Truncation(maxLength, truncation.strategy, truncation.left);
        return new BertTokenizer(normalizer, model, added, post, t, padId);
    }

    /** The id padding uses ({@code [PAD]}'s, or the file's padding.pad_id). */
    public int padId() {
        return padId;
    }

    /** Vocabulary size (highest id + 1). */
    public int vocabSize() {
        return model.tokens.length;
    }

    /** The token string of an id. */
    public String token(int id) {
        if (id < 0 || id >= model.tokens.length || model.tokens[id] == null) {
            throw new IllegalArgumentException("id: expected a token id in [0, " + model.tokens.length + "), got " + id);
        }
        return model.tokens[id];
    }

    /** ids and tokens of one text before truncation and special tokens. */
    static final class Pieces {
        final List<Integer> ids = new ArrayList<>();
        final List<String> tokens = new ArrayList<>();

        int size() {
            return ids.size();
        }

        void keep(int from, int to) {
            List<Integer> i = new ArrayList<>(ids.subList(from, to));
            List<String> t = new ArrayList<>(tokens.subList(from, to));
            ids.clear();
            ids.addAll(i);
            tokens.clear();
            tokens.addAll(t);
        }
    }

    private Pieces tokenize(String text) {
        Pieces p = new Pieces();
        List<String> words = new ArrayList<>();
        for (AddedTokens.Piece raw : added.split(text, false)) {
            if (raw.id() >= 0) {
                p.ids.add(raw.id());
                p.tokens.add(raw.text());
                continue;
            }
            for (AddedTokens.Piece norm : added.split(normalizer.normalize(raw.text()), true)) {
                if (norm.id() >= 0) {
                    p.ids.add(norm.id());
                    p.tokens.add(norm.text());
                    continue;
                }
                words.clear();
                BertPreTokenizer.split(norm.text(), words);
                for (String w : words) {
                    model.tokenize(w, p.ids, p.tokens);
                }
            }
        }
        return p;
    }

    // ------------------------------------------------------------------ parts built from the file

    static BertTokenizer create(BertNormalizer normalizer, WordPiece model, AddedTokens added, PostProcessor post,
                                Truncation truncation, int padId) {
        return new BertTokenizer(normalizer, model, added, post, truncation, padId);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String where) {
        if (!(o instanceof Map)) {
            throw new TokenizerFormatException(where + ": expected a JSON object, got " + describe(o));
        }
        return (Map<String, Object>) o;
    }

    static String describe(Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof Map) {
            return "an object";
        }
        if (o instanceof List) {
            return "an array";
        }
        return o instanceof String s ? "\"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"" : o.toString();
    }

    static Map<String, Integer> vocab(Map<String, Object> json, String where) {
        Map<String, Integer> vocab = new HashMap<>(json.size() * 2);
        for (Map.Entry<String, Object> e : json.entrySet()) {
            if (!(e.getValue() instanceof Long id) || id < 0 || id > Integer.MAX_VALUE) {
                throw new TokenizerFormatException(where + "[\"" + e.getKey() + "\"]: expected a non-negative integer id, got "
                        + describe(e.getValue()));
            }
            vocab.put(e.getKey(), id.intValue());
        }
        return vocab;
    }
}
