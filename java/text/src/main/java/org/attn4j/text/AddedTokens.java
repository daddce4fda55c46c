package org.attn4j.text;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokenizer's added tokens ({@code [CLS]}, {@code [SEP]}, ...) found in the input before
 * anything else runs, as HuggingFace's AddedVocabulary does: tokens with {@code normalized:
 * false} match the raw text, those with {@code normalized: true} match the normalized text;
 * longest match wins at the leftmost position; lstrip / rstrip swallow neighbouring whitespace;
 * single_word needs non-word characters (or the text's ends) on both sides.
 */
final class AddedTokens {
    record Token(String content, int id, boolean singleWord, boolean lstrip, boolean rstrip, boolean normalized) {
    }

    /** A piece of text: either an added token (id ≥ 0) or plain text to tokenize (id −1). */
    record Piece(String text, int id) {
    }

    private final List<Token> tokens;

    AddedTokens(List<Token> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    /** Splits {@code text} on the added tokens whose normalized flag equals {@code normalized}. */
    List<Piece> split(String text, boolean normalized) {
        List<Piece> out = new ArrayList<>();
        int plain = 0; // start of the plain text not yet emitted
        int i = 0;
        while (i < text.length()) {
            Token best = null;
            for (Token t : tokens) {
                if (t.normalized == normalized && !t.content.isEmpty() && text.startsWith(t.content, i)
                        && (best == null || t.content.length() > best.content.length())
                        && (!t.singleWord || wordBoundaries(text, i, i + t.content.length()))) {
                    best = t;
                }
            }
            if (best == null) {
                i++;
                continue;
            }
            int start = i;
            int end = i + best.content.length();
            if (best.lstrip) {
                while (start > plain && Character.isWhitespace(text.charAt(start - 1))) {
                    start--;
                }
            }
            if (best.rstrip) {
                while (end < text.length() && Character.isWhitespace(text.charAt(end))) {
                    end++;
                }
            }
            if (start > plain) {
                out.add(new Piece(text.substring(plain, start), -1));
            }
            out.add(new Piece(best.content, best.id));
            plain = end;
            i = end;
        }
        if (plain < text.length()) {
            out.add(new Piece(text.substring(plain), -1));
        }
        return out;
    }

    private static boolean wordBoundaries(String text, int start, int end) {
        boolean before = start == 0 || !Character.isLetterOrDigit(text.codePointBefore(start));
        boolean after = end == text.length() || !Character.isLetterOrDigit(text.codePointAt(end));
        return before && after;
    }
}
