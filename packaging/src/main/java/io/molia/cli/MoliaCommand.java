package io.molia.cli;

import io.molia.node.MoliaVersion;
import io.molia.dash.DashCommand;
import io.molia.shell.AdminCommands;
import io.molia.shell.ShellCommand;
import io.molia.sim.SimCommand;
import io.molia.waltools.WalCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code molia} root: mounts every module's commands. Exit codes (README, "Exit codes"): 0 success, 1 the work
 * failed ({@link OneLineErrors}), 2 bad usage ({@link UsageErrors}), 3 the command ran but found a problem (a bench's
 * check failed, fuzz findings, WAL damage).
 */
@Command(name = "molia", mixinStandardHelpOptions = true, versionProvider = MoliaCommand.Version.class,
        description = "Molia: an Internet-scale Kademlia DHT node and its operations toolkit.",
        subcommands = {NodeCommand.class, DevnetCommand.class, ShellCommand.class, AdminCommands.class, DashCommand.class,
            WalCommand.class, SimCommand.class, BenchCommand.class, FuzzCommand.class, KeygenCommand.class,
            VersionCommand.class, CommandLine.HelpCommand.class, picocli.AutoComplete.GenerateCompletion.class})
public final class MoliaCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured root, shared by {@link #main} and the tests. */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new MoliaCommand());
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
