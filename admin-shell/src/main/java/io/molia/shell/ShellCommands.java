package io.molia.shell;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.jline.reader.impl.DefaultParser;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The shell's own command tree, made from the admin commands: without the options that pick a node (the shell is
 * attached to one: {@code info --node 3} is refused with a line that says so, not answered for the attached node),
 * named as typed in the shell (usage and suggestions say {@code sessions}, not {@code admin sessions}; a line that
 * starts with {@code admin} or {@code molia admin} runs the command after it), and every usage error in one line
 * with a hint instead of a usage dump.
 */
final class ShellCommands {
    /** The options of {@code molia admin} and {@code molia shell} that choose the node. */
    static final List<String> NODE_OPTIONS = List.of("--socket", "--data-dir", "--node", "--tcp", "--token-file");

    private ShellCommands() {
    }

    /**
     * The command line the shell runs each line through; {@code attachedTo} names the node in the message that
     * refuses a node option, {@code extra} are the shell's own commands (listen).
     */
    static CommandLine create(AdminCommands.Context context, String attachedTo, Object... extra) {
        CommandLine cli = new CommandLine(new AdminCommands(context));
        for (Object command : extra) {
            cli.addSubcommand(command);
        }
        CommandSpec root = cli.getCommandSpec();
        removeNodeOptions(root);
        for (String standard : List.of("--help", "--version")) {
            root.remove(root.findOption(standard));
        }
        // The root has no name in the shell; the usage of a command then reads "Usage: info ..." (picocli puts the
        // empty root name and a space before it, hence the heading without its own space).
        cli.setCommandName("");
        root.usageMessage().customSynopsis("Type a command, then Enter. `help COMMAND` shows its options; Ctrl-C "
                        + "stops a running command; Ctrl-D or `exit` leaves the shell.")
                .description("").optionListHeading("Options every command takes:%n")
                .commandListHeading("%nCommands:%n");
        for (CommandLine sub : cli.getSubcommands().values()) {
            removeNodeOptions(sub.getCommandSpec());
            sub.getCommandSpec().usageMessage().synopsisHeading("Usage:");
        }
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println(oneLine(e, attachedTo));
            err.flush();
            return 2;
        });
        cli.setExecutionExceptionHandler((e, c, parsed) -> {
            c.getErr().println(e instanceof InterruptedException ? "interrupted"
                    : e.getMessage() != null ? e.getMessage() : e.toString());
            c.getErr().flush();
            return 1;
        });
        return cli;
    }

    private static void removeNodeOptions(CommandSpec spec) {
        for (String name : NODE_OPTIONS) {
            OptionSpec o = spec.findOption(name);
            if (o != null) {
                spec.remove(o);
            }
        }
    }

    /** A usage error in one line: what is wrong and where to look. */
    static String oneLine(CommandLine.ParameterException e, String attachedTo) {
        CommandLine where = e.getCommandLine();
        String command = where.getCommandName().isEmpty() ? null : where.getCommandName();
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            String option = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
            if (NODE_OPTIONS.contains(option)) {
                return option + " does not apply inside the shell: it is attached to " + attachedTo
                        + " (for another node, leave with Ctrl-D and start `molia shell " + option + " ...`)";
            }
            List<String> suggestions = u.getSuggestions();
            String hint = suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?";
            if (command == null) {
                return "no command '" + first + "'" + hint + " (`help` lists the commands)";
            }
            if (u.isUnknownOption()) {
                return command + ": no option " + first + hint + " (`help " + command + "` shows its options)";
            }
            return command + ": unexpected '" + first + "' (quote a value that holds spaces: " + command
                    + " 'a b'; `help " + command + "` shows how)";
        }
        return (command == null ? "" : command + ": ") + e.getMessage()
                + (command == null ? " (`help` lists the commands)" : " (`help " + command + "` shows how)");
    }

    /**
     * The words of a typed line (quotes group, as a shell's do); a leading {@code admin} or {@code molia admin}
     * is dropped, so a line copied from a one-shot command runs here too; {@code COMMAND ... --help} (or -h) is
     * {@code help COMMAND}.
     */
    static String[] words(DefaultParser parser, String line) {
        List<String> words = new ArrayList<>(parser.parse(line, line.length()).words().stream()
                .filter(w -> !w.isEmpty()).toList());
        if (words.size() > 1 && words.get(0).equals("molia") && words.get(1).equals("admin")) {
            words.remove(0);
        }
        if (!words.isEmpty() && words.get(0).equals("admin")) {
            words.remove(0);
        }
        if (words.size() > 1 && !words.get(0).equals("help") && (words.contains("--help") || words.contains("-h"))) {
            return new String[] {"help", words.get(0)};
        }
        return words.toArray(String[]::new);
    }
}
