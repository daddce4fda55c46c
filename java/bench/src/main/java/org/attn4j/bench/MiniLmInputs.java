package org.attn4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.attn4j.text.BertTokenizer;

/**
 * Benchmark sentences of an exact token count: words that are one WordPiece token each, drawn
 * from a seeded random stream, so a sentence of s tokens is [CLS] + s − 2 words + [SEP] and every
 * contender sees the same texts.
 */
final class MiniLmInputs {
    private static final String[] WORDS = ("the of and to in is was for on that with as by at from his her it an were are "
            + "which this be or has had not but have one their new first its after two also who been other more all year "
            + "search model language network vector time people city world music water house family school game book "
            + "night money story point group light river field party power war state music road king church").split(" ");

    private MiniLmInputs() {
    }

    /** {@code batch} different sentences of exactly {@code tokens} tokens each (checked with the tokenizer). */
    static List<String> sentences(BertTokenizer tokenizer, int batch, int tokens, long seed) {
        List<String> single = new ArrayList<>();
        for (String w : WORDS) {
            if (tokenizer.encode(w).length() == 3) {
                single.add(w);
            }
        }
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < tokens - 2; k++) {
                sb.append(k == 0 ? "" : " ").append(single.get(r.nextInt(single.size())));
            }
            String text = sb.toString();
            int n = tokenizer.encode(text).length();
            if (n != tokens) {
                throw new IllegalStateException("benchmark sentence has " + n + " tokens, expected " + tokens);
            }
            out.add(text);
        }
        return out;
    }
}
