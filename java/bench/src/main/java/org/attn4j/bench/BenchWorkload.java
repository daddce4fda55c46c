package org.attn4j.bench;

import java.io.PrintStream;

/**
 * One workload of {@code ./attn4j bench NAME [options]} (or {@code --workload NAME}): a
 * benchmark with its own options, run in the launcher's JVM so that it finds the same JDK and
 * class path as the rest of the command. One class per workload, listed in {@link BenchWorkloads}.
 */
interface BenchWorkload {

    /** The name on the command line ("bca", "family", "soak", "jmh", ...). */
    String name();

    /** One line for the list in {@code ./attn4j bench --help}. */
    String summary();

    /**
     * Runs the workload with the arguments after its name: the report on {@code out}, progress
     * and problems on {@code err}. Returns the exit status: 0 when all went well, 1 when a part
     * failed, 2 on a bad command line.
     */
    int run(String[] args, PrintStream out, PrintStream err) throws Exception;
}
