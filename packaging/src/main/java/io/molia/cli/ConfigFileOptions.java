package io.molia.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Collection;
import java.util.stream.Collectors;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE} and {@code --print-config}, mixed into a command whose default value provider is
 * {@link ConfigFileDefaults}.
 */
final class ConfigFileOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--config", paramLabel = "FILE", description = "Read settings from FILE: key = value lines, the "
            + "keys the long options without dashes (listen = 0.0.0.0:4000); flags win over the file. Default: "
            + "the installed /etc/molia/molia.conf (conf/molia.conf in the tarball) when it exists.")
    Path config;

    @Option(names = "--print-config", description = "Print the effective settings and where each came from (flag, "
            + "FILE:LINE or default) as a config file, then exit.")
    boolean printConfig;

    /** Prints the effective settings when {@code --print-config} asked for them; true when it did. */
    boolean printedIfAsked() {
        if (!printConfig) {
            return false;
        }
        PrintWriter out = command.commandLine().getOut();
        CommandLine.ParseResult parsed = command.commandLine().getParseResult();
        ConfigFile file = ((ConfigFileDefaults) command.defaultValueProvider()).file(command);
        out.println("# molia " + command.name() + ": effective settings" + (file == null ? " (no config file)"
                : " (config file " + file.path() + ")"));
        for (OptionSpec option : command.options()) {
            String key = ConfigFileDefaults.key(option);
            if (ConfigFileDefaults.NOT_IN_FILE.contains(key)) {
                continue;
            }
            String source = parsed.hasMatchedOption(option) ? "flag"
                    : file != null && file.settings().containsKey(key) ? file.source(key) : "default";
            if (option.hidden() && source.equals("default")) {
                continue; // a test-only option shows only when set
            }
            // As written (a flag, the file, the option's default), not as converted: an address prints as given.
            String value = parsed.hasMatchedOption(option) ? String.join(",", option.originalStringValues())
                    : file != null && file.settings().containsKey(key) ? file.settings().get(key).value()
                    : option.defaultValue() != null ? option.defaultValue() : render(option.getValue());
            if (value == null) {
                out.println("# " + key + " =   # not set (" + source + ")");
            } else {
                out.println(key + " = " + (key.endsWith("-key") ? "<hidden>" : value) + "   # " + source);
            }
        }
        out.flush();
        return true;
    }

    /** A value as the flag would take it: lists comma-joined, unset as null. */
    private static String render(Object value) {
        if (value instanceof Collection<?> list) {
            return list.isEmpty() ? null : list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return value == null ? null : String.valueOf(value);
    }
}
