package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `molia shell` in a real terminal (a tmux pane) on real node processes, asserting on the screen: completion of a
 * peer ID, a table, a watch that refreshes in place, and the reconnect after the node is killed and restarted.
 * Needs tmux (.ci/run installs it); without it the test fails, it never skips.
 */
class ShellTmuxIT {
    private static final long WAIT_S = 40;

    @TempDir
    Path dir;

    private final String session = "molia-shell-it-" + ProcessHandle.current().pid();

    @AfterEach
    void killSession() throws Exception {
        new ProcessBuilder("tmux", "kill-session", "-t", session).redirectErrorStream(true).start().waitFor();
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            fail(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private String screen() throws Exception {
        return run("tmux", "capture-pane", "-p", "-J", "-t", session); // the visible screen only
    }

    private void keys(String... keys) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "send-keys", "-t", session));
        cmd.addAll(List.of(keys));
        run(cmd.toArray(String[]::new));
    }

    /** Types text literally (no key names). */
    private void type(String text) throws Exception {
        run("tmux", "send-keys", "-t", session, "-l", text);
    }

    private String waitFor(String what, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        String s = "";
        while (System.nanoTime() < deadline) {
            s = screen();
            if (condition.test(s)) {
                return s;
            }
            Thread.sleep(150);
        }
        fail("the screen never showed " + what + ":\n" + s);
        return s;
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

    @Test
    void completionTableWatchAndReconnectOnARealTerminal() throws Exception {
        Process which = new ProcessBuilder("sh", "-c", "command -v tmux").start();
        if (which.waitFor() != 0) {
            fail("tmux is not installed: .ci/run installs it (apt-get install tmux)");
        }
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
            run("tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "50",
                    "env TERM=xterm-256color " + launcher);
            String label = "molia [node " + n0.id().toHex().substring(0, 8) + "]>";
            waitFor("the connected prompt", s -> s.contains(label));

            // Completion of a peer ID: 4 hex digits and Tab give the 16 the shell shows.
            String peer16 = n1.id().toHex().substring(0, 16);
            type("ping " + peer16.substring(0, 4));
            keys("Tab");
            waitFor("the completed peer ID", s -> s.contains("ping " + peer16));
            keys("Enter");
            waitFor("the ping's answer", s -> s.contains(peer16 + " answered in"));

            // A table: header and the peer's row, columns aligned.
            type("peers");
            keys("Enter");
            String table = waitFor("the peers table", s -> s.contains("2 peers") && s.contains("srtt"));
            String header = table.lines().filter(l -> l.startsWith("node ") && l.contains("address")).findFirst()
                    .orElseThrow();
            String row = table.lines().filter(l -> l.startsWith(peer16) && l.contains("127.0.0.x")).findFirst()
                    .orElseThrow();
            assertEquals(header.indexOf("address"), row.indexOf("127.0.0.x"), "aligned columns:\n" + header + "\n"
                    + row);

            // watch: redrawn in place (the screen is cleared: earlier updates are gone), until a key.
            type("watch info --interval 0.3");
            keys("Enter");
            waitFor("update 2", s -> s.contains("(update 2,"));
            String later = waitFor("update 5", s -> s.contains("(update 5,"));
            assertFalse(later.contains("(update 2,"), "update 2 was redrawn over, not scrolled:\n" + later);
            keys("q");
            waitFor("the prompt after the watch", s -> s.strip().endsWith(label));

            // listen: updates printed above the prompt while a half-typed line stays intact below them.
            type("listen info --interval 0.3");
            keys("Enter");
            waitFor("listen started", s -> s.contains("listening to info"));
            type("sessi");
            String typing = waitFor("updates above the line being typed", s -> s.contains("[info #3]"));
            List<String> lines = typing.lines().map(String::stripTrailing).toList();
            int lastUpdate = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith("[info #")) {
                    lastUpdate = i;
                }
            }
            assertTrue(lastUpdate >= 0 && lines.indexOf(label + " sessi") > lastUpdate,
                    "the updates are above the prompt and the typed text stays on it:\n" + typing);
            keys("C-u");
            type("listen off");
            keys("Enter");
            waitFor("listen stopped", s -> s.contains("stopped 1 listeners"));

            // The node dies (SIGKILL, its socket file left behind): the prompt says so.
            n0.process().destroyForcibly();
            n0.process().waitFor(10, TimeUnit.SECONDS);
            waitFor("not connected", s -> s.strip().endsWith("molia [not connected]>"));
            type("info");
            keys("Enter");
            waitFor("the command waiting for the node", s -> s.contains("not connected: waiting for the node"));

            // Restarted with the same data dir: the shell reconnects and the waiting command runs.
            NodeProcesses.Started again = procs.start(d0, null);
            String after = waitFor("the reconnect and the info", s -> s.contains("connected to node")
                    && s.contains("pid            " + again.process().pid()));
            assertTrue(after.strip().endsWith(label), "the prompt is back:\n" + after);

            // History survives: Ctrl-D leaves, the file has the commands.
            keys("C-d");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (!Files.exists(history) && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            String saved = Files.readString(history);
            assertTrue(saved.contains("peers") && saved.contains("watch info --interval 0.3")
                    && saved.contains("ping " + peer16), saved);
        }
    }
}
