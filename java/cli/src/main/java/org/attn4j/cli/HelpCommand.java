package org.attn4j.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** {@code attn4j help [command]}: every command's usage, or one. */
final class HelpCommand {
    static final String USAGE = """
            attn4j help [command]
              Lists the commands, or shows how to call one.""";

    private HelpCommand() {
    }

    /** The help command over {@code commands} (itself among them once added). */
    static Command over(Map<String, Command> commands) {
        return new Command("help", USAGE, (args, out) -> run(commands, args, out));
    }

    private static int run(Map<String, Command> commands, List<String> args, PrintStream out) {
        if (args.size() > 1) {
            throw new UsageException("help: expected at most one command name, got " + String.join(" ", args));
        }
        if (args.size() == 1) {
            Command c = commands.get(args.get(0));
            if (c == null) {
                throw new UsageException("help: expected one of " + String.join(", ", commands.keySet()) + ", got " + args.get(0));
            }
            out.println(c.usage());
            return 0;
        }
        out.println("attn4j: attention on native kernels from Java (bidirectional cross attention and family)");
        out.println("usage: attn4j [--verbose] <command> [options]   (--verbose: stack traces on errors)");
        out.println();
        for (Command c : commands.values()) {
            out.println(c.usage());
            out.println();
        }
        out.println("./attn4j test and ./attn4j bench are handled by the launcher script.");
        return 0;
    }
}
