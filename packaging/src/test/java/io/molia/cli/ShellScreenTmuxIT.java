package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees of `molia shell` on one real node (a process), in real terminals (tmux panes) of the
 * kinds operators run it in: the hint area's rule drawn as a line under TERM=tmux-256color and screen-256color,
 * in two rows; the shell's own words (a typo, `admin sessions`, `info --node 3`, completion without the node
 * options); Ctrl-C ending a watch with the shell still there; and commands piped in, run without a warning.
 * Needs tmux (.ci/run installs it); without it the test fails, it never skips.
 */
class ShellScreenTmuxIT {
    private static final int ROWS = 40;
    /** A run of q's begun neither by SO (the line-drawing charset) nor by another q: letters where a line was meant. */
    private static final Pattern PLAIN_RULE = Pattern.compile("(?<![\\x0eq])q{10,}");
    private static final Pattern DRAWN_RULE = Pattern.compile("\\x0eq{10,}");

    @TempDir
    static Path dir;

    private static NodeProcesses procs;
    private static NodeProcesses.Started node;
    private static String prompt;

    @BeforeAll
    static void startNode() throws Exception {
        procs = new NodeProcesses();
        node = procs.start(dir.resolve("node"), null);
        prompt = "molia [node " + node.id().toHex().substring(0, 8) + "]>";
    }

    @AfterAll
    static void stopNode() {
        procs.close();
    }

    /** A pane running `molia shell` on the node with {@code term} as TERM, at its prompt. */
    private static TmuxPane shell(String name, String term) throws Exception {
        Path launcher = dir.resolve(name + ".sh");
        StringBuilder sh = new StringBuilder("#!/bin/sh\nexec env TERM=" + term);
        for (String a : NodeProcesses.molia()) {
            sh.append(" '").append(a).append('\'');
        }
        sh.append(" shell --data-dir '").append(node.dataDir()).append("' --history-file '")
                .append(dir.resolve(name + ".history")).append("'\n");
        Files.writeString(launcher, sh.toString());
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        TmuxPane pane = new TmuxPane(name, 40, true);
        pane.start(120, ROWS, launcher.toString());
        pane.waitFor("the connected prompt", s -> s.contains(prompt));
        return pane;
    }

    /** Types {@code line} and Enter, then waits for the screen to show {@code what}. */
    private static String enter(TmuxPane pane, String line, String what, Predicate<String> shown) throws Exception {
        pane.type(line);
        pane.keys("Enter");
        return pane.waitFor(what, shown);
    }

    /** Types the start of a command: the hint area shows, its rule drawn as a line, in two rows at the bottom. */
    private static void hintAreaIsARuleAndOneRow(TmuxPane pane) throws Exception {
        pane.type("get ");
        pane.waitFor("the hint area", s -> s.contains("get [--json]"));
        String drawn = pane.rows();
        String attributes = pane.screenWithAttributes();
        assertTrue(DRAWN_RULE.matcher(attributes).find(), "a rule in the line-drawing charset:\n" + attributes);
        assertFalse(PLAIN_RULE.matcher(attributes).find(), "no rule of plain letters:\n" + attributes);
        List<String> rows = drawn.lines().toList();
        assertEquals(ROWS, rows.size(), drawn);
        int rule = -1;
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).matches("q{20,}\\s*")) {
                rule = i;
            }
        }
        assertEquals(ROWS - 2, rule, "the rule and one row of description, at the bottom:\n" + drawn);
        assertTrue(rows.get(ROWS - 1).startsWith("get [--json]"), "the command's synopsis:\n" + drawn);
        pane.keys("C-u");
    }

    @Test
    void underTmuxTheShellDrawsItsHintSpeaksItsOwnCommandsAndCtrlCEndsAWatch() throws Exception {
        try (TmuxPane pane = shell("molia-shell-screen-tmux", "tmux-256color")) {
            hintAreaIsARuleAndOneRow(pane);

            // A typo is answered with the shell's commands, in one line.
            String typo = enter(pane, "sesions", "a suggestion",
                    s -> s.contains("no command 'sesions'; did you mean sessions"));
            assertFalse(typo.contains("admin sessions"), typo);

            // `admin X` runs X; a node option is refused with where the shell is attached.
            enter(pane, "admin sessions", "the sessions view", s -> s.contains("0 sessions; "));
            String refused = enter(pane, "info --node 3", "the refusal", s -> s.contains("--node does not apply inside "
                    + "the shell: it is attached to " + node.dataDir().resolve("admin.sock")));
            assertFalse(refused.contains("pid  "), "no answer for the attached node:\n" + refused);

            // Completion offers the options that do something here, and no node option.
            // A cleared screen first: the lines above hold the refused `info --node 3`. The list Tab draws names
            // --show-keys on its own; the hint row had it in brackets as soon as `info ` was typed.
            pane.keys("C-l");
            pane.type("info --");
            pane.keys("Tab");
            java.util.regex.Pattern listed = java.util.regex.Pattern.compile("(?m)(^|\\s)--show-keys(\\s|$)");
            String screen = pane.waitFor("the options offered", s -> listed.matcher(s).find());
            String offered = screen.substring(screen.lastIndexOf(prompt));
            for (String option : List.of("--node", "--data-dir", "--tcp", "--socket", "--token-file")) {
                assertFalse(offered.contains(option), option + " offered:\n" + offered);
            }
            pane.keys("C-u");

            // A bare listen: one line, no usage dump.
            String listen = enter(pane, "listen", "the listen error",
                    s -> s.contains("listen: Missing required parameter"));
            assertFalse(listen.contains("Usage:"), listen);

            // Ctrl-C ends a watch: the prompt is back and the shell answers the next command.
            enter(pane, "watch info --interval 0.2", "the watch refreshing", s -> s.contains("(update 3,"));
            pane.keys("C-c");
            pane.waitFor("the prompt after Ctrl-C", s -> s.strip().endsWith(prompt));
            String info = enter(pane, "info", "the info after the watch",
                    s -> s.contains("pid            " + node.process().pid()) && s.strip().endsWith(prompt));
            assertFalse(info.contains("Exception"), info);
        }
    }

    @Test
    void underScreenTheHintRuleIsALineToo() throws Exception {
        try (TmuxPane pane = shell("molia-shell-screen-screen", "screen-256color")) {
            hintAreaIsARuleAndOneRow(pane);
        }
    }

    @Test
    void commandsPipedInRunLineByLineWithoutAWarning() throws Exception {
        List<String> cmd = new ArrayList<>(NodeProcesses.molia());
        cmd.addAll(List.of("shell", "--data-dir", node.dataDir().toString()));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("piped.err").toFile()).start();
        p.getOutputStream().write("info\n# a comment\nsesions\nadmin peers\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor(), "the last failure's exit code (the typo's):\n" + out);
        String err = Files.readString(dir.resolve("piped.err"));
        assertEquals(List.of("no command 'sesions'; did you mean sessions or admission or bans? (`help` lists the "
                + "commands)"), err.lines().toList(), "only the typo's line on stderr");
        assertTrue(out.startsWith("node           " + node.id().toHex() + "\n"), out);
        assertTrue(out.contains("0 peers\n"), "the line after the typo ran too:\n" + out);
        assertFalse(out.contains(prompt), "no prompt:\n" + out);
    }
}
