package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.nn.BidirectionalCrossAttention;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PyTorch script against the golden cases (java/core's test resources; this module's folder
 * is java/bench) and against attn4j on the reference README's configuration, and the "not
 * installed" path. Needs Debian's python3-torch and python3-numpy, which ./attn4j test installs.
 */
class PytorchContenderTest {
    private static final Path GOLDEN = Path.of("..", "core", "src", "test", "resources", "golden");
    private static final Path SCRIPT = Path.of(System.getProperty("attn4j.root", "../..")).resolve("bench/python/bca_bench.py");
    private static final String PYTHON = "/usr/bin/python3";

    /** Fails (never skips) when torch is missing: these tests are the only check of the PyTorch contender. */
    private static void requireTorch() throws Exception {
        boolean ok = false;
        if (Files.isExecutable(Path.of(PYTHON))) {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch, numpy").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            ok = p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        }
        assertTrue(ok, PYTHON + " cannot import torch and numpy: apt-get install python3-torch python3-numpy"
                + " (./attn4j test installs them)");
    }

    private static Progress.Task task() {
        return new Progress(new PrintStream(OutputStream.nullOutputStream()), 1, false).task("t", 1);
    }

    @Test
    void aMissingInterpreterSaysNotInstalled() {
        assertTrue(Files.isRegularFile(SCRIPT), "script not found: " + SCRIPT.toAbsolutePath());
        Path weights = GOLDEN.resolve("bca_basic").resolve("model.safetensors"); // any weights file: probed before Python
        PytorchContender c = new PytorchContender("/no/such/python3", SCRIPT, GOLDEN, weights, 1);
        Contender.Unavailable u = c.unavailable(Workload.readme(1, new Size(4, 4)));
        assertEquals("not installed", u.status());
        assertTrue(u.reason().contains("/no/such/python3"), u.reason());
    }

    /** Weights of the README's configuration, seeded, written by attn4j: both contenders load the same file. */
    @Test
    void agreesWithAttn4jOnOddSizes(@TempDir Path dir) throws Exception {
        requireTorch();
        Path model = dir.resolve("model.safetensors");
        Backend backend = Backends.nativeBackend(1);
        try (BidirectionalCrossAttention m = BidirectionalCrossAttention.builder()
                .dim(512).heads(8).dimHead(64).contextDim(386).build(backend, 11)) {
            m.save(model);
        }
        PytorchContender torch = new PytorchContender(PYTHON, SCRIPT, GOLDEN, model, 1);
        Attn4jContender attn4j = Attn4jContender.fused(model, backend);
        for (MaskMode masks : new MaskMode[] {MaskMode.RANDOM, MaskMode.NONE}) {
            Workload w = Workload.readme(2, new Size(5, 13));
            assertNull(torch.unavailable(w));
            assertNull(attn4j.unavailable(w));
            try (BenchInputs in = BenchInputs.draw(w, masks, 3)) {
                Outputs a = torch.check(in, task()).outputs();
                Outputs b = attn4j.check(in, task()).outputs();
                assertEquals(2 * 5 * 512, a.out().length);
                assertEquals(2 * 13 * 386, a.contextOut().length);
                assertTrue(a.maxAbsDiff(b) <= Agreement.tolerance(a, b), masks + ": diff " + a.maxAbsDiff(b));
                assertTrue(a.maxAbs() > 0.05, "outputs are not trivially zero: " + a.maxAbs());
                List<Agreement.Verdict> v = Agreement.judge(List.of(new Agreement.Entry("pytorch eager", a),
                        new Agreement.Entry("attn4j fused", b)));
                assertTrue(v.stream().allMatch(Agreement.Verdict::ok));
            }
        }
    }

    @Test
    void theScriptFailsItsProofOnWrongGoldens(@TempDir Path dir) throws Exception {
        requireTorch();
        assertEquals(0, prove(GOLDEN), "the real goldens pass");
        // a copy of the goldens where bca_masks expects bca_basic's outputs (same shapes, other weights)
        for (String c : List.of("bca_basic", "bca_masks", "bca_talking_prenorm", "bcat_depth2")) {
            Path to = Files.createDirectories(dir.resolve(c));
            for (String f : List.of("case.json", "model.safetensors", "inputs.safetensors", "outputs.safetensors")) {
                Path from = GOLDEN.resolve(c.equals("bca_masks") && f.equals("outputs.safetensors") ? "bca_basic" : c).resolve(f);
                Files.copy(from, to.resolve(f));
            }
        }
        assertEquals(PytorchContender.EXIT_PROOF_FAILED, prove(dir));
    }

    @Test
    void thePythonUnitTestsPass() throws Exception {
        requireTorch();
        Path dir = SCRIPT.getParent();
        Process p = new ProcessBuilder(PYTHON, "-m", "unittest", "discover", "-s", dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("Ran "), output);
    }

    private static int prove(Path golden) throws Exception {
        Process p = new ProcessBuilder(PYTHON, SCRIPT.toString(), "--golden", golden.toString(), "--prove-only")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        return p.exitValue();
    }
}
