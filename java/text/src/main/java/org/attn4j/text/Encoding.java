package org.attn4j.text;

import java.util.Arrays;

/**
 * One tokenized text (or pair), without padding: token ids, token type ids (0 for the first
 * text, 1 for the second of a pair) and the token strings. Its attention mask is all ones.
 */
public record Encoding(int[] ids, int[] typeIds, String[] tokens) {

    public Encoding {
        if (ids.length != typeIds.length || ids.length != tokens.length) {
            throw new IllegalArgumentException("ids, typeIds, tokens: expected equal lengths, got " + ids.length + ", "
                    + typeIds.length + ", " + tokens.length);
        }
    }

    public int length() {
        return ids.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding e && Arrays.equals(ids, e.ids) && Arrays.equals(typeIds, e.typeIds)
                && Arrays.equals(tokens, e.tokens);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids) * 31 + Arrays.hashCode(typeIds);
    }

    @Override
    public String toString() {
        return "Encoding" + Arrays.toString(tokens);
    }
}
