package org.attn4j.bench;

/** One benchmark size: i query positions of x against j positions of context. */
public record Size(int i, int j) implements Comparable<Size> {

    public Size {
        if (i < 1 || j < 1) {
            throw new IllegalArgumentException("size: expected positive lengths, got " + i + "x" + j);
        }
    }

    /** Parses "IxJ" (also "I×J" and upper-case X), e.g. "1024x2048"; errors name --size. */
    public static Size parse(String text) {
        return parse(text, "--size");
    }

    /** Parses "IxJ"; error messages start with {@code option}. */
    public static Size parse(String text, String option) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).replace('×', 'x').split("x", -1);
        String expected = option + ": expected IxJ with positive integers like 256x512, got \"" + text + "\"";
        if (parts.length != 2) {
            throw new IllegalArgumentException(expected);
        }
        int i;
        int j;
        try {
            i = Integer.parseInt(parts[0]);
            j = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(expected);
        }
        if (i < 1 || j < 1) {
            throw new IllegalArgumentException(expected);
        }
        return new Size(i, j);
    }

    /** Entries of one head's similarity matrix, i·j. */
    public long cells() {
        return (long) i * j;
    }

    /** Ordered by i·j, then i: the order sizes run and plot in. */
    @Override
    public int compareTo(Size o) {
        int c = Long.compare(cells(), o.cells());
        return c != 0 ? c : Integer.compare(i, o.i);
    }

    @Override
    public String toString() {
        return i + "x" + j;
    }
}
