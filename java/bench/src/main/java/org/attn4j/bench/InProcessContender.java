package org.attn4j.bench;

import java.util.Arrays;

/**
 * A contender that runs inside this JVM: the harness measures its memory (RSS growth from just
 * before it opens) and whether other processes were busy while it ran.
 */
abstract class InProcessContender extends Contender {

    /** A contender made ready for one set of inputs (a session, a module, preallocated inputs). */
    interface Run extends AutoCloseable {
        /** One forward pass whose outputs are copied out. */
        Outputs forwardWithOutputs() throws Exception;

        /** One forward pass as a user would make it (outputs allocated and released). */
        void forward() throws Exception;

        /** Releases what {@link #open} made (failures surface as unchecked exceptions). */
        @Override
        void close();
    }

    /**
     * Timed runs go on past the asked count until they span this long. Why: 30 runs of a
     * 0.2 ms forward span 6 ms, and on a 2-vCPU VM whose pace moves from one few-ms stretch to the
     * next, the README module at 16 × 16 read medians of 0.19–0.30 ms in back-to-back runs of
     * 30, 0.201 over 2,000; ONNX Runtime's 0.35–0.46.
     */
    static final long MIN_TIMED_NANOS = 500_000_000L;
    /** At most this many timed runs (a 16 × 16 forward is ≈ 0.2 ms: 2,500 in 0.5 s). */
    static final int MAX_TIMED_RUNS = 20_000;

    /** Edge of the tiny run that loads libraries before anything is measured. */
    static final int PRIMING_SIZE = 4;

    private boolean primed;

    InProcessContender(String name, String variant) {
        super(name, variant);
    }

    /** Prepares a run on these inputs; what it allocates counts toward the peak memory. */
    protected abstract Run open(BenchInputs in) throws Exception;

    /**
     * Once per contender, an unmeasured run at a tiny size: native libraries load, thread pools
     * start and code is compiled before the first size's memory and time are taken, so that
     * they are not charged to that size.
     */
    private void prime(BenchInputs like) throws Exception {
        if (primed) {
            return;
        }
        primed = true;
        Workload tiny = Workload.readme(1, new Size(PRIMING_SIZE, PRIMING_SIZE));
        try (BenchInputs in = BenchInputs.draw(tiny, like.mask() == null ? MaskMode.NONE : MaskMode.ONES, 0);
             Run run = open(in)) {
            run.forward();
        }
    }

    @Override
    public Check check(BenchInputs in, Progress.Task task) throws Exception {
        prime(in);
        RssMeter rss = RssMeter.start();
        Outputs outputs;
        try (Run run = open(in)) {
            outputs = run.forwardWithOutputs();
        }
        task.advance(1);
        return new Check(outputs, rss.stopMb(), rss.peakTotalMb());
    }

    @Override
    public Timing time(BenchInputs in, int warmup, int repeat, Progress.Task task) throws Exception {
        prime(in);
        RssMeter rss = RssMeter.start();
        double[] ms = new double[Math.max(repeat, 16)];
        int count = 0;
        CpuMeter.Ticks before;
        CpuMeter.Ticks after;
        try (Run run = open(in)) {
            WarmUp.run(warmup, () -> {
                run.forward();
                task.advance(1);
            });
            before = CpuMeter.read();
            long start = System.nanoTime();
            while (count < repeat || (count < MAX_TIMED_RUNS && System.nanoTime() - start < MIN_TIMED_NANOS)) {
                long t0 = System.nanoTime();
                run.forward();
                if (count == ms.length) {
                    ms = Arrays.copyOf(ms, 2 * count);
                }
                ms[count] = (System.nanoTime() - t0) / 1e6;
                if (count < repeat) {
                    task.advance(1);
                }
                count++;
            }
            after = CpuMeter.read();
        }
        return new Timing(Arrays.copyOf(ms, count), rss.stopMb(), rss.peakTotalMb(), CpuMeter.otherBusyPercent(before, after));
    }
}
