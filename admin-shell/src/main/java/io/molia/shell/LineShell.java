package io.molia.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jline.reader.impl.DefaultParser;
import picocli.CommandLine;

/**
 * {@code molia shell} when its input is not a terminal ({@code molia shell < commands}, {@code echo info | molia
 * shell}): each line runs as a command of the shell, answers on stdout, errors on stderr, no prompt, no line
 * editing (so no JLine and none of its dumb-terminal warnings). One connection serves every line (made again if
 * the node went away; a command fails when it cannot be). A blank line or one starting with {@code #} is skipped;
 * {@code exit} or the end of the input ends it. The exit code is that of the last command that failed (0 when none
 * did), so a script can test it.
 */
final class LineShell {
    private final AdminCommands.Connector connector;
    private final boolean readonly;
    private final boolean showKeys;
    private final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    private final PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    private final List<AutoCloseable> listeners = new ArrayList<>();

    LineShell(AdminCommands.Connector connector, boolean readonly, boolean showKeys) {
        this.connector = connector;
        this.readonly = readonly;
        this.showKeys = showKeys;
    }

    int run(InputStream input) throws IOException {
        AdminCommands.OneShot ctx = new AdminCommands.OneShot(connector, out, err, showKeys, readonly, true);
        CommandLine cli = ShellCommands.create(ctx, connector.describe(),
                new ShellCommand.Listen(ctx, listeners, out::println));
        cli.setOut(out);
        cli.setErr(err);
        DefaultParser parser = new DefaultParser();
        int exit = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.equals("exit") || line.equals("quit")) {
                    break;
                }
                int code = cli.execute(ShellCommands.words(parser, line));
                if (code != 0) {
                    exit = code;
                }
            }
        } finally {
            for (AutoCloseable l : listeners) {
                try {
                    l.close();
                } catch (Exception ignored) {
                    // leaving
                }
            }
            ctx.close();
            out.flush();
            err.flush();
        }
        return exit;
    }
}
