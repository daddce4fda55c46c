package org.attn4j.internal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The strict JSON parser and writer: grammar, types, escapes, limits and error positions. */
class JsonTest {

    @Test
    void parsesEveryValueKindWithItsJavaType() {
        Object v = Json.parse(" {\"a\": [1, -2.5, \"s\", true, false, null, {}, []], \"b\": {\"c\": 0}}\n");
        Map<?, ?> root = assertInstanceOf(Map.class, v);
        List<?> a = assertInstanceOf(List.class, root.get("a"));
        assertEquals(List.of(1L, -2.5, "s", true, false), a.subList(0, 5));
        assertNull(a.get(5));
        assertEquals(Map.of(), a.get(6));
        assertEquals(List.of(), a.get(7));
        assertEquals(Map.of("c", 0L), root.get("b"));
    }

    @Test
    void objectsKeepDocumentOrder() {
        Map<?, ?> m = (Map<?, ?>) Json.parse("{\"z\":1,\"a\":2,\"m\":3,\"b\":4}");
        assertEquals(List.of("z", "a", "m", "b"), new ArrayList<>(m.keySet()));
    }

    @Test
    void numbersAreLongWhenIntegralAndInRangeElseDouble() {
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(9.223372036854775808e18, Json.parse("9223372036854775808"));
        assertEquals(1.8446744073709552e19, Json.parse("18446744073709551615"));
        assertEquals(0L, Json.parse("-0"));
        assertEquals(1.0, Json.parse("1.0"));
        assertEquals(100.0, Json.parse("1e2"));
        assertEquals(-1.5e-7, Json.parse("-1.5E-7"));
        assertEquals(1.25, Json.parse("125e-2"));
        assertEquals(4.9e-324, Json.parse("4.9e-324"));
    }

