package org.attn4j.bench;

import java.io.PrintStream;
import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * {@code ./attn4j bench jmh [JMH arguments]}: the JMH benchmarks of {@code org.attn4j.bench.jmh}
 * (JMH.md), e.g. {@code ./attn4j bench jmh 'LinearBenchmark|DowncallBenchmark' -wi 3 -i 5}.
 * JMH forks its benchmark JVMs from this one, so they get the launcher's JDK, class path and
 * {@code --enable-native-access}. With no pattern, every benchmark runs (long: name some).
 */
final class JmhWorkload {
    private JmhWorkload() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws RunnerException {
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (options.shouldHelp()) {
            try {
                options.showHelp();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("printing JMH's help: " + e.getMessage(), e);
            }
            return 0;
        }
        Runner runner = new Runner(options);
        if (options.shouldList()) {
            runner.list();
            return 0;
        }
        Collection<RunResult> results = runner.run();
        return results.isEmpty() ? 1 : 0;
    }
}
