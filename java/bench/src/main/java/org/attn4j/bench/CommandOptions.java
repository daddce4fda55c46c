package org.attn4j.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "--name value" options of a bench subcommand (decode, peers, minilm, minilm-profile), read
 * once over the command's defaults, with the messages every subcommand gives for bad ones.
 */
final class CommandOptions {
    private final Map<String, String> values;

    private CommandOptions(Map<String, String> values) {
        this.values = values;
    }

    /**
     * {@code args} as "--name value" pairs over {@code defaults}, whose keys are every name the
     * command takes ("" where an option has no default). {@code usage} lists them for the
     * message when a name is unknown or its value is missing.
     */
    static CommandOptions parse(String[] args, Map<String, String> defaults, String usage) {
        Map<String, String> values = new LinkedHashMap<>(defaults);
        for (int k = 0; k < args.length; k += 2) {
            if (!values.containsKey(args[k])) {
                throw new IllegalArgumentException("unknown option " + args[k] + " (options: " + usage + ")");
            }
            if (k + 1 >= args.length) {
                throw new IllegalArgumentException(args[k] + ": expected a value (options: " + usage + ")");
            }
            values.put(args[k], args[k + 1]);
        }
        return new CommandOptions(values);
    }

    /** The value given, or the default; "" when neither. */
    String get(String name) {
        return values.get(name);
    }

    /** The value of {@code name} as an integer >= 1. */
    int positive(String name) {
        return positive(name, get(name));
    }

    /** {@code value} (of option {@code name}) as an integer >= 1. */
    static int positive(String name, String value) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the message below names the value
        }
        throw new IllegalArgumentException(name + ": expected a positive integer, got \"" + value + "\"");
    }
}
