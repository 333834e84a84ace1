package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `molia shell` in a real terminal (a tmux pane) on real node processes, asserting on the screen: completion of a
 * peer ID, a table, a watch that refreshes in place, and the reconnect after the node is killed and restarted.
 * Needs tmux (.ci/run installs it); without it the test fails, it never skips.
 */
class ShellTmuxIT {

    @TempDir
    Path dir;

    private TmuxPane pane;

    @BeforeEach
    void openPane() throws Exception {
        pane = new TmuxPane("molia-shell-it", 40, true);
    }

    @AfterEach
    void closePane() throws Exception {
        pane.close();
    }

    private static int nodeRoutes(Path dataDir) throws Exception {
        CommandLine cli = MoliaCommand.newCommandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        if (cli.execute("admin", "info", "--data-dir", dataDir.toString(), "--json") != 0) {
            return -1;
        }
        return new ObjectMapper().readTree(out.toString()).get("info").get("routing_table_size").asInt();
    }

    /** The prompt line with {@code typed} on it stands below every listen update on the screen. */
    private static boolean typedLineBelowUpdates(String screen, String typed) {
        List<String> lines = screen.lines().map(String::stripTrailing).toList();
        int lastUpdate = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("[info #")) {
                lastUpdate = i;
            }
        }
        return lastUpdate >= 0 && lines.indexOf(typed) > lastUpdate;
    }

    @Test
    void completionTableWatchAndReconnectOnARealTerminal() throws Exception {
        try (NodeProcesses procs = new NodeProcesses()) {
            Path d0 = dir.resolve("node-0");
            NodeProcesses.Started n0 = procs.start(d0, null);
            NodeProcesses.Started n1 = procs.start(dir.resolve("node-1"), n0.address());
            procs.start(dir.resolve("node-2"), n0.address());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (nodeRoutes(d0) < 2 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }

            Path history = dir.resolve("history");
            Path launcher = dir.resolve("shell.sh");
            StringBuilder sh = new StringBuilder("#!/bin/sh\nexec");
            for (String a : NodeProcesses.molia()) {
                sh.append(" '").append(a).append('\'');
            }
            sh.append(" shell --data-dir '").append(d0).append("' --history-file '").append(history).append("'\n");
            Files.writeString(launcher, sh.toString());
            Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
            pane.start(160, 50, "env TERM=xterm-256color " + launcher);
            String label = "molia [node " + n0.id().toHex().substring(0, 8) + "]>";
            pane.waitFor("the connected prompt", s -> s.contains(label));

            // Completion of a peer ID: 4 hex digits and Tab give the 16 the shell shows.
            String peer16 = n1.id().toHex().substring(0, 16);
            pane.type("ping " + peer16.substring(0, 4));
            pane.keys("Tab");
            pane.waitFor("the completed peer ID", s -> s.contains("ping " + peer16));
            pane.keys("Enter");
            pane.waitFor("the ping's answer", s -> s.contains(peer16 + " answered in"));

            // A table: header and the peer's row, columns aligned.
            pane.type("peers");
            pane.keys("Enter");
            String table = pane.waitFor("the peers table", s -> s.contains("2 peers") && s.contains("srtt"));
            String header = table.lines().filter(l -> l.startsWith("node ") && l.contains("address")).findFirst()
                    .orElseThrow();
            String row = table.lines().filter(l -> l.startsWith(peer16) && l.contains("127.0.0.x")).findFirst()
                    .orElseThrow();
            assertEquals(header.indexOf("address"), row.indexOf("127.0.0.x"), "aligned columns:\n" + header + "\n"
                    + row);

            // watch: redrawn in place (the screen is cleared: earlier updates are gone), until a key.
            pane.type("watch info --interval 0.3");
            pane.keys("Enter");
            pane.waitFor("update 2", s -> s.contains("(update 2,"));
            // Any update from the fifth on: a loaded machine's screen captures may come slower than 0.3 s apart.
            String later = pane.waitFor("update 5 or later", s -> java.util.regex.Pattern.compile("\\(update (\\d+),")
                    .matcher(s).results().anyMatch(m -> Integer.parseInt(m.group(1)) >= 5));
            assertFalse(later.contains("(update 2,"), "update 2 was redrawn over, not scrolled:\n" + later);
            pane.keys("q");
            pane.waitFor("the prompt after the watch", s -> s.strip().endsWith(label));

            // listen: updates printed above the prompt while a half-typed line stays intact below them.
            pane.type("listen info --interval 0.3");
            pane.keys("Enter");
            pane.waitFor("listen started", s -> s.contains("listening to info"));
            pane.type("sessi");
            // A capture can fall between JLine erasing the prompt line and redrawing it below a new update: wait
            // for a screen where the redraw is done, and fail if none comes.
            String typing = pane.waitFor("updates above the line being typed, which stays on the prompt",
                    screen -> screen.contains("[info #3]") && typedLineBelowUpdates(screen, label + " sessi"));
            assertTrue(typedLineBelowUpdates(typing, label + " sessi"),
                    "the updates are above the prompt and the typed text stays on it:\n" + typing);
            pane.keys("C-u");
            pane.type("listen off");
            pane.keys("Enter");
            pane.waitFor("listen stopped", s -> s.contains("stopped 1 listeners"));

            // The node dies (SIGKILL, its socket file left behind): the prompt says so.
            n0.process().destroyForcibly();
            n0.process().waitFor(10, TimeUnit.SECONDS);
            pane.waitFor("not connected", s -> s.strip().endsWith("molia [not connected]>"));
            pane.type("info");
            pane.keys("Enter");
            pane.waitFor("the command waiting for the node", s -> s.contains("not connected: waiting for the node"));

            // Restarted with the same data dir: the shell reconnects and the waiting command runs.
            NodeProcesses.Started again = procs.start(d0, null);
            // The prompt is drawn just after the answer: wait for both (a capture can fall between them).
            String after = pane.waitFor("the reconnect, the info and the prompt", s -> s.contains("connected to node")
                    && s.contains("pid            " + again.process().pid()) && s.strip().endsWith(label));
            assertTrue(after.contains("not connected: waiting for the node"), "the command waited:\n" + after);

            // History survives: Ctrl-D leaves, the file has the commands.
            pane.keys("C-d");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (!Files.exists(history) && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            String saved = Files.readString(history);
            assertTrue(saved.contains("peers") && saved.contains("watch info --interval 0.3")
                    && saved.contains("ping " + peer16), saved);
        }
    }
}
