package org.attn4j.bench;

/** One benchmark size: i query positions of x against j positions of context. */
public record Size(int i, int j) implements Comparable<Size> {

    public Size {
        if (i < 1 || j < 1) {
            throw new IllegalArgumentException("size: expected positive lengths, got " + i + "x" + j);
        }
    }

    /** Parses "IxJ" (also "I×J" and upper-case X), e.g. "1024x2048". */
    public static Size parse(String text) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).replace('×', 'x').split("x", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("--size: expected IxJ like 256x512, got \"" + text + "\"");
        }
        try {
            return new Size(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--size: expected IxJ like 256x512, got \"" + text + "\"");
        }
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
