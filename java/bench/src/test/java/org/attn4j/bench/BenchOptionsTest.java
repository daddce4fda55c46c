package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
    private static final Path SHARED = Path.of("/somewhere/shared");

    private static BenchOptions parse(String... args) {
        return BenchOptions.parse(args, SHARED);
    }

    @Test
    void defaultsAreTheReadmeSizesAndThreeContenders() {
        BenchOptions o = parse();
        assertEquals(List.of(new Size(256, 512), new Size(1024, 2048), new Size(4096, 8192)), o.sizes());
        assertEquals(1, o.batch());
        assertEquals(2, o.threads());
        assertNull(o.repeat());
        assertEquals(1, o.warmup());
        assertEquals(List.of("attn4j", "onnxruntime", "pytorch"), o.contenders());
        assertEquals(MaskMode.ONES, o.masks());
        assertEquals(SHARED, o.shared());
        assertEquals("/usr/bin/python3", o.python());
        assertTrue(o.progress());
        assertFalse(o.help());
    }

    @Test
    void sizesRepeatAreDeduplicatedAndRunSmallFirst() {
        BenchOptions o = parse("--size", "1024x2048", "--size=64x96", "--size", "1024X2048", "--size", "1×1");
        assertEquals(List.of(new Size(1, 1), new Size(64, 96), new Size(1024, 2048)), o.sizes());
    }

    @Test
    void numbersAndPaths() {
        BenchOptions o = parse("--batch", "3", "--threads=1", "--repeat", "7", "--warmup", "0", "--seed", "-5",
                "--json", "r.json", "--chart", "c.png", "--chart-size", "800x500", "--python", "python3",
                "--shared", "/data", "--masks", "random", "--retry-busy", "2", "--no-progress");
        assertEquals(3, o.batch());
        assertEquals(1, o.threads());
        assertEquals(7, o.repeat());
        assertEquals(0, o.warmup());
        assertEquals(-5, o.seed());
        assertEquals(Path.of("r.json"), o.json());
        assertEquals(Path.of("c.png"), o.chart());
        assertEquals(800, o.chartWidth());
        assertEquals(500, o.chartHeight());
        assertEquals("python3", o.python());
        assertEquals(Path.of("/data"), o.shared());
        assertEquals(MaskMode.RANDOM, o.masks());
        assertEquals(2, o.retryBusy());
        assertFalse(o.progress());
        assertNull(o.replot());
        assertEquals(0, o.waitQuiet());
        assertEquals(30, parse("--wait-quiet", "30").waitQuiet());
        assertEquals(Path.of("old.json"), parse("--replot", "old.json").replot());
    }

    @Test
    void contendersAcceptAliasesAndKeepTheirOrder() {
        assertEquals(List.of("pytorch", "onnxruntime", "java"), parse("--contenders", "torch, ORT,java,pytorch").contenders());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--contenders", "attn4j,tensorflow"));
        assertTrue(e.getMessage().contains("--contenders") && e.getMessage().contains("tensorflow"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse("--contenders", ""));
    }

    @Test
    void repeatDefaultsToFiveAndThreeForBigRuns() {
        BenchOptions o = parse();
        assertEquals(5, o.repeatFor(Workload.readme(1, new Size(1024, 2048))));   // 10.5 GFLOP
        assertEquals(3, o.repeatFor(Workload.readme(1, new Size(4096, 8192))));   // 119 GFLOP
        assertEquals(9, parse("--repeat", "9").repeatFor(Workload.readme(1, new Size(4096, 8192))));
    }

    @Test
    void badValuesNameTheOption() {
        assertMessage("--size", "--size", "12");
        assertMessage("--size", "--size", "0x5");
        assertMessage("--size", "--size", "axb");
        assertMessage("--batch", "--batch", "0");
        assertMessage("--threads", "--threads", "two");
        assertMessage("--repeat", "--repeat", "0");
        assertMessage("--warmup", "--warmup", "-1");
        assertMessage("--masks", "--masks", "half");
        assertMessage("--chart-size", "--chart-size", "100x100");
        assertMessage("--json", "--json");
        assertMessage("--frobnicate", "--frobnicate");
    }

    @Test
    void helpIsAnOption() {
        assertTrue(parse("--help").help());
        assertTrue(parse("-h").help());
        assertTrue(BenchOptions.USAGE.contains("--contenders"));
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
