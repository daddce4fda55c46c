package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.attn4j.internal.io.Json;
import org.junit.jupiter.api.Test;

class RecordJsonTest {
    @Test
    void keysAreTheComponentsInSnakeCase() {
        assertEquals("median_ms", RecordJson.key("medianMs"));
        assertEquals("peak_rss_total_mb", RecordJson.key("peakRssTotalMb"));
        assertEquals("i", RecordJson.key("i"));
        Machine machine = new Machine("AMD EPYC", 2, "AVX2+FMA", 23.5, "Linux 6.1", "JDK 25");
        assertEquals(List.of("cpu", "cores", "isa", "memory_gib", "os", "jdk"), List.copyOf(machine.toJson().keySet()));
    }

    @Test
    void aRecordComesBackFromItsJsonText() {
        Machine machine = new Machine("AMD EPYC", 2, "AVX2+FMA", 23.5, "Linux 6.1", "JDK 25");
        assertEquals(machine, Machine.fromJson((Map<?, ?>) Json.parse(Json.write(machine.toJson()))));
        Row row = Row.notTimed("java", "reference", 4096, 8192, 1, 2, 119.2, Double.NaN, 310, Double.NaN, "", "skipped", "slow");
        Map<?, ?> json = (Map<?, ?>) Json.parse(Json.write(row.toJson()));
        assertNull(json.get("median_ms"));
        assertEquals(row, Row.fromJson(json)); // NaN → null → NaN; records compare doubles by bits
    }

    @Test
    void missingValuesReadAsNaNZeroOrEmpty() {
        Row row = Row.fromJson(Map.of("contender", "attn4j", "i", 16));
        assertEquals("attn4j", row.contender());
        assertEquals("", row.variant());
        assertEquals(16, row.i());
        assertEquals(0, row.j());
        assertEquals(Double.NaN, row.medianMs());
    }
}
