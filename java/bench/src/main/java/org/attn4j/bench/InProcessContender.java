package org.attn4j.bench;

/**
 * A contender that runs inside this JVM: the harness measures its memory (RSS growth from just
 * before it opens) and whether other processes were busy while it ran.
 */
abstract class InProcessContender implements Contender {

    /** A contender made ready for one set of inputs (a session, a module, preallocated inputs). */
    interface Run extends AutoCloseable {
        /** One forward pass whose outputs are copied out. */
        Outputs forwardWithOutputs() throws Exception;

        /** One forward pass as a user would make it (outputs allocated and released). */
        void forward() throws Exception;

        @Override
        void close() throws Exception;
    }

    /** Prepares a run on these inputs; what it allocates counts toward the peak memory. */
    protected abstract Run open(BenchInputs in) throws Exception;

    @Override
    public Check check(BenchInputs in, Progress.Task task) throws Exception {
        RssMeter rss = RssMeter.start();
        Outputs outputs;
        try (Run run = open(in)) {
            outputs = run.forwardWithOutputs();
        }
        task.advance(1);
        return new Check(outputs, rss.stopMb());
    }

    @Override
    public Timing time(BenchInputs in, int warmup, int repeat, Progress.Task task) throws Exception {
        RssMeter rss = RssMeter.start();
        double[] ms = new double[repeat];
        CpuMeter.Ticks before;
        CpuMeter.Ticks after;
        try (Run run = open(in)) {
            for (int k = 0; k < warmup; k++) {
                run.forward();
                task.advance(1);
            }
            before = CpuMeter.read();
            for (int k = 0; k < repeat; k++) {
                long t0 = System.nanoTime();
                run.forward();
                ms[k] = (System.nanoTime() - t0) / 1e6;
                task.advance(1);
            }
            after = CpuMeter.read();
        }
        return new Timing(ms, rss.stopMb(), CpuMeter.otherBusyPercent(before, after));
    }
}
