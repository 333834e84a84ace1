package io.molia.cli;

import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Bad usage, found while parsing or by a command before it starts work: one line on stderr naming the flag, a hint
 * where the help is, exit 2 (as git does: {@code molia: unknown option '--foo' (see 'molia node --help')}), instead
 * of picocli's message followed by the whole usage text.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    private final CommandLine root;

    UsageErrors(CommandLine root) {
        this.root = root;
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        root.getErr().println("molia: " + describe(e) + " (see '" + commandName(e) + " --help')");
        root.getErr().flush();
        if (System.getenv("MOLIA_DEBUG") != null) {
            e.printStackTrace(root.getErr());
        }
        return root.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** What was wrong, in one line, naming the flag or argument. */
    static String describe(ParameterException e) {
        List<String> unmatched = e.getCommandLine().getUnmatchedArguments();
        if (!(e instanceof UnmatchedArgumentException) && !unmatched.isEmpty()) {
            // picocli checks required options before it reports unknown ones; the unknown one is the mistake
            return describe(new UnmatchedArgumentException(e.getCommandLine(), unmatched));
        }
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            boolean option = first.startsWith("-") && !first.matches("-\\d.*");
            String what = option ? "unknown option '" + first + "'"
                    : u.getCommandLine().getSubcommands().isEmpty() ? "unexpected argument '" + first + "'"
                    : "unknown command '" + first + "'";
            List<String> suggestions = u.getSuggestions();
            return suggestions.isEmpty() ? what : what + "; did you mean " + String.join(" or ", suggestions) + "?";
        }
        if (e.getArgSpec() instanceof OptionSpec option
                && e.getCause() instanceof CommandLine.TypeConversionException t) {
            return option.longestName() + ": " + oneLine(t.getMessage());
        }
        String message = oneLine(e.getMessage()).replaceAll("\\.$", ""); // the hint follows
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /**
     * The command whose help to read: the one the exception names when it belongs to this tree, else (a command
     * that built its own exception) the deepest command parsed.
     */
    private String commandName(ParameterException e) {
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        if (spec.root() == root.getCommandSpec()) {
            return spec.qualifiedName();
        }
        CommandLine.ParseResult parsed = root.getParseResult();
        while (parsed != null && parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
        }
        return parsed != null ? parsed.commandSpec().qualifiedName() : root.getCommandName();
    }
}
