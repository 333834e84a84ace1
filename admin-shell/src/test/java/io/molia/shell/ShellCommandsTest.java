package io.molia.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import org.jline.reader.Candidate;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The shell's command tree without a terminal or a node: the words it runs, its one-line usage errors, and what
 * completion offers. (On a real terminal with a node: ShellScreenTmuxIT in packaging.)
 */
class ShellCommandsTest {
    private static final String ATTACHED = "/tmp/nowhere/admin.sock";

    private record Run(int exit, String out, String err) {
    }

    private static CommandLine shell(StringWriter out, StringWriter err) {
        AdminCommands.Connector nowhere = AdminCommands.connector(java.nio.file.Path.of(ATTACHED), null, null, null,
                null);
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        AdminCommands.OneShot ctx = new AdminCommands.OneShot(nowhere, o, e, false, false, true);
        CommandLine cli = ShellCommands.create(ctx, ATTACHED, new ShellCommand.Listen(ctx, new ArrayList<>(),
                o::println));
        cli.setOut(o);
        cli.setErr(e);
        return cli;
    }

    private static Run run(String line) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = shell(out, err).execute(ShellCommands.words(new DefaultParser(), line));
        return new Run(exit, out.toString(), err.toString());
    }

    private static void oneLine(Run r, String expected) {
        assertEquals(2, r.exit(), "bad usage: " + r);
        assertEquals(1, r.err().strip().lines().count(), "one line, no usage dump: " + r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("admin "), "the shell's words, not `molia admin`'s: " + r.err());
    }

    @Test
    void usageErrorsAreOneLineInTheShellsOwnWords() {
        oneLine(run("sesions"), "no command 'sesions'; did you mean sessions");
        oneLine(run("admin sesions"), "did you mean sessions");
        oneLine(run("listen"), "listen: Missing required parameter: 'VIEW' (`help listen` shows how)");
        oneLine(run("info --frobnicate"), "info: no option --frobnicate");
        oneLine(run("put hello world"), "put: unexpected 'world' (quote a value that holds spaces: put 'a b'");
        for (String option : List.of("--node 3", "--node=3", "--data-dir /x", "--socket /x/admin.sock",
                "--tcp 127.0.0.1:9", "--token-file t")) {
            oneLine(run("info " + option), option.split("[ =]")[0] + " does not apply inside the shell: it is "
                    + "attached to " + ATTACHED);
        }
        oneLine(run("--node 3 peers"), "--node does not apply inside the shell");
    }

    @Test
    void aLineCopiedFromAOneShotCommandRunsTheCommandAfterAdmin() {
        DefaultParser p = new DefaultParser();
        assertEquals(List.of("sessions", "--shard", "1"), List.of(ShellCommands.words(p, "admin sessions --shard 1")));
        assertEquals(List.of("info"), List.of(ShellCommands.words(p, "molia admin info")));
        assertEquals(List.of("put", "two words"), List.of(ShellCommands.words(p, "put 'two words'")));
        // Past the words, the command runs (and here finds no node: a connection error, not a usage error).
        Run r = run("admin info");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("no admin socket at " + ATTACHED), r.err());
    }

    @Test
    void helpDescribesTheShellNotTheOneShotCommand() {
        Run help = run("help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("`help COMMAND` shows its options"), help.out());
        assertTrue(help.out().contains("listen"), help.out());
        for (String absent : List.of("Usage: admin", "--data-dir", "--node", "--socket", "--tcp",
                "one command, then exit")) {
            assertFalse(help.out().contains(absent), absent + " in:\n" + help.out());
        }
        for (String asked : List.of("help info", "info --help", "admin info -h")) {
            Run info = run(asked);
            assertEquals(0, info.exit(), asked);
            assertTrue(info.out().startsWith("Usage: info [--json]"), asked + ": " + info.out());
            assertFalse(info.out().contains("--node"), info.out());
        }
    }

    @Test
    void completionOffersNoOptionThatDoesNothingInTheShell() {
        CommandLine cli = shell(new StringWriter(), new StringWriter());
        ShellCompleter completer = new ShellCompleter(cli);
        List<Candidate> candidates = new ArrayList<>();
        completer.complete(null, new DefaultParser().parse("info --", 7), candidates);
        List<String> offered = candidates.stream().map(Candidate::value).toList();
        assertTrue(offered.contains("--json"), offered.toString());
        for (String option : ShellCommands.NODE_OPTIONS) {
            assertFalse(offered.contains(option), option + " offered: " + offered);
        }
    }
}
