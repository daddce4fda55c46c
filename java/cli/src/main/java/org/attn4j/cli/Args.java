package org.attn4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsed "--name value" and "--flag" arguments of one subcommand. Unknown options, missing
 * values and repeated options are usage errors ({@link UsageException}).
 */
final class Args {
    private final String command;
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Args(String command) {
        this.command = command;
    }

    /**
     * @param valued options that take a value
     * @param flags  options that take none
     * @param repeatable valued options that may repeat
     */
    static Args parse(String command, List<String> args, Set<String> valued, Set<String> flags, Set<String> repeatable) {
        Args a = new Args(command);
        for (int k = 0; k < args.size(); k++) {
            String arg = args.get(k);
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            if (flags.contains(name) && inline == null) {
                a.put(name, "true", false);
            } else if (valued.contains(name) || repeatable.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (k + 1 >= args.size()) {
                        throw new UsageException(command + ": " + name + " needs a value");
                    }
                    v = args.get(++k);
                }
                a.put(name, v, repeatable.contains(name));
            } else {
                throw new UsageException(command + ": unknown option " + arg);
            }
        }
        return a;
    }

    private void put(String name, String value, boolean repeatable) {
        List<String> list = values.computeIfAbsent(name, n -> new ArrayList<>());
        if (!repeatable && !list.isEmpty()) {
            throw new UsageException(command + ": " + name + " given twice");
        }
        list.add(value);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name) {
        List<String> v = values.get(name);
        return v == null ? null : v.get(0);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    String required(String name) {
        String v = get(name);
        if (v == null) {
            throw new UsageException(command + ": " + name + " is required");
        }
        return v;
    }

    Path path(String name) {
        String v = get(name);
        return v == null ? null : Path.of(v);
    }

    int integer(String name, int fallback, int min, int max) {
        String v = get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": " + name + ": expected an integer in [" + min + ", " + max + "], got " + v);
        }
    }
}
