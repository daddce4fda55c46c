package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AgreementTest {
    private static Outputs outputs(float shift, float scale) {
        float[] out = new float[7];
        float[] ctx = new float[11];
        for (int k = 0; k < out.length; k++) {
            out[k] = scale * (k - 3) + shift;
        }
        for (int k = 0; k < ctx.length; k++) {
            ctx[k] = scale * (k % 4) - shift;
        }
        return new Outputs(out, ctx);
    }

    private static Agreement.Entry entry(String label, Outputs o) {
        return new Agreement.Entry(label, o);
    }

    @Test
    void maxAbsDiffCoversBothOutputsAndFlagsNaN() {
        Outputs a = outputs(0, 1);
        assertEquals(0.0, a.maxAbsDiff(a));
        assertEquals(0.25, a.maxAbsDiff(outputs(0.25f, 1)), 1e-7);
        float[] ctx = a.contextOut().clone();
        ctx[10] = Float.NaN;
        assertEquals(Double.POSITIVE_INFINITY, a.maxAbsDiff(new Outputs(a.out(), ctx)));
        assertEquals(Double.POSITIVE_INFINITY, a.maxAbsDiff(new Outputs(new float[6], a.contextOut())));
        assertEquals(Double.POSITIVE_INFINITY, new Outputs(a.out(), ctx).maxAbs());
    }

    @Test
    void toleranceScalesWithTheLargestOutput() {
        assertEquals(Agreement.RELATIVE_TOLERANCE, Agreement.tolerance(outputs(0, 0.1f), outputs(0, 0.1f)), 1e-12);
        // outputs(0, 25): out spans 25·(0..6 − 3), so the largest |value| is 75
        assertEquals(75 * Agreement.RELATIVE_TOLERANCE, Agreement.tolerance(outputs(0, 25), outputs(0, 1)), 1e-9);
    }

    @Test
    void allAgreeingAreOkAgainstTheAnchor() {
        List<Agreement.Verdict> v = Agreement.judge(List.of(entry("attn4j materialised", outputs(0, 1)),
                entry("onnxruntime cpu", outputs(2e-5f, 1)), entry("pytorch eager", outputs(-4e-5f, 1))));
        assertTrue(v.stream().allMatch(Agreement.Verdict::ok));
        assertEquals("the others that agree", v.get(0).against());
        assertEquals(4e-5, v.get(0).maxAbsDiff(), 1e-6);    // the anchor's worst difference
        assertEquals("attn4j materialised", v.get(1).against());
        assertEquals(2e-5, v.get(1).maxAbsDiff(), 1e-6);
    }

    @Test
    void theOddOneOutFailsEvenWhenItIsTheFirstChoice() {
        List<Agreement.Verdict> v = Agreement.judge(List.of(entry("attn4j materialised", outputs(0.5f, 1)),
                entry("attn4j fused", outputs(0, 1)), entry("onnxruntime cpu", outputs(1e-6f, 1))));
        assertFalse(v.get(0).ok());
        assertEquals("attn4j fused", v.get(0).against());
        assertEquals(0.5, v.get(0).maxAbsDiff(), 1e-6);
        assertTrue(v.get(1).ok());
        assertTrue(v.get(2).ok());
    }

    @Test
    void twoThatDisagreeBothFail() {
        List<Agreement.Verdict> v = Agreement.judge(List.of(entry("a", outputs(0, 1)), entry("b", outputs(0.01f, 1))));
        assertFalse(v.get(0).ok());
        assertFalse(v.get(1).ok());
        assertEquals("b", v.get(0).against());
        assertEquals("a", v.get(1).against());
    }

    @Test
    void aLoneContenderIsUncheckedNotFailed() {
        List<Agreement.Verdict> v = Agreement.judge(List.of(entry("onnxruntime cpu", outputs(0, 1))));
        assertTrue(v.getFirst().ok());
        assertTrue(Double.isNaN(v.getFirst().maxAbsDiff()));
        assertTrue(v.getFirst().against().contains("only one"));
    }

    @Test
    void preferenceOrdersTheAnchors() {
        assertTrue(Agreement.preference("attn4j materialised") < Agreement.preference("attn4j fused"));
        assertTrue(Agreement.preference("attn4j fused") < Agreement.preference("onnxruntime cpu"));
        assertEquals(Agreement.ANCHOR_PREFERENCE.size(), Agreement.preference("something else"));
    }
}
