package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MarkdownTableTest {

    @Test
    void everyLineHasTheSameColumnsAndWidth() {
        List<Row> rows = List.of(RowTest.timed("attn4j", "fused", 1024, 2048, 70, 0),
                RowTest.timed("onnxruntime", "cpu", 1024, 2048, 284, 12));
        String table = MarkdownTable.render(rows);
        List<String> lines = table.lines().toList();
        assertEquals(4, lines.size(), table);
        int width = lines.getFirst().length();
        long bars = lines.getFirst().chars().filter(c -> c == '|').count();
        for (String line : lines) {
            assertEquals(width, line.length(), "line width: " + line);
            assertEquals(bars, line.chars().filter(c -> c == '|').count(), line);
        }
        assertTrue(lines.get(1).matches("[|:\\- ]+"), lines.get(1));
        assertTrue(lines.get(2).contains("4.06×"), "speed-up vs ORT: " + lines.get(2)); // 284 / 70
        assertTrue(lines.get(3).contains("**yes** (12%)"), lines.get(3));
        assertTrue(lines.get(3).contains("| +123 (346) |"), "growth and total peak: " + lines.get(3));
        assertTrue(lines.get(2).contains("| no "), lines.get(2));
    }

    @Test
    void notesExplainRowsThatDidNotRun() {
        Row skipped = Row.notTimed("java", "reference", 4096, 8192, 1, 2, 119.2, Double.NaN, Double.NaN, Double.NaN, "", "skipped", "too slow for the Java reference at 4096x8192");
        String table = MarkdownTable.render(List.of(skipped));
        assertTrue(table.contains("**skipped**"), table);
        assertTrue(table.contains("- java reference at 4096 × 8192: skipped: too slow for the Java reference at 4096x8192"), table);
        assertTrue(!table.contains("vs ORT"), "no baseline column without a baseline");
        Row bigger = Row.notTimed("java", "reference", 16384, 32768, 1, 2, 1900, Double.NaN, Double.NaN, Double.NaN, "", "skipped", "too slow for the Java reference at 4096x8192");
        String both = MarkdownTable.render(List.of(skipped, bigger));
        assertTrue(both.contains("- java reference at 4096 × 8192, 16384 × 32768: skipped: too slow"), "one note per reason: " + both);
    }

    @ParameterizedTest(name = "{0} ms: {1}")
    @CsvSource({"4735.2, 4735", "284.4, 284", "17.04, 17.0", "8.123, 8.12", "0.4123, 0.412"})
    void millisecondsKeepThreeDigits(double ms, String shown) {
        assertEquals(shown, MarkdownTable.ms(ms));
    }
}
