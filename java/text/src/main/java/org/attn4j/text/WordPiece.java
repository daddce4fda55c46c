package org.attn4j.text;

import java.util.List;
import java.util.Map;

/**
 * HuggingFace's WordPiece model: greedy longest match first, continuation pieces carry the
 * prefix ("##"); a word longer than maxInputCharsPerWord characters, or one with a part no
 * piece matches, becomes the unknown token as a whole.
 */
final class WordPiece {
    final Map<String, Integer> vocab;
    final String[] tokens; // id → token
    final int unkId;
    final String unkToken;
    final String prefix;
    final int maxInputCharsPerWord;

    WordPiece(Map<String, Integer> vocab, String unkToken, String prefix, int maxInputCharsPerWord) {
        this.vocab = vocab;
        Integer unk = vocab.get(unkToken);
        if (unk == null) {
            throw new TokenizerFormatException("tokenizer.json model.unk_token: \"" + unkToken + "\" is not in the vocabulary");
        }
        this.unkId = unk;
        this.unkToken = unkToken;
        this.prefix = prefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        int size = 0;
        for (int id : vocab.values()) {
            size = Math.max(size, id + 1);
        }
        this.tokens = new String[size];
        vocab.forEach((t, id) -> tokens[id] = t);
    }

    /** Appends the ids (and tokens) of one word. */
    void tokenize(String word, List<Integer> ids, List<String> pieces) {
        int chars = word.codePointCount(0, word.length());
        if (chars > maxInputCharsPerWord) {
            ids.add(unkId);
            pieces.add(unkToken);
            return;
        }
        int mark = ids.size();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer found = null;
            String piece = null;
            while (start < end) {
                String sub = word.substring(start, end);
                if (start > 0) {
                    sub = prefix + sub;
                }
                found = vocab.get(sub);
                if (found != null) {
                    piece = sub;
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (found == null) {
                // a part matched nothing: the whole word is unknown
                ids.subList(mark, ids.size()).clear();
                pieces.subList(mark, pieces.size()).clear();
                ids.add(unkId);
                pieces.add(unkToken);
                return;
            }
            ids.add(found);
            pieces.add(piece);
            start = end;
        }
    }
}
