package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `molia devnet` in a real terminal (a tmux pane, typed at a shell prompt): the dashboard opens on node 0, number
 * keys switch screens, `?` shows the help, n/p switch nodes, resizing the window re-renders at the new size, and
 * `q` stops the devnet and gives the shell back with the terminal as it was (same stty modes, the alternate
 * screen left so the devnet's table printed before the dashboard is visible again). Needs tmux (.ci/run installs
 * it); without it the test fails, it never skips.
 */
class DashTmuxIT {

    @TempDir
    Path dir;

    private TmuxPane pane;

    @BeforeEach
    void openPane() throws Exception {
        pane = new TmuxPane("molia-dash-it", 60, false);
    }

    @AfterEach
    void closePane() throws Exception {
        pane.close();
    }

    /** The column where {@code text} starts on its line of the screen. */
    private static int column(String screen, String text) {
        return screen.lines().filter(l -> l.contains(text)).findFirst().orElseThrow().indexOf(text);
    }

    private static int widest(String screen) {
        return screen.lines().mapToInt(l -> l.stripTrailing().length()).max().orElse(0);
    }

    @Test
    void devnetOpensTheDashboardWhichSwitchesScreensResizesAndQuitsCleanly() throws Exception {
        Path launcher = dir.resolve("devnet.sh");
        StringBuilder sh = new StringBuilder("#!/bin/sh\nstty -g > '" + dir.resolve("stty.before") + "'\n");
        for (String a : NodeProcesses.molia()) {
            sh.append('\'').append(a).append("' ");
        }
        sh.append("devnet --nodes 3 --data-dir '").append(dir.resolve("devnet")).append("'\n");
        sh.append("echo DEVNET-EXIT=$?\n");
        sh.append("stty -g > '").append(dir.resolve("stty.after")).append("'\n");
        Files.writeString(launcher, sh.toString());
        pane.start(80, 24, "env TERM=xterm-256color PS1='dash-it$ ' sh");
        pane.waitFor("the shell prompt", s -> s.contains("dash-it$"));
        pane.keys("-l", "sh " + launcher);
        pane.keys("Enter");

        String overview = pane.waitFor("the dashboard on node 0 with its WAL line", s -> s.contains("1 overview")
                && s.contains("devnet node 0 of 3") && s.contains("● connected") && s.contains("packets in/s")
                && s.contains("WAL: no lag (written before acks), sync none"));
        assertTrue(widest(overview) <= 80, overview);
        assertFalse(overview.contains("Enter:details") || overview.contains("/:filter"),
                "the overview has no rows to open or filter:\n" + overview);

        pane.keys("2");
        pane.waitFor("the routing screen",
                s -> s.contains("buckets (K = 20)") && s.contains("bkt") && s.contains("fill"));
        pane.keys("3");
        // The footer's keys are drawn last: a table with its footer is a whole frame.
        String sessions = pane.waitFor("the sessions screen with Enter:details in its footer",
                s -> s.contains("sessions, sorted by peer") && s.contains("127.0.0.x:") && s.contains("Enter:details"));
        // Filtered to one peer, the count says how many of all the sessions it shows.
        String peer = sessions.lines().dropWhile(l -> !l.startsWith("peer")).skip(1).findFirst().orElseThrow()
                .substring(0, 8);
        pane.keys("/");
        pane.keys("-l", peer);
        pane.keys("Enter");
        pane.waitFor("the filtered count", s -> s.matches("(?s).*\\n1 of [0-9]+ sessions, sorted by peer.*"));
        pane.keys("Escape");
        pane.waitFor("the filter cleared", s -> s.matches("(?s).*\\n[0-9]+ sessions, sorted by peer.*"));
        pane.keys("4");
        pane.waitFor("the Sybil screen", s -> s.contains("lowest-scored peers") && s.contains("bans: 0 of capacity"));
        pane.keys("5");
        pane.waitFor("the NAT screen", s -> s.contains("budget") && s.contains("own reservation: none"));
        pane.keys("6");
        pane.waitFor("the records screen", s -> s.contains("largest records") && s.contains("of 100000"));
        pane.keys("7");
        pane.waitFor("the log screen", s -> s.contains("level ≥ WARN") && s.contains("warnings and errors since"));
        pane.keys("Tab");
        pane.waitFor("Tab wraps to the overview", s -> s.contains("packets in/s"));

        pane.keys("?");
        String help = pane.waitFor("the whole help", s -> s.contains("─ keys ─") && s.contains("switch screens")
                && s.contains("q, Ctrl-C"));
        int descriptions = column(help, "switch screens");
        for (String d : new String[] {"details of the selected row", "ping the peer", "quit"}) {
            assertTrue(column(help, d) == descriptions, "'" + d + "' aligned with the other keys:\n" + help);
        }
        pane.keys("x");
        pane.waitFor("the help closed", s -> !s.contains("─ keys ─") && s.contains("packets in/s"));

        pane.keys("n");
        pane.waitFor("node 1", s -> s.contains("devnet node 1 of 3") && s.contains("● connected"));
        pane.keys("p");
        pane.waitFor("node 0 again", s -> s.contains("devnet node 0 of 3") && s.contains("● connected"));

        pane.resize(200, 60);
        // A capture can catch the redraw after the resize half done (the header drawn, the rows not yet), so the
        // wait is for the rows too: the devnet's self-check lookup in the histogram, the shard table.
        pane.waitFor("the whole frame at 200x60", s -> s.contains(" molia dash ") && widest(s) > 80
                && s.lines().count() >= 60 && s.contains("over the last") && s.contains("shard 0"));
        for (String[] screen : new String[][] {{"2", "bkt "}, {"3", "peer▼"}}) {
            pane.keys(screen[0]);
            String table = pane.waitFor("a table at 200x60", s -> s.contains(" molia dash ")
                    && s.lines().anyMatch(l -> l.startsWith(screen[1])));
            assertFalse(table.lines().dropWhile(l -> !l.startsWith(screen[1])).anyMatch(l -> l.contains("…")),
                    "a cell cut at 200 columns:\n" + table);
        }
        pane.keys("1");
        pane.resize(80, 24);
        pane.waitFor("the frame at 80x24 again", s -> !s.contains(" molia dash ") && s.contains(" molia ")
                && s.contains("packets in/s") && widest(s) <= 80);

        pane.keys("q");
        String after = pane.waitFor("the devnet stopped and the prompt back", s -> s.contains("DEVNET-EXIT=0")
                && s.strip().endsWith("dash-it$"));
        assertTrue(after.contains("dashboard closed; stopping the devnet"), after);
        assertFalse(after.contains("1 overview"), "the alternate screen was left:\n" + after);
        assertTrue(after.contains("put from node 0: acknowledged, stored on"),
                "the devnet's own output is back:\n" + after);
        assertTrue(Files.readString(dir.resolve("stty.before")).equals(Files.readString(dir.resolve("stty.after"))),
                "the terminal modes are restored");
    }

