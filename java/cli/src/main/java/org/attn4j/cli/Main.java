package org.attn4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code attn4j} command: picks the subcommand by name and runs it. Exit codes: 0 success;
 * 2 bad usage or bad input (UsageException, IllegalArgumentException, a missing, unreadable or
 * malformed file: any IOException), 1 any
 * other failure. A failure prints exactly one line on stderr, {@code attn4j: <message>}; with
 * {@code --verbose} (anywhere on the line) the stack trace follows.
 */
public final class Main {
    static final int OK = 0;
    static final int FAILURE = 1;
    static final int USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line; returns the exit code. */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        List<String> args = new ArrayList<>(List.of(argv));
        boolean verbose = args.remove("--verbose");
        Map<String, Command> commands = Commands.all();
        String name = args.isEmpty() ? "help" : args.remove(0);
        if (name.equals("-h") || name.equals("--help")) {
            name = "help";
        }
        try {
            Command command = commands.get(name);
            if (command == null) {
                throw new UsageException("unknown command: expected one of " + String.join(", ", commands.keySet())
                        + ", got " + name);
            }
            int code = command.run(args, out);
            out.flush();
            return code;
        } catch (UsageException | IllegalArgumentException | IOException e) { // IOException: a bad or unreadable file
            return report(err, e, verbose, USAGE);
        } catch (Throwable e) { // every failure ends as one line and an exit code, never a raw trace
            return report(err, e, verbose, FAILURE);
        }
    }

    private static int report(PrintStream err, Throwable e, boolean verbose, int code) {
        err.println("attn4j: " + oneLine(e));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** The message on one line; the exception's type when it has no message (or names a file). */
    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (e instanceof NoSuchFileException) {
            m = "no such file: " + m;
        } else if (m == null || m.isBlank()) {
            m = e.getClass().getName();
        } else if (!(e instanceof UsageException || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof org.attn4j.Attn4jNativeException)) {
            m = e.getClass().getSimpleName() + ": " + m; // e.g. "UnsatisfiedLinkError: attn4j: cannot load ..."
        }
        return m.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
