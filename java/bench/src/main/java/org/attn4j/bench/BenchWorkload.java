package org.attn4j.bench;

import java.io.PrintStream;

/**
 * One workload of {@code ./attn4j bench NAME [options]} (or {@code --workload NAME}): a
 * benchmark with its own options, run in the launcher's JVM so that it finds the same JDK and
 * class path as the rest of the command. One class per workload, listed in {@link BenchWorkloads}.
 *
 * @param name    the name on the command line ("bca", "family", "soak", "jmh", ...)
 * @param summary one line for the list in {@code ./attn4j bench --help}
 * @param body    the workload's static {@code run} method
 */
record BenchWorkload(String name, String summary, Body body) {

    /** The body of a workload, as a method reference. */
    @FunctionalInterface
    interface Body {
        int run(String[] args, PrintStream out, PrintStream err) throws Exception;
    }

    /**
     * Runs the workload with the arguments after its name: the report on {@code out}, progress
     * and problems on {@code err}. Returns the exit status: 0 when all went well, 1 when a part
     * failed, 2 on a bad command line.
     */
    int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        return body.run(args, out, err);
    }

    @Override
    public String toString() {
        return name;
    }
}
