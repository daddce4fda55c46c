package org.attn4j.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The check made before any time is reported: every contender's out and context_out against
 * the others'. The anchor is the first contender, in the given order of preference, whose
 * outputs agree with at least one other; every contender is then judged against it. So one
 * wrong contender among three is the one marked FAILED, and two that disagree with each other
 * and no one else both fail (there is no telling which is right).
 */
final class Agreement {
    /** Allowed max |a − b| relative to the largest output magnitude (float32, sums over up to j terms). */
    static final double RELATIVE_TOLERANCE = 1e-4;

    /**
     * Who anchors the check, first choice first: attn4j's materialised path (the plainest native
     * computation), the Java reference, the fused kernel, then the outside implementations.
     */
    static final List<String> ANCHOR_PREFERENCE = List.of("attn4j materialised", "java reference", "attn4j fused",
            "onnxruntime cpu", "pytorch eager");

    private Agreement() {
    }

    /** Rank of a label in {@link #ANCHOR_PREFERENCE}; labels not in it come last. */
    static int preference(String label) {
        int k = ANCHOR_PREFERENCE.indexOf(label);
        return k < 0 ? ANCHOR_PREFERENCE.size() : k;
    }

    /** A contender's outputs, under its label. */
    record Entry(String label, Outputs outputs) {
    }

    /** The verdict for one entry: max |diff| against whom, and whether it is within tolerance. */
    record Verdict(String label, double maxAbsDiff, String against, boolean ok) {
    }

    /** max(|a − b|) allowed between two output sets: RELATIVE_TOLERANCE · max(1, largest |value|). */
    static double tolerance(Outputs a, Outputs b) {
        return RELATIVE_TOLERANCE * Math.max(1.0, Math.max(a.maxAbs(), b.maxAbs()));
    }

    /** Judges the entries (ordered by preference as the anchor); one verdict each, same order. */
    static List<Verdict> judge(List<Entry> entries) {
        int n = entries.size();
        List<Verdict> verdicts = new ArrayList<>();
        if (n == 1) {
            verdicts.add(new Verdict(entries.getFirst().label(), Double.NaN, "nothing (only one contender ran)", true));
            return verdicts;
        }
        double[][] diff = new double[n][n];
        boolean[][] agree = new boolean[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                Outputs x = entries.get(a).outputs();
                Outputs y = entries.get(b).outputs();
                diff[a][b] = diff[b][a] = x.maxAbsDiff(y);
                agree[a][b] = agree[b][a] = diff[a][b] <= tolerance(x, y);
            }
        }
        int anchor = -1;
        for (int a = 0; a < n && anchor < 0; a++) {
            for (int b = 0; b < n; b++) {
                if (b != a && agree[a][b]) {
                    anchor = a;
                    break;
                }
            }
        }
        for (int a = 0; a < n; a++) {
            String label = entries.get(a).label();
            if (anchor < 0) {
                // nobody agrees with anybody: report each against the first other one
                int other = a == 0 ? 1 : 0;
                verdicts.add(new Verdict(label, diff[a][other], entries.get(other).label(), false));
            } else if (a == anchor) {
                // the anchor's figure: its largest difference from those that agree with it
                double worst = 0;
                for (int b = 0; b < n; b++) {
                    if (b != a && agree[a][b]) {
                        worst = Math.max(worst, diff[a][b]);
                    }
                }
                verdicts.add(new Verdict(label, worst, "the others that agree", true));
            } else {
                verdicts.add(new Verdict(label, diff[a][anchor], entries.get(anchor).label(), agree[a][anchor]));
            }
        }
        return verdicts;
    }
}
