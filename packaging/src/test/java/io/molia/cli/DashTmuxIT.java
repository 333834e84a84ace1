package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
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
    private static final long WAIT_S = 60;

    @TempDir
    Path dir;

    private final String session = "molia-dash-it-" + ProcessHandle.current().pid();

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
        return run("tmux", "capture-pane", "-p", "-t", session); // the visible screen only, one line per row
    }

    private void keys(String... keys) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "send-keys", "-t", session));
        cmd.addAll(List.of(keys));
        run(cmd.toArray(String[]::new));
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

    private static int widest(String screen) {
        return screen.lines().mapToInt(l -> l.stripTrailing().length()).max().orElse(0);
    }

    @Test
    void devnetOpensTheDashboardWhichSwitchesScreensResizesAndQuitsCleanly() throws Exception {
        Process which = new ProcessBuilder("sh", "-c", "command -v tmux").start();
        if (which.waitFor() != 0) {
            fail("tmux is not installed: .ci/run installs it (apt-get install tmux)");
        }
        Path launcher = dir.resolve("devnet.sh");
        StringBuilder sh = new StringBuilder("#!/bin/sh\nstty -g > '" + dir.resolve("stty.before") + "'\n");
        for (String a : NodeProcesses.molia()) {
            sh.append('\'').append(a).append("' ");
        }
        sh.append("devnet --nodes 3 --data-dir '").append(dir.resolve("devnet")).append("'\n");
        sh.append("echo DEVNET-EXIT=$?\n");
        sh.append("stty -g > '").append(dir.resolve("stty.after")).append("'\n");
        Files.writeString(launcher, sh.toString());
        run("tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                "env TERM=xterm-256color PS1='dash-it$ ' sh");
        waitFor("the shell prompt", s -> s.contains("dash-it$"));
        keys("-l", "sh " + launcher);
        keys("Enter");

        String overview = waitFor("the dashboard on node 0", s -> s.contains("1 overview")
                && s.contains("devnet node 0 of 3") && s.contains("● connected") && s.contains("packets in/s"));
        assertTrue(overview.contains("WAL lag: wal: the write-ahead log: not available in this version"), overview);
        assertTrue(widest(overview) <= 80, overview);

        keys("2");
        waitFor("the routing screen", s -> s.contains("buckets (K = 20)") && s.contains("bkt") && s.contains("fill"));
        keys("3");
        waitFor("the sessions screen", s -> s.contains("sessions, sorted by peer") && s.contains("127.0.0.x:"));
        keys("4");
        waitFor("the Sybil screen", s -> s.contains("lowest-scored peers") && s.contains("bans: 0 of capacity"));
        keys("5");
        waitFor("the NAT screen", s -> s.contains("relays: relay budgets: not available in this version"));
        keys("6");
        waitFor("the records screen", s -> s.contains("largest records") && s.contains("of 100000"));
        keys("7");
        waitFor("the log screen", s -> s.contains("level ≥ WARN") && s.contains("warnings and errors since"));
        keys("Tab");
        waitFor("Tab wraps to the overview", s -> s.contains("packets in/s"));

        keys("?");
        waitFor("the help", s -> s.contains("─ keys ─") && s.contains("switch screens"));
        keys("x");
        waitFor("the help closed", s -> !s.contains("─ keys ─") && s.contains("packets in/s"));

        keys("n");
        waitFor("node 1", s -> s.contains("devnet node 1 of 3") && s.contains("● connected"));
        keys("p");
        waitFor("node 0 again", s -> s.contains("devnet node 0 of 3") && s.contains("● connected"));

        run("tmux", "resize-window", "-t", session, "-x", "200", "-y", "60");
        String wide = waitFor("the frame at 200x60", s -> s.contains(" molia dash ") && widest(s) > 80
                && s.lines().count() >= 60);
        assertTrue(wide.contains("over the last") && wide.contains("shard 0"), wide); // the devnet's self-check lookup
        run("tmux", "resize-window", "-t", session, "-x", "80", "-y", "24");
        waitFor("the frame at 80x24 again", s -> !s.contains(" molia dash ") && s.contains(" molia ")
                && s.contains("packets in/s") && widest(s) <= 80);

        keys("q");
        String after = waitFor("the devnet stopped and the prompt back", s -> s.contains("DEVNET-EXIT=0")
                && s.strip().endsWith("dash-it$"));
        assertTrue(after.contains("dashboard closed; stopping the devnet"), after);
        assertFalse(after.contains("1 overview"), "the alternate screen was left:\n" + after);
        assertTrue(after.contains("put from node 0: stored on"), "the devnet's own output is back:\n" + after);
        assertTrue(Files.readString(dir.resolve("stty.before")).equals(Files.readString(dir.resolve("stty.after"))),
                "the terminal modes are restored");
    }

    @Test
    void aNodeKilledAndRestartedShowsDisconnectedRetryingThenResumes() throws Exception {
        Process which = new ProcessBuilder("sh", "-c", "command -v tmux").start();
        if (which.waitFor() != 0) {
            fail("tmux is not installed: .ci/run installs it (apt-get install tmux)");
        }
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
            run("tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
                    "env TERM=xterm-256color PS1='dash-it$ ' sh");
            waitFor("the shell prompt", s -> s.contains("dash-it$"));
            keys("-l", "sh " + launcher);
            keys("Enter");
            waitFor("the dashboard on the node", s -> s.contains("● connected") && s.contains("pid "
                    + n0.process().pid()) && s.contains("read-only") && s.contains("every 200 ms"));

            n0.process().destroyForcibly(); // kill -9: the socket file stays behind
            n0.process().waitFor(10, TimeUnit.SECONDS);
            String down = waitFor("disconnected, retrying", s -> s.contains("✗ disconnected, retrying"));
            assertTrue(down.contains("pid " + n0.process().pid()), "the last data stays:\n" + down);

            NodeProcesses.Started again = procs.start(d0, null);
            waitFor("the restarted node", s -> s.contains("● connected") && s.contains("pid "
                    + again.process().pid()));
            keys("q");
            waitFor("the prompt back", s -> s.contains("DASH-EXIT=0") && s.strip().endsWith("dash-it$"));
        }
    }
}
