package org.attn4j.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One subcommand of {@code attn4j}. {@link Main} parses nothing but the subcommand's name and
 * {@code --verbose}; the rest of the command line goes to {@link #run}. Bad arguments are
 * reported by throwing {@link UsageException} (or IllegalArgumentException): Main prints the
 * message as one line and exits with 2.
 */
interface Command {
    /** The word that selects it: "info", "run", ... */
    String name();

    /** How to call it: first line the synopsis, then what it does (shown by {@code attn4j help}). */
    String usage();

    /** Runs with the arguments after the name; returns the exit code (0 = success). */
    int run(List<String> args, PrintStream out) throws Exception;

    /** The body of a command: a static method {@code int run(List<String>, PrintStream)}. */
    @FunctionalInterface
    interface Body {
        int run(List<String> args, PrintStream out) throws Exception;
    }

    /** A command from its name, usage text and body. */
    static Command of(String name, String usage, Body body) {
        return new Command() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String usage() {
                return usage;
            }

            @Override
            public int run(List<String> args, PrintStream out) throws Exception {
                return body.run(args, out);
            }
        };
    }
}
