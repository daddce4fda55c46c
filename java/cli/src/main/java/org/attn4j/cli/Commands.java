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
        add(commands, new Command("run", RunCommand.USAGE, RunCommand::run));
        add(commands, new Command("demo", DemoCommand.USAGE, DemoCommand::run));
        add(commands, new Command("heatmap", HeatmapCommand.USAGE, HeatmapCommand::run));
        add(commands, new Command("embed", EmbedCommand.USAGE, EmbedCommand::run));
        add(commands, new Command("consistency", ConsistencyCommand.USAGE, ConsistencyCommand::run));
        add(commands, new Command("info", InfoCommand.USAGE, InfoCommand::run));
        add(commands, HelpCommand.over(Collections.unmodifiableMap(commands)));
        return Collections.unmodifiableMap(commands);
    }

    private static void add(Map<String, Command> commands, Command c) {
        commands.put(c.name(), c);
    }
}
