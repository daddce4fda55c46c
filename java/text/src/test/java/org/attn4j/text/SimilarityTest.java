package org.attn4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Similarity.cosine on vectors whose cosine is known by hand. */
class SimilarityTest {

    @Test
    void cosineOfKnownPairs() {
        assertEquals(1.0, Similarity.cosine(new float[] {1, 2, 3}, new float[] {2, 4, 6}), 1e-12);   // same direction
        assertEquals(0.0, Similarity.cosine(new float[] {1, 0}, new float[] {0, 5}), 0);            // orthogonal
        assertEquals(-1.0, Similarity.cosine(new float[] {1, -2}, new float[] {-3, 6}), 1e-12);     // opposite
        assertEquals(24.0 / 25, Similarity.cosine(new float[] {3, 4}, new float[] {4, 3}), 1e-12);  // 24 / (5 · 5)
        assertTrue(Double.isNaN(Similarity.cosine(new float[] {0, 0}, new float[] {1, 1})), "no direction");
    }

    @Test
    void lengthsMustMatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Similarity.cosine(new float[3], new float[4]));
        assertEquals("b: expected length 3 (a's), got 4", e.getMessage());
    }
}