    @Test
    void aNodeKilledAndRestartedShowsDisconnectedRetryingThenResumes() throws Exception {
        try (NodeProcesses procs = new NodeProcesses()) {
            Path d0 = dir.resolve("node-0");
            NodeProcesses.Started n0 = procs.start(d0, null);
            procs.start(dir.resolve("node-1"), n0.address());
            Path launcher = dir.resolve("dash.sh");
            StringBuilder sh = new StringBuilder("#!/bin/sh\n");
            for (String a : NodeProcesses.molia()) {
                sh.append('\'').append(a).append("' ");
            }
            sh.append("dash --data-dir '").append(d0).append("' --interval 200ms --readonly\necho DASH-EXIT=$?\n");
            Files.writeString(launcher, sh.toString());
            pane.start(100, 30, "env TERM=xterm-256color PS1='dash-it$ ' sh");
            pane.waitFor("the shell prompt", s -> s.contains("dash-it$"));
            pane.keys("-l", "sh " + launcher);
            pane.keys("Enter");
            pane.waitFor("the dashboard on the node", s -> s.contains("● connected") && s.contains("pid "
                    + n0.process().pid()) && s.contains("read-only") && s.contains("every 200 ms"));

            n0.process().destroyForcibly(); // kill -9: the socket file stays behind
            n0.process().waitFor(10, TimeUnit.SECONDS);
            String pid = "pid " + n0.process().pid();
            pane.waitFor("disconnected, retrying, with the last data kept",
                    s -> s.contains("✗ disconnected, retrying") && s.contains(pid));

            NodeProcesses.Started again = procs.start(d0, null);
            pane.waitFor("the restarted node", s -> s.contains("● connected") && s.contains("pid "
                    + again.process().pid()));
            pane.keys("q");
            pane.waitFor("the prompt back", s -> s.contains("DASH-EXIT=0") && s.strip().endsWith("dash-it$"));
        }
    }
}
