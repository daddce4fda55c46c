package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(new Stats(3, 1, 9, 5), Stats.of(new double[] {9, 1, 3, 4, 2}));
        assertEquals(new Stats(3.5, 1, 9, 4), Stats.of(new double[] {9, 1, 3, 4}));
        assertEquals(new Stats(7, 7, 7, 1), Stats.of(new double[] {7}));
    }

    @Test
    void doesNotReorderItsInput() {
        double[] ms = {3, 1, 2};
        Stats.of(ms);
        assertEquals(3, ms[0]);
    }

    @Test
    void emptyIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Stats.of(new double[0]));
    }
}
