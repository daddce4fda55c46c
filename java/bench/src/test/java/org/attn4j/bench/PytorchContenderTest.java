package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PyTorch script against the golden cases and against ONNX Runtime (skipped where torch or
 * ../shared are absent: the harness must not need them), and the "not installed" path.
 */
class PytorchContenderTest {
    private static final Path SHARED = Path.of(System.getProperty("attn4j.shared", "../../../shared"));
    private static final Path GOLDEN = SHARED.resolve("golden");
    private static final Path SCRIPT = Path.of(System.getProperty("attn4j.root", "../..")).resolve("bench/python/bca_bench.py");
    private static final String PYTHON = "/usr/bin/python3";

    private static boolean torchInstalled() throws Exception {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return false;
        }
        Process p = new ProcessBuilder(PYTHON, "-c", "import torch, numpy").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static Progress.Task task() {
        return new Progress(new PrintStream(OutputStream.nullOutputStream()), 1, false).task("t", 1);
    }

    @Test
    void aMissingInterpreterSaysNotInstalled() {
        assumeTrue(Files.isRegularFile(SCRIPT) && Files.isDirectory(GOLDEN.resolve("bca_readme")), "needs the script and ../shared");
        PytorchContender c = new PytorchContender("/no/such/python3", SCRIPT, GOLDEN, 1);
        Contender.Unavailable u = c.unavailable(Workload.readme(1, new Size(4, 4)));
        assertEquals("not installed", u.status());
        assertTrue(u.reason().contains("/no/such/python3"), u.reason());
    }

    @Test
    void agreesWithOnnxRuntimeOnOddSizes() throws Exception {
        assumeTrue(Files.isDirectory(GOLDEN.resolve("bca_readme")), "needs ../shared/golden");
        assumeTrue(torchInstalled(), "needs python3-torch");
        PytorchContender torch = new PytorchContender(PYTHON, SCRIPT, GOLDEN, 1);
        OnnxContender ort = new OnnxContender(GOLDEN.resolve("bca_readme"), 1);
        for (MaskMode masks : new MaskMode[] {MaskMode.RANDOM, MaskMode.NONE}) {
            Workload w = Workload.readme(2, new Size(5, 13));
            assertNull(torch.unavailable(w));
            try (BenchInputs in = new BenchInputs(w, masks, 3)) {
                Outputs a = torch.check(in, task()).outputs();
                Outputs b = ort.check(in, task()).outputs();
                assertEquals(2 * 5 * 512, a.out().length);
                assertEquals(2 * 13 * 386, a.contextOut().length);
                assertTrue(a.maxAbsDiff(b) <= Agreement.tolerance(a, b), masks + ": diff " + a.maxAbsDiff(b));
                assertTrue(a.maxAbs() > 1, "outputs are not trivially zero");
                List<Agreement.Verdict> v = Agreement.judge(List.of(new Agreement.Entry("pytorch eager", a),
                        new Agreement.Entry("onnxruntime cpu", b)));
                assertTrue(v.stream().allMatch(Agreement.Verdict::ok));
            }
        }
    }

    @Test
    void theScriptFailsItsProofOnWrongGoldens(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(GOLDEN.resolve("bca_masks")), "needs ../shared/golden");
        assumeTrue(torchInstalled(), "needs python3-torch");
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
        assumeTrue(torchInstalled(), "needs python3-torch");
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
