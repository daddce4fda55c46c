package org.attn4j.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The test corpus: hand-written texts that exercise every normalisation rule (accents, CJK,
 * emoji, punctuation runs, control and format characters, odd whitespace, special tokens written
 * in the text, words longer than WordPiece's limit, texts past the truncation length), then
 * seeded random sentences whose lengths spread over 1 to 128+ tokens.
 */
final class Corpus {
    private Corpus() {
    }

    static final List<String> HAND = List.of(
            "",
            "a",
            "Hello, world!",
            "The quick brown fox jumps over the lazy dog.",
            "Café, naïve, résumé, Ångström, Øre, façade, coöperate, Zürich — déjà vu.",
            "ΣΊΣΥΦΟΣ and İstanbul and ǅemal: ὈΔΥΣΣΕΎΣ ends with Σ",
            "東京は日本の首都です。北京是中国的首都。",
            "한국어 문장도 있습니다. カタカナとひらがな。",
            "emoji 😀😃🎉 👩‍👩‍👧 🇫🇷 ❤️ 🥲 🤯 🫠 done",
            "punctuation runs!!!??? ... --- ((nested)) [[brackets]] {{braces}} <<angles>> $$$ ^^^ ``` |||",
            "control\u0000chars\u0001and\u0007bells\u001b[0m and \u200bzero\u200dwidth\u2060joiners\ufeffbom",
            "tabs\tand\nnewlines\r\nand\u00a0no-break\u2003em\u3000ideographic spaces",
            "replacement \ufffd char and private use \ue000 and \udb40\udc01 tag",
            "supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis",
            "x".repeat(99) + " " + "y".repeat(100) + " " + "z".repeat(101),
            "antidisestablishmentarianism-and-hyphenated-words_with_underscores and numbers 3.14159 1,000,000 42nd",
            "[CLS] written in the text [SEP] and [MASK] and [UNK] and [PAD] and [cls] lowercase",
            "URLs: https://example.com/path?q=1&r=2#frag and e-mail someone@example.org",
            "Arabic مرحبا بالعالم and Hebrew שלום עולם and Hindi नमस्ते दुनिया and Thai สวัสดีชาวโลก",
            "Math ∑ ∫ √ ≤ ≥ ≠ ∞ ± × ÷ and currency € £ ¥ ₹ ₿ and ™ © ®",
            "ﬁ ligature, ﬀ, Ⅻ roman, ① circled, ｆｕｌｌｗｉｄｔｈ letters, ㍻ squared",
            "Ｃａｆé with combining e\u0301 and a\u0308 and o\u0303\u0304 stacked marks",
            "   leading and trailing spaces   ",
            "\u0085next line\u2028line sep\u2029para sep",
            "Vietnamese: Tiếng Việt có dấu, phở, bánh mì.",
            "Mixed CASE WoRdS ThAt NeEd LoWeRcAsInG",
            "'quotes' \"double\" «guillemets» „low“ ‘curly’ “curly” ‹single›",
            "Dashes – — ‒ ― and ellipsis … and bullets • ‣ ◦",
            "word ".repeat(200),
            "Long text past the truncation length: " + "the encoder sees only the first tokens of this sentence ".repeat(30));

    private static final String[] WORDS = ("the of and to in is was for on that with as by at from his her it an were are which "
            + "this be or has had not but have one their new first its after two also who been other more all year "
            + "embedding transformer attention vector search retrieval similarity neural network language model sentence "
            + "Java native kernel benchmark throughput latency database cluster query answer question document paragraph "
            + "café naïve jalapeño über straße 東京 北京 😀 🎉 ... !!! ??? 3.14 1,000 e-mail self-attention don't it's").split(" ");

    /** Hand texts, then random sentences: {@code count} texts in all. */
    static List<String> texts(int count, long seed) {
        List<String> out = new ArrayList<>(HAND);
        Random r = new Random(seed);
        while (out.size() < count) {
            int words = 1 + (int) Math.floor(Math.pow(r.nextDouble(), 1.5) * 110);
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < words; w++) {
                if (w > 0) {
                    sb.append(r.nextInt(12) == 0 ? ", " : " ");
                }
                String word = WORDS[r.nextInt(WORDS.length)];
                sb.append(r.nextInt(6) == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
            }
            sb.append(r.nextBoolean() ? "." : "");
            out.add(sb.toString());
        }
        return out;
    }

    /** Sentence pairs for the tokenizer: neighbours of the corpus, long ones included (truncation of pairs). */
    static List<String[]> pairs(List<String> texts) {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i + 1 < texts.size(); i += 3) {
            out.add(new String[] {texts.get(i), texts.get(i + 1)});
        }
        return out;
    }
}
