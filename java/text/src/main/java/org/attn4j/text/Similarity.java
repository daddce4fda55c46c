package org.attn4j.text;

/** How alike two embeddings are: what a caller of {@link SentenceEmbedder} compares them with. */
public final class Similarity {
    private Similarity() {
    }

    /**
     * a·b / (|a|·|b|), accumulated in double: 1 for the same direction, 0 for orthogonal
     * vectors, −1 for opposite ones; NaN when either is all zeros (no direction). For
     * L2-normalised embeddings (SentenceEmbedder's default) it equals their dot product.
     *
     * @throws IllegalArgumentException when the lengths differ
     */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("b: expected length " + a.length + " (a's), got " + b.length);
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
