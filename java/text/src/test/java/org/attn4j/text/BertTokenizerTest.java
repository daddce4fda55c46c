package org.attn4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token ids, type ids and tokens equal to HuggingFace's tokenizers library (through DJL) on all-MiniLM's tokenizer.json. */
class BertTokenizerTest {
    private static HuggingFaceTokenizer oracle;
    private static BertTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        // the file's truncation (128, longest first); padding off so ids are comparable as they are
        oracle = HuggingFaceTokenizer.newInstance(MiniLm.tokenizer(),
                Map.of("padding", "false", "truncation", "true", "maxLength", "128"));
        tokenizer = BertTokenizer.load(MiniLm.tokenizer());
    }

    @AfterAll
    static void close() {
        oracle.close();
    }

    @Test
    void singleTextsEqualHuggingFace() {
        List<String> texts = Corpus.texts(400, 7);
        List<String> mismatches = new ArrayList<>();
        for (String t : texts) {
            ai.djl.huggingface.tokenizers.Encoding e = oracle.encode(t);
            Encoding mine = tokenizer.encode(t);
            if (!Arrays.equals(toInts(e.getIds()), mine.ids()) || !Arrays.equals(toInts(e.getTypeIds()), mine.typeIds())) {
                mismatches.add(t + "\n  hf:   " + Arrays.toString(e.getTokens()) + "\n  mine: " + Arrays.toString(mine.tokens()));
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + texts.size() + " differ:\n" + String.join("\n", mismatches));
    }

    @Test
    void pairsEqualHuggingFace() {
        List<String[]> pairs = Corpus.pairs(Corpus.texts(150, 11));
        pairs.add(new String[] {"word ".repeat(100), "word ".repeat(41)}); // both cut, odd budget
        pairs.add(new String[] {"short one", "word ".repeat(300)});        // only the longer cut
        List<String> mismatches = new ArrayList<>();
        for (String[] p : pairs) {
            ai.djl.huggingface.tokenizers.Encoding e = oracle.encode(p[0], p[1]);
            Encoding mine = tokenizer.encode(p[0], p[1]);
            if (!Arrays.equals(toInts(e.getIds()), mine.ids()) || !Arrays.equals(toInts(e.getTypeIds()), mine.typeIds())) {
                mismatches.add(p[0] + " || " + p[1] + "\n  hf:   " + Arrays.toString(e.getTokens()) + "\n  mine: "
                        + Arrays.toString(mine.tokens()));
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + pairs.size() + " differ:\n" + String.join("\n", mismatches));
    }

    @Test
    void hundredThousandCharactersTruncateTo128() {
        String text = "The embeddings of a very long text. ".repeat(2800).substring(0, 100_000);
        Encoding e = tokenizer.encode(text);
        assertEquals(128, e.length());
        assertArrayEquals(toInts(oracle.encode(text).getIds()), e.ids());
    }

    @Test
    void emptyTextIsClsSep() {
        Encoding e = tokenizer.encode("");
        assertArrayEquals(new String[] {"[CLS]", "[SEP]"}, e.tokens());
        assertArrayEquals(new int[] {101, 102}, e.ids());
    }

    @Test
    void otherTokenizerKindsAreRefused() {
        String bpe = """
                {"version":"1.0","truncation":null,"padding":null,"added_tokens":[],"normalizer":null,
                 "pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
                 "post_processor":null,"decoder":null,
                 "model":{"type":"BPE","dropout":null,"unk_token":null,"vocab":{"a":0,"b":1},"merges":["a b"]}}""";
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromJson(bpe, "gpt2.json"));
        assertTrue(e.getMessage().contains("model.type: expected WordPiece"), e.getMessage());

        String lowercaseOnly = miniLmJson().replace("\"type\": \"BertPreTokenizer\"", "\"type\": \"Whitespace\"")
                .replace("\"type\":\"BertPreTokenizer\"", "\"type\":\"Whitespace\"");
        TokenizerFormatException pre = assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromJson(lowercaseOnly, "t.json"));
        assertTrue(pre.getMessage().contains("pre_tokenizer.type: expected BertPreTokenizer, got Whitespace"), pre.getMessage());

        assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromJson("{\"model\": ", "broken.json"));
        assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromJson("[1, 2]", "array.json"));
        TokenizerFormatException unk = assertThrows(TokenizerFormatException.class,
                () -> BertTokenizer.fromJson(miniLmJson().replace("\"unk_token\": \"[UNK]\"", "\"unk_token\": \"[NOPE]\"")
                        .replace("\"unk_token\":\"[UNK]\"", "\"unk_token\":\"[NOPE]\""), "t.json"));
        assertTrue(unk.getMessage().contains("[NOPE]"), unk.getMessage());
    }

    @Test
    void nullTextsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> tokenizer.encode(null));
        assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("a", null));
    }

    private static String miniLmJson() {
        try {
            return Files.readString(MiniLm.tokenizer(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int[] toInts(long[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.toIntExact(a[i]);
        }
        return out;
    }
}
