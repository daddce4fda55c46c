package org.attn4j.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every subcommand, in the order {@code attn4j help} lists them. A new command is one line here. */
final class Commands {
    private Commands() {
    }

    static Map<String, Command> all() {
        Map<String, Command> commands = new LinkedHashMap<>();
        add(commands, Command.of("run", RunCommand.USAGE, RunCommand::run));
        add(commands, Command.of("demo", DemoCommand.USAGE, DemoCommand::run));
        add(commands, Command.of("heatmap", HeatmapCommand.USAGE, HeatmapCommand::run));
        add(commands, Command.of("embed", EmbedCommand.USAGE, EmbedCommand::run));
        add(commands, Command.of("consistency", ConsistencyCommand.USAGE, ConsistencyCommand::run));
        add(commands, Command.of("info", InfoCommand.USAGE, InfoCommand::run));
        add(commands, new HelpCommand(Collections.unmodifiableMap(commands)));
        return Collections.unmodifiableMap(commands);
    }

    private static void add(Map<String, Command> commands, Command c) {
        commands.put(c.name(), c);
    }
}
