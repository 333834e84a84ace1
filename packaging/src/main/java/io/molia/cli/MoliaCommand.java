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
 * The {@code molia} root: mounts every module's commands. Exit codes: 0 success, 1 the work failed,
 * 2 bad usage (picocli's default), 3 a check did not pass (e.g. a simulated target missed).
 */
@Command(name = "molia", mixinStandardHelpOptions = true, versionProvider = MoliaCommand.Version.class,
        description = "Molia: an Internet-scale Kademlia DHT node and its operations toolkit.",
        subcommands = {NodeCommand.class, DevnetCommand.class, ShellCommand.class, AdminCommands.class, DashCommand.class,
            WalCommand.class, SimCommand.class, BenchCommand.class, FuzzCommand.class, WireCommand.class, KeygenCommand.class,
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
        return cli;
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
