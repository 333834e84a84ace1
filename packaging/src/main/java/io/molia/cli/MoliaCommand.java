package io.molia.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.molia.blob.ErasureEngines;
import io.molia.crypto.CryptoEngines;
import io.molia.node.MoliaVersion;
import io.molia.dash.DashCommand;
import io.molia.shell.AdminCommands;
import io.molia.shell.ShellCommand;
import io.molia.waltools.WalCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code molia} root: mounts every module's commands. Exit codes (README, "Exit codes"): 0 success, 1 the work
 * failed ({@link OneLineErrors}), 2 bad usage ({@link UsageErrors}), 3 the command ran but found a problem (a bench's
 * check failed, fuzz findings, WAL damage).
 */
@Command(name = "molia", mixinStandardHelpOptions = true, versionProvider = MoliaCommand.Version.class,
        description = "Molia: an Internet-scale Kademlia DHT node and its operations toolkit.")
public final class MoliaCommand implements Runnable {
    /** The commands by name, in the order the help lists them (a test checks each name is its command's). */
    static final Map<String, Class<?>> COMMANDS = commands();
    /** The engine switches ({@code MOLIA_JAVA_OPTS}); the engines read only "java", so a typo would go unnoticed. */
    private static final List<String> ENGINE_SWITCHES = List.of(CryptoEngines.PROPERTY, ErasureEngines.PROPERTY);

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("node", NodeCommand.class);
        m.put("devnet", DevnetCommand.class);
        m.put("shell", ShellCommand.class);
        m.put("admin", AdminCommands.class);
        m.put("dash", DashCommand.class);
        m.put("wal", WalCommand.class);
        m.put("sim", SimCommand.class);
        m.put("bench", BenchCommand.class);
        m.put("fuzz", FuzzCommand.class);
        m.put("wire", WireCommand.class);
        m.put("keygen", KeygenCommand.class);
        m.put("version", VersionCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        m.put("generate-completion", picocli.AutoComplete.GenerateCompletion.class);
        return m;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        String badSwitch = badEngineSwitch();
        if (badSwitch != null) {
            System.err.println("molia: " + badSwitch);
            System.exit(2);
        }
        System.exit(newCommandLine(args.length > 0 ? args[0] : null).execute(args));
    }

    /** A line naming the first engine switch set to neither {@code java} nor {@code native}, or null. */
    static String badEngineSwitch() {
        for (String property : ENGINE_SWITCHES) {
            String value = System.getProperty(property);
            if (value != null && !value.equals("java") && !value.equals("native")) {
                return "-D" + property + "=" + value + ": expected java or native (the default: native where it loads)";
            }
        }
        return null;
    }

    /** The whole tree, as the help, completion and the tests see it. */
    public static CommandLine newCommandLine() {
        return newCommandLine(null);
    }

    /**
     * The root with only the command {@code first} names, when it names one: building every command's model loads
     * each command's classes (and runs their static initialisers), which a one-shot {@code molia admin info} would
     * pay for at every start. Anything else (the commands that read the tree, {@code help} and
     * {@code generate-completion}; a typo to suggest a command for) gets the whole tree.
     */
    static CommandLine newCommandLine(String first) {
        CommandLine cli = new CommandLine(new MoliaCommand());
        Class<?> only = first == null || first.equals("help") || first.equals("generate-completion") ? null
                : COMMANDS.get(first);
        for (Class<?> command : COMMANDS.values()) {
            if (only == null || command == only) {
                cli.addSubcommand(command);
            }
        }
        cli.setExecutionExceptionHandler(new OneLineErrors());
        cli.setParameterExceptionHandler(new UsageErrors(cli));
        cli.setExecutionStrategy(MoliaCommand::refuseUnmatchedThenRun);
        return cli;
    }

    /** picocli lets help commands ({@code help}, {@code generate-completion}) ignore unknown options; we don't. */
    private static int refuseUnmatchedThenRun(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.hasSubcommand() ? p.subcommand() : null) {
            if (!p.unmatched().isEmpty()) {
                throw new CommandLine.UnmatchedArgumentException(p.commandSpec().commandLine(), p.unmatched());
            }
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"molia " + MoliaVersion.release() + " (protocol " + MoliaVersion.protocol() + ")"};
        }
    }
}
