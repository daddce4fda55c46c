package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.attn4j.internal.io.Json;
import org.junit.jupiter.api.Test;

class RowTest {
    static Row timed(String contender, String variant, int i, int j, double median, double busyPct) {
        return new Row(contender, variant, i, j, 1, 2, 5, median, median * 0.9, median * 1.2, 10.5, 10.5 / median * 1e3,
                50, 123.4, 345.6, 1.5e-5, "attn4j materialised", busyPct, "ok", "");
    }

    @Test
    void jsonRowHasTheRequiredKeysInOrder() {
        Map<String, Object> m = timed("attn4j", "fused", 1024, 2048, 70, 1).toJson();
        assertEquals(List.of("contender", "variant", "i", "j", "batch", "threads", "repeat", "median_ms", "min_ms",
                "max_ms", "gflop", "gflops", "pct_gemm", "peak_rss_mb", "peak_rss_total_mb", "max_abs_diff", "checked_against",
                "other_busy_pct", "status", "note", "busy"), List.copyOf(m.keySet()));
        String text = Json.write(m);
        assertTrue(text.startsWith("{\"contender\":\"attn4j\",\"variant\":\"fused\",\"i\":1024,\"j\":2048,\"batch\":1,"
                + "\"threads\":2,\"repeat\":5,\"median_ms\":70.0,"), text);
        Map<?, ?> back = (Map<?, ?>) Json.parse(text);
        assertEquals(false, back.get("busy"));
        assertEquals("ok", back.get("status"));
        assertEquals(123.4, back.get("peak_rss_mb"));
    }

    @Test
    void unmeasuredNumbersAreNullAndBusyFollowsTheThreshold() {
        Row skipped = Row.notTimed("java", "reference", 4096, 8192, 1, 2, 119.2, Double.NaN, Double.NaN, Double.NaN, "", "skipped", "too slow");
        Map<?, ?> back = (Map<?, ?>) Json.parse(Json.write(skipped.toJson()));
        assertNull(back.get("median_ms"));
        assertNull(back.get("gflops"));
        assertEquals(false, back.get("busy"));
        assertEquals("too slow", back.get("note"));
        assertTrue(timed("onnxruntime", "cpu", 1, 1, 1, 12).busy());
        assertEquals("onnxruntime cpu", timed("onnxruntime", "cpu", 1, 1, 1, 0).label());
    }
}
