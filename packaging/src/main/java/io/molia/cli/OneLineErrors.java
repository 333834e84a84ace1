package io.molia.cli;

import picocli.CommandLine;

/**
 * Turns an exception escaping a command into one line on stderr and exit code 1: operators see what went wrong,
 * not a stack trace. {@code MOLIA_DEBUG=1} prints the trace as well.
 */
final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        String name = cmd.getParent() != null && cmd.getParent().getParent() != null
                ? cmd.getParent().getCommandName() + " " + cmd.getCommandName() : cmd.getCommandName(); // "wal verify"
        cmd.getErr().println("molia " + name + ": " + message);
        if (System.getenv("MOLIA_DEBUG") != null) {
            e.printStackTrace(cmd.getErr());
        }
        return 1;
    }
}
