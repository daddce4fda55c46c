package org.attn4j.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./attn4j bench [NAME | --workload NAME] [options]}: picks the workload (bidirectional
 * cross attention when none is named) and runs it with the remaining arguments. Running every
 * benchmark through the launcher means each finds the launcher's JDK (22+) and class path.
 * Exit status: the workload's; 2 for an unknown workload.
 */
public final class BenchCommand {
    private BenchCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        String name = BenchWorkloads.ALL.getFirst().name();
        int flag = rest.indexOf("--workload");
        if (flag >= 0) {
            if (flag + 1 >= rest.size()) {
                err.println("attn4j bench: --workload: expected a name, got the end of the command line");
                err.print(BenchWorkloads.usage());
                return 2;
            }
            name = rest.get(flag + 1);
            rest.subList(flag, flag + 2).clear();
        } else if (!rest.isEmpty() && rest.getFirst().startsWith("--workload=")) {
            name = rest.removeFirst().substring("--workload=".length());
        } else if (!rest.isEmpty() && !rest.getFirst().startsWith("-")) {
            name = rest.removeFirst();
        }
        BenchWorkload workload = BenchWorkloads.find(name);
        if (workload == null) {
            err.println("attn4j bench: unknown workload \"" + name + "\"");
            err.print(BenchWorkloads.usage());
            return 2;
        }
        try {
            return workload.run(rest.toArray(String[]::new), out, err);
        } catch (IllegalArgumentException e) {
            err.println("attn4j bench " + name + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("attn4j bench " + name + ": " + e);
            return 1;
        }
    }
}
