package org.attn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner's logic with scripted contenders: check before timing, failures, skips, retries. */
class BenchRunnerTest {
    private final List<String> log = new ArrayList<>();

    /** A contender whose outputs, timings and failures are given. */
    private final class Scripted extends Contender {
        final float shift;
        final Unavailable unavailable;
        final RuntimeException failure;
        final double[] busyPerAttempt;
        int attempts;

        Scripted(String name, float shift, Unavailable unavailable, RuntimeException failure, double... busyPerAttempt) {
            super(name, "v");
            this.shift = shift;
            this.unavailable = unavailable;
            this.failure = failure;
            this.busyPerAttempt = busyPerAttempt.length == 0 ? new double[] {0} : busyPerAttempt;
        }

        @Override
        public Unavailable unavailable(Workload w) {
            return unavailable;
        }

        @Override
        public Check check(BenchInputs in, Progress.Task task) {
            log.add("check " + name() + " " + in.workload());
            if (failure != null) {
                throw failure;
            }
            float[] out = in.x().toFloatArray(); // depends on the inputs, like a real contender
            float[] ctx = in.context().toFloatArray();
            for (int k = 0; k < out.length; k++) {
                out[k] += shift;
            }
            return new Check(new Outputs(out, ctx), 3.0, 300.0);
        }

        @Override
        public Timing time(BenchInputs in, int warmup, int repeat, Progress.Task task) {
            log.add("time " + name() + " " + in.workload());
            double busy = busyPerAttempt[Math.min(attempts++, busyPerAttempt.length - 1)];
            double[] ms = new double[repeat];
            Arrays.setAll(ms, k -> 10 + k); // 10, 11, 12, ...
            return new Timing(ms, 7.0, 250.0, busy);
        }

        @Override
        public String describe() {
            return name();
        }
    }

    private static BenchOptions options(String... args) {
        return BenchOptions.parse(args, Path.of("/nowhere"));
    }

    private static Progress quiet() {
        return new Progress(new PrintStream(OutputStream.nullOutputStream()), 1, false);
    }

    @Test
    void checksEverythingBeforeTimingAndTimesOnlyTheAgreeing() {
        Scripted a = new Scripted("a", 0, null, null);
        Scripted b = new Scripted("b", 1e-6f, null, null);
        Scripted wrong = new Scripted("wrong", 0.5f, null, null);
        Scripted skipped = new Scripted("skipped", 0, Contender.Unavailable.skipped("too big"), null);
        Scripted broken = new Scripted("broken", 0, null, new IllegalStateException("library missing"));
        BenchOptions o = options("--size", "3x5", "--size", "1x7", "--repeat", "3", "--no-progress");
        double[] rates = {100.0, 50.0}; // the GEMM rate measured for the first size, then the second
        BenchRunner runner = new BenchRunner(o, List.of(a, b, wrong, skipped, broken), () -> {
            log.add("gemm");
            return rates[log.stream().filter("gemm"::equals).mapToInt(x -> 1).sum() - 1];
        }, quiet());
        List<Row> rows = runner.run();

        assertEquals(10, rows.size());
        assertEquals(List.of("check a 1x7", "check b 1x7", "check wrong 1x7", "check broken 1x7", "gemm", "time a 1x7",
                "time b 1x7", "check a 3x5", "check b 3x5", "check wrong 3x5", "check broken 3x5", "gemm", "time a 3x5",
                "time b 3x5"), log);
        assertEquals(List.of(100.0, 50.0), runner.gemmRates());

        Row ra = rows.get(5);
        assertEquals("a", ra.contender());
        assertEquals(3, ra.i());
        assertEquals("ok", ra.status());
        assertEquals(11, ra.medianMs());
        assertEquals(10, ra.minMs());
        assertEquals(12, ra.maxMs());
        assertEquals(3, ra.repeat());
        assertEquals(7.0, ra.peakRssMb()); // the larger of check (3) and timing (7)
        assertEquals(300.0, ra.peakRssTotalMb()); // the larger of check (300) and timing (250)
        double flops = Workload.readme(1, new Size(3, 5)).usefulFlops();
        assertEquals(flops / 11e6, ra.gflops(), 1e-9);
        assertEquals(100 * ra.gflops() / 50.0, ra.pctGemm(), 1e-9, "against the rate measured before its own size");
        assertEquals(100 * rows.get(0).gflops() / 100.0, rows.get(0).pctGemm(), 1e-9);
        assertEquals(1e-6, ra.maxAbsDiff(), 1e-7);

        Row rw = rows.get(7);
        assertEquals("FAILED", rw.status());
        assertFalse(rw.timed());
        assertEquals("a v", rw.checkedAgainst());
        assertEquals(0.5, rw.maxAbsDiff(), 1e-6);

        assertEquals("skipped", rows.get(8).status());
        assertEquals("too big", rows.get(8).note());
        assertEquals("error", rows.get(9).status());
        assertTrue(rows.get(9).note().contains("library missing"), rows.get(9).note());
    }

    @Test
    void busyRunsAreTimedAgainWhenAsked() {
        Scripted a = new Scripted("a", 0, null, null, 40, 30, 0);
        Scripted b = new Scripted("b", 0, null, null);
        List<Row> rows = new BenchRunner(options("--size", "2x2", "--retry-busy", "5", "--repeat", "1"),
                List.of(a, b), () -> Double.NaN, quiet()).run();
        assertEquals(3, a.attempts);
        assertEquals(0, rows.getFirst().otherBusyPct());
        assertTrue(rows.getFirst().note().contains("timed 3 times"), rows.getFirst().note());
        assertTrue(Double.isNaN(rows.getFirst().pctGemm()), "no GEMM rate, no percentage");

        Scripted c = new Scripted("c", 0, null, null, 40);
        List<Row> once = new BenchRunner(options("--size", "2x2", "--repeat", "1"), List.of(c), () -> Double.NaN, quiet()).run();
        assertEquals(1, c.attempts, "no retry unless asked");
        assertTrue(once.getFirst().busy());
        assertEquals("ok", once.getFirst().status(), "a lone contender is timed, unchecked");
        assertTrue(once.getFirst().note().contains("outputs unchecked"), once.getFirst().note());
        assertFalse(rows.getFirst().note().contains("unchecked"), rows.getFirst().note());
    }
}
