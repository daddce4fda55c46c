package org.attn4j.text;

import java.util.List;

/**
 * HuggingFace's {@code BertPreTokenizer}: split on whitespace (dropped), then every punctuation
 * character becomes a word of its own. Punctuation is ASCII punctuation (which includes symbols
 * such as $ + &lt; = &gt; ^ ` |) or a Unicode P* category, as the Rust library defines it.
 */
final class BertPreTokenizer {
    private BertPreTokenizer() {
    }

    /** Appends the words of {@code text} to {@code words}. */
    static void split(String text, List<String> words) {
        int start = -1; // start of the word being read, -1 when between words
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int n = Character.charCount(c);
            if (BertNormalizer.isWhitespace(c)) {
                if (start >= 0) {
                    words.add(text.substring(start, i));
                    start = -1;
                }
            } else if (isPunctuation(c)) {
                if (start >= 0) {
                    words.add(text.substring(start, i));
                    start = -1;
                }
                words.add(text.substring(i, i + n));
            } else if (start < 0) {
                start = i;
            }
            i += n;
        }
        if (start >= 0) {
            words.add(text.substring(start));
        }
    }

    static boolean isPunctuation(int c) {
        if (c < 0x80) {
            return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
        }
        switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION, Character.START_PUNCTUATION -> {
                return true;
            }
            default -> {
                return false;
            }
        }
    }
}