    @Test
    void stringEscapesIncludingSurrogatePairs() {
        assertEquals("\"\\/\b\f\n\r\t", Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""));
        assertEquals("é€", Json.parse("\"\\u00e9\\u20AC\""));
        assertEquals("\uD83D\uDE00", Json.parse("\"\\uD83D\\uDE00\""), "escaped pair becomes one code point");
        assertEquals("😀 ü", Json.parse("\"😀 ü\""), "raw non-ASCII passes through");
        assertEquals("\u0000", Json.parse("\"\\u0000\""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                       | expected a value, got end of input at line 1, column 1 (offset 0)",
        "'   '                    | expected a value, got end of input",
        "'[1,]'                   | expected a value, got ']' at line 1, column 4 (offset 3)",
        "'{\"a\":1,}'             | expected a string key, got '}'",
        "'[1 2]'                  | expected ',' or ']' after an array element, got '2'",
        "'{\"a\" 1}'              | expected ':' after object key \"a\", got '1'",
        "'{\"a\":1 \"b\":2}'      | expected ',' or '}' after an object member, got '\"'",
        "'{a:1}'                  | expected a string key, got 'a'",
        "'01'                     | leading zero in number at line 1, column 1",
        "'-'                      | expected a digit in number, got end of input",
        "'1.'                     | expected a digit after the decimal point",
        "'.5'                     | expected a value, got '.'",
        "'+1'                     | expected a value, got '+'",
        "'1e'                     | expected a digit in the exponent",
        "'1e400'                  | number 1e400 overflows a double",
        "'NaN'                    | expected a value, got 'N'",
        "'Infinity'               | expected a value, got 'I'",
        "'tru'                    | expected a value, got 't'",
        "'nulls'                  | expected end of input after the value, got 's' at line 1, column 5 (offset 4)",
        "'{} {}'                  | expected end of input after the value, got '{'",
        "'\"abc'                  | unterminated string starting at line 1, column 1",
        "'\"\\x\"'                | invalid escape \\x",
        "'\"\\u12zz\"'            | invalid \\u escape: expected 4 hex digits",
        "'\"\\u12'                | truncated \\u escape",
        "'\"\\uD83D\"'            | unpaired high surrogate \\uD83D",
        "'\"\\uDE00\"'            | unpaired low surrogate \\uDE00",
        "'\"\\uD83D\\u0041\"'     | high surrogate \\uD83D followed by \\u0041, not a low surrogate",
        "'// c\n1'                | expected a value, got '/'",
        "'[1,\n  2,\n  x]'        | got 'x' at line 3, column 3 (offset 11)",
        "'\"a\uD800b\"'           | unpaired surrogate U+D800",
        "'{\"a\":{\"k\":1,\"k\":1}}' | duplicate key \"k\"",
    })
    void rejectsMalformedTextWithPosition(String text, String expected) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text));
        assertTrue(e.getMessage().contains(expected), () -> "message: " + e.getMessage());
    }

    /** The exception's position is the offset of the offending character. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'\"a\nb\"'                  | unescaped control character U+000A | 2",
        "'{\"w\":1,\"x\":2,\"w\":3}'  | duplicate key \"w\"                | 13",
    })
    void rejectsAtThePositionItNames(String text, String expected, int position) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text));
        assertTrue(e.getMessage().contains(expected), () -> "message: " + e.getMessage());
        assertEquals(position, e.position());
    }

    @Test
    void rejectsNonAsciiHexDigitsInEscapes() {
        // Character.digit would accept fullwidth digits; JSON does not.
        assertThrows(JsonException.class, () -> Json.parse("\"\\u００41\""));
    }

    @Test
    void nestingIsLimited() {
        String ok = "[".repeat(Json.DEFAULT_MAX_DEPTH) + "]".repeat(Json.DEFAULT_MAX_DEPTH);
        Json.parse(ok);
        String deep = "[".repeat(Json.DEFAULT_MAX_DEPTH + 1) + "]".repeat(Json.DEFAULT_MAX_DEPTH + 1);
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than 128"), e.getMessage());
        // A bomb far deeper than any stack: rejected by the limit, not a StackOverflowError.
        String bomb = "{\"a\":".repeat(1_000_000);
        assertThrows(JsonException.class, () -> Json.parse(bomb));
        assertThrows(JsonException.class, () -> Json.parse("[[[1]]]", 2));
        assertEquals(List.of(List.of(1L)), Json.parse("[[1]]", 2));
    }

    @Test
    void writerEscapesAndRoundTrips() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("quote\"back\\slash", "tab\tnl\nnul\u0000 bell\u0007 del\u007f é 😀 \u2028");
        m.put("n", List.of(1L, -2L, 0.5, 1e-5, 1.0E300, true, false));
        m.put("nil", null);
        m.put("nested", Map.of("k", List.of()));
        String json = Json.write(m);
        assertEquals("{\"quote\\\"back\\\\slash\":\"tab\\tnl\\nnul\\u0000 bell\\u0007 del\u007f é 😀 \u2028\","
                + "\"n\":[1,-2,0.5,1.0E-5,1.0E300,true,false],\"nil\":null,\"nested\":{\"k\":[]}}", json);
        assertEquals(m, Json.parse(json));
    }

    @Test
    void writerHandlesPrimitiveArraysAndOtherNumbers() {
        assertEquals("[1,2]", Json.write(new long[] {1, 2}));
        assertEquals("[]", Json.write(new int[0]));
        assertEquals("[0.25,-3.0]", Json.write(new double[] {0.25, -3}));
        assertEquals("[0.1]", Json.write(new float[] {0.1f}), "floats keep their shortest digits");
        assertEquals("[\"a\",null,7]", Json.write(new Object[] {"a", null, 7}));
        assertEquals("{\"s\":3}", Json.write(Map.of("s", (short) 3)));
        assertEquals("\"x\\u001fy\"", Json.quote("x\u001fy"));
    }

    @Test
    void writerRejectsWhatJsonCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(Float.POSITIVE_INFINITY)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new double[] {1, Double.NEGATIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, "x")));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.write("a\uDC00"));
        assertTrue(e.getMessage().contains("unpaired surrogate U+DC00"), e.getMessage());
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThrows(IllegalArgumentException.class, () -> Json.write(cycle));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "3.5", "\"\"", "[]", "{}", "[[],[{}]]", "{\"\":\"\"}", "1.0E-7"})
    void writeOfParseIsStable(String text) {
        Object v = Json.parse(text);
        assertEquals(v, Json.parse(Json.write(v)));
    }

    @Test
    void nullArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse(null));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("1", 0));
        assertEquals("[1,2,3]", Json.write(Arrays.asList(1, 2, 3)));
    }
}
