package org.attn4j.text;

/**
 * HuggingFace's truncation of one text or a pair to maxLength tokens in all (the special tokens
 * the post-processor adds counted in). LongestFirst on a pair: when the shorter fits in half,
 * it stays whole and the longer takes the rest; otherwise both get half (the longer one the odd
 * token). Direction right keeps the start of each text, left keeps its end.
 */
final class Truncation {
    enum Strategy { LONGEST_FIRST, ONLY_FIRST, ONLY_SECOND }

    final int maxLength;
    final Strategy strategy;
    final boolean left;

    Truncation(int maxLength, Strategy strategy, boolean left) {
        this.maxLength = maxLength;
        this.strategy = strategy;
        this.left = left;
    }

    /** Truncates a (and b, when a pair) in place so that a + b + specials ≤ maxLength. */
    void apply(BertTokenizer.Pieces a, BertTokenizer.Pieces b, int specials) {
        int budget = Math.max(0, maxLength - specials);
        int n1 = a.size();
        int n2 = b == null ? 0 : b.size();
        if (n1 + n2 <= budget) {
            return;
        }
        if (b == null) {
            if (strategy == Strategy.ONLY_SECOND) {
                throw new IllegalArgumentException("truncation only_second needs a pair; the text has " + n1
                        + " tokens, more than " + budget);
            }
            cut(a, budget);
            return;
        }
        switch (strategy) {
            case LONGEST_FIRST -> {
                boolean swap = n1 > n2;
                int shorter = Math.min(n1, n2);
                int longer = Math.max(n1, n2);
                int half = budget / 2;
                int keepShorter;
                int keepLonger;
                if (shorter <= half) {
                    keepShorter = shorter;
                    keepLonger = budget - shorter;
                } else {
                    keepShorter = half;
                    keepLonger = budget - half;
                }
                keepLonger = Math.min(keepLonger, longer);
                cut(swap ? b : a, keepShorter);
                cut(swap ? a : b, keepLonger);
            }
            case ONLY_FIRST -> {
                if (n2 > budget) {
                    throw new IllegalArgumentException("truncation only_first: the second text alone has " + n2
                            + " tokens, more than " + budget);
                }
                cut(a, budget - n2);
            }
            case ONLY_SECOND -> {
                if (n1 > budget) {
                    throw new IllegalArgumentException("truncation only_second: the first text alone has " + n1
                            + " tokens, more than " + budget);
                }
                cut(b, budget - n1);
            }
        }
    }

    private void cut(BertTokenizer.Pieces p, int keep) {
        if (p.size() <= keep) {
            return;
        }
        if (left) {
            p.keep(p.size() - keep, p.size());
        } else {
            p.keep(0, keep);
        }
    }
}
