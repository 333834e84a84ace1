package io.molia.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Default values for a command's options from its config file ({@link ConfigFile}), so every option the command
 * has, now or later, can be set in the file; a flag on the command line wins over the file. The file is the one
 * {@code --config} names ({@link ConfigFileOptions}), else the installed default: the system property
 * {@value #DEFAULT_PROPERTY} (set by the release launcher: {@code /etc/molia/molia.conf} in the .deb,
 * {@code conf/molia.conf} in the tarball) when that file exists and is readable. A key that names no option of the
 * command is an error naming the key and its line.
 *
 * <p>Picocli asks before parsing and again, after parsing, for each option the command line did not give: the
 * second time {@code --config} holds its value, so the file it names is the one that counts.
 */
public final class ConfigFileDefaults implements CommandLine.IDefaultValueProvider {
    static final String DEFAULT_PROPERTY = "molia.defaultConfig";
    /** Options that steer the file or the command itself, never read from a file. */
    static final Set<String> NOT_IN_FILE = Set.of("config", "print-config", "help", "version");

    private ConfigFile cached;

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        ConfigFile file = file(option.command());
        if (file == null) {
            return null;
        }
        ConfigFile.Setting setting = file.settings().get(key(option));
        return setting == null ? null : setting.value();
    }

    /** The file in effect for {@code command}, read and checked once; null when there is none. */
    ConfigFile file(CommandSpec command) {
        Path path = path(command);
        if (path == null) {
            return null;
        }
        if (cached == null || !cached.path().equals(path)) {
            cached = readChecked(command, path);
        }
        return cached;
    }

    /** The option's key in a config file: its long name without the dashes. */
    static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    private static Path path(CommandSpec command) {
        OptionSpec config = command.findOption("--config");
        Path given = config == null ? null : config.getValue();
        if (given != null) {
            return given;
        }
        // Unreadable counts as absent: a user other than root and molia may still run a node of their own (the
        // unit names its file with --config, so a broken mode there is an error, not a silent default).
        String installed = System.getProperty(DEFAULT_PROPERTY);
        return installed != null && Files.isRegularFile(Path.of(installed)) && Files.isReadable(Path.of(installed))
                ? Path.of(installed) : null;
    }

    private static ConfigFile readChecked(CommandSpec command, Path path) {
        ConfigFile file;
        try {
            file = ConfigFile.read(path);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(command.commandLine(), "--config: cannot read " + path + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), e.getMessage(), e);
        }
        for (Map.Entry<String, ConfigFile.Setting> entry : file.settings().entrySet()) {
            String key = entry.getKey();
            OptionSpec option = command.findOption("--" + key);
            if (option == null || !key(option).equals(key) || NOT_IN_FILE.contains(key)) {
                throw new CommandLine.ParameterException(command.commandLine(), path + " line "
                        + entry.getValue().line() + ": unknown key '" + key + "' (keys are the long options of molia "
                        + command.name() + " without the dashes; see molia " + command.name() + " --help)");
            }
            checkValue(option, entry.getValue().value(), path + " line " + entry.getValue().line());
        }
        return file;
    }

    /**
     * Converts {@code value} as picocli converts the flag's, on a copy of the option bound to nothing, so a value of
     * the wrong type is an error naming the file and line (picocli's own would name only the option).
     */
    private static void checkValue(OptionSpec option, String value, String where) {
        class Discard implements CommandLine.Model.IGetter, CommandLine.Model.ISetter {
            @Override
            public <T> T get() {
                return null;
            }

            @Override
            public <T> T set(T ignored) {
                return null;
            }
        }
        Discard discard = new Discard();
        OptionSpec copy = OptionSpec.builder(option).required(false).defaultValue(null).getter(discard)
                .setter(discard).build();
        try {
            new CommandLine(CommandSpec.create().addOption(copy)).parseArgs(option.longestName() + "=" + value);
        } catch (CommandLine.ParameterException e) {
            throw new CommandLine.ParameterException(option.command().commandLine(), where + ": " + e.getMessage(), e);
        }
    }
}
