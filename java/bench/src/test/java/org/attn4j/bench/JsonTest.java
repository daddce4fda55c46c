package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesValuesAndEscapes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\nd\u0001");
        m.put("i", 42);
        m.put("d", 1.5);
        m.put("whole", 3.0);
        m.put("nan", Double.NaN);
        m.put("inf", Double.POSITIVE_INFINITY);
        m.put("b", true);
        m.put("n", null);
        m.put("list", List.of(1, "x"));
        m.put("empty", Map.of());
        assertEquals("{\"s\":\"a\\\"b\\\\c\\nd\\u0001\",\"i\":42,\"d\":1.5,\"whole\":3,\"nan\":null,\"inf\":null,"
                + "\"b\":true,\"n\":null,\"list\":[1,\"x\"],\"empty\":{}}", Json.write(m));
    }

    @Test
    void prettyTextParsesBackToTheSameValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "π × ü");
        m.put("x", -0.000125);
        m.put("rows", List.of(Map.of("a", 1.0), List.of()));
        Object back = Json.parse(Json.pretty(m, 2));
        assertEquals(m.toString(), back.toString());
    }

    @Test
    void readsPythonsOutput() {
        Object v = Json.parse("{\"t\": [1.25, 2e-3, -4], \"ok\": false, \"none\": null, \"nan\": NaN, \"u\": \"\\u00e9\"}");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(1.25, 0.002, -4.0), m.get("t"));
        assertEquals(false, m.get("ok"));
        assertTrue(m.containsKey("none") && m.get("none") == null);
        assertTrue(Double.isNaN((Double) m.get("nan")));
        assertEquals("é", m.get("u"));
    }

    @Test
    void malformedInputSaysWhere() {
        for (String bad : new String[] {"{", "[1,]", "{\"a\" 1}", "tru", "\"open", "1 2", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains("offset"), e.getMessage());
        }
    }
}
