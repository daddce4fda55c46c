package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.attn4j.Tensor;

/** Test helpers: where the PyTorch goldens live, and tolerance comparisons. */
final class Golden {
    private Golden() {
    }

    /** The golden case /golden/{name}/ on the test class path (src/test/resources/golden). */
    static Path dir(String name) {
        URL url = Golden.class.getResource("/golden/" + name);
        if (url == null) {
            throw new IllegalStateException("golden case /golden/" + name + " is not on the test class path");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url.toString(), e);
        }
    }

    /** Asserts |got − want| ≤ atol + rtol·|want| element-wise, naming the worst element. */
    static void assertClose(String what, Tensor got, Tensor want, double atol, double rtol) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        float[] g = got.toFloatArray();
        float[] w = want.toFloatArray();
        int worst = -1;
        double worstExcess = 0;
        for (int k = 0; k < g.length; k++) {
            double err = Math.abs((double) g[k] - w[k]);
            double excess = err - (atol + rtol * Math.abs(w[k]));
            if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
                worst = k;
                worstExcess = excess;
            }
        }
        int at = worst;
        assertTrue(at < 0, () -> what + ": element " + at + " got " + g[at] + ", want " + w[at] + " (atol " + atol
                + ", rtol " + rtol + ")");
    }

    /** Largest |a − b| over all elements. */
    static double maxAbsDiff(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double m = 0;
        for (int k = 0; k < x.length; k++) {
            double d = Math.abs((double) x[k] - y[k]);
            m = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(m, d);
        }
        return m;
    }
}
