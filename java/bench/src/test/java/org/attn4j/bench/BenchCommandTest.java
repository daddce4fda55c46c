package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command's exit statuses and the paths that run nothing (help, bad options, --replot). */
class BenchCommandTest {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return BenchCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsUsage() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: ./attn4j bench"));
    }

    @Test
    void aBadOptionExitsWithTwoAndSaysWhy() {
        assertEquals(2, run("--size", "12"));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("attn4j bench: --size: expected IxJ"), e);
        assertTrue(e.contains("usage:"), e);
    }

    @Test
    void replotRedrawsASavedRun(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("run.json");
        Files.writeString(json, new ReportTest().reportJson());
        Path png = dir.resolve("again.png");
        assertEquals(0, run("--replot", json.toString(), "--chart", png.toString(), "--chart-size", "640x400"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("| 7 × 11 "));
        assertEquals(640, ImageIO.read(png.toFile()).getWidth());
        assertEquals(1, run("--replot", dir.resolve("missing.json").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing.json"));
    }

    @Test
    void workloadsAreChosenByNameOrFlag() {
        assertEquals(2, run("no-such-workload"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown workload \"no-such-workload\""));
        assertEquals(2, run("--workload"));
        assertEquals(2, run("--workload", "decode", "--steps", "zero"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--steps: expected a positive integer"), err.toString());
        assertEquals(2, run("family", "--bogus"));
        assertEquals(2, run("peers", "--cases", "sdpa,nope"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--cases: expected names from sdpa, sdpa-causal"), err.toString());
        assertEquals(0, run("--workload=bca", "--help"));
        String usage = out.toString(StandardCharsets.UTF_8);
        for (BenchWorkload w : BenchWorkloads.ALL) {
            assertTrue(usage.contains("  " + w.name() + " "), usage);
        }
    }

    @Test
    void theSoakRunsInAChildJvmOfThisJdkWithAFixedHeap() {
        var cmd = SoakWorkload.command(new String[] {"--forwards", "10"});
        assertTrue(cmd.getFirst().startsWith(System.getProperty("java.home")), cmd.toString());
        assertTrue(cmd.containsAll(SoakWorkload.HEAP), cmd.toString());
        assertEquals(java.util.List.of(Soak.class.getName(), "--forwards", "10"), cmd.subList(cmd.size() - 3, cmd.size()));
    }

    @Test
    void peerWorkCountsCausalAsHalfAndAddsTheProjections() {
        PeerCase sdpa = new PeerCase("sdpa", false, 1, 4096, 8, 64);
        assertEquals(4.0 * 8 * 4096 * 4096 * 64, sdpa.usefulFlops(), 1);
        assertEquals(sdpa.usefulFlops() / 2, new PeerCase("sdpa", true, 1, 4096, 8, 64).usefulFlops(), 1);
        assertEquals(sdpa.usefulFlops() + 8.0 * 4096 * 512 * 512, new PeerCase("mha", false, 1, 4096, 8, 64).usefulFlops(), 1);
    }
}
