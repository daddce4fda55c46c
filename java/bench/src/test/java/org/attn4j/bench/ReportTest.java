package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static Report report() {
        Map<String, String> contenders = new LinkedHashMap<>();
        contenders.put("attn4j fused", "the fused kernel");
        contenders.put("java reference", "the reference");
        Row skipped = Row.notTimed("java", "reference", 4096, 8192, 1, 2, 119.2, Double.NaN, Double.NaN, Double.NaN, "", "skipped", "too slow");
        return new Report(new Machine("Some CPU", 2, "AVX2+FMA", 23.5, "Linux 6.1", "JDK 25"), "./attn4j bench --size 7x11",
                new Report.Settings(1, 2, 1, "ones", 1, "5 (3 above 50 GFLOP)"), 185.5, contenders,
                List.of(RowTest.timed("attn4j", "fused", 7, 11, 2.5, 0), skipped));
    }

    /** A saved run's JSON, for other tests. */
    String reportJson() {
        return report().jsonText();
    }

    @Test
    void jsonTextReadsBackToTheSameReport(@TempDir Path dir) throws IOException {
        Report r = report();
        Path file = dir.resolve("run.json");
        Files.writeString(file, r.jsonText());
        // "{", six members (the rows member opens its list), one line per row, " ]", "}"
        assertEquals(1 + 6 + r.rows().size() + 2, Files.readAllLines(file).size(), "one line per row and per member");
        Report back = Report.read(file);
        assertEquals(r.machine(), back.machine());
        assertEquals(r.command(), back.command());
        assertEquals(r.settings(), back.settings());
        assertEquals(r.gemmGflops(), back.gemmGflops());
        assertEquals(r.contenders(), back.contenders());
        assertEquals(r.rows(), back.rows()); // NaN fields compare equal in records (Double.compare)
        assertEquals(r.markdown(), back.markdown());
    }

    @Test
    void markdownStatesMachineCommandAndSettings() {
        String md = report().markdown();
        assertTrue(md.contains("- machine: Some CPU, 2 cores AVX2+FMA, 24 GiB, Linux 6.1, JDK 25"), md);
        assertTrue(md.contains("- command: `./attn4j bench --size 7x11`"), md);
        assertTrue(md.contains("median of 5 (3 above 50 GFLOP) timed runs (in-process contenders: and more, until they "
                + "span 0.5 s) after 1 warm-up"), md);
        // each size's rate, read back from its row: 4200 GFLOP/s at 50 % of GEMM
        assertTrue(md.contains("measured before each size's timings (100% in that size's % GEMM column), GFLOP/s: "
                + "7 × 11 8400.0"), md);
        assertTrue(md.contains("tolerance 0.0001 × max(1, largest |output|)"), md);
        assertTrue(md.contains("  - java reference: the reference"), md);
        assertTrue(md.contains("| 7 × 11 "), md);
    }

    @Test
    void anythingElseIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("other.json");
        Files.writeString(file, "{\"rows\": 3}");
        assertThrows(IOException.class, () -> Report.read(file));
    }
}
