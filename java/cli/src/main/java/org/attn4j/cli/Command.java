package org.attn4j.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One subcommand of {@code attn4j}: the word that selects it ("info", "run", ...), how to call
 * it (first line the synopsis, then what it does; shown by {@code attn4j help}) and its body.
 * {@link Main} parses nothing but the subcommand's name and {@code --verbose}; the rest of the
 * command line goes to {@link #run}. Bad arguments are reported by throwing
 * {@link UsageException} (or IllegalArgumentException): Main prints the message as one line and
 * exits with 2.
 */
record Command(String name, String usage, Body body) {

    /** The body of a command: a static method {@code int run(List<String>, PrintStream)}. */
    @FunctionalInterface
    interface Body {
        int run(List<String> args, PrintStream out) throws Exception;
    }

    /** Runs with the arguments after the name; returns the exit code (0 = success). */
    int run(List<String> args, PrintStream out) throws Exception {
        return body.run(args, out);
    }
}
