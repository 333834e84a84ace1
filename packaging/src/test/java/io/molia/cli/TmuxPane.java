package io.molia.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real terminal for tests: a detached tmux session driven as a user would (keys in, the visible screen out).
 * tmux must be installed (.ci/run installs it): without it the test fails, it never skips.
 */
final class TmuxPane implements AutoCloseable {
    private final String session;
    private final long waitSeconds;
    private final boolean joinWrappedLines;

    /**
     * @param name             a session name unique to the test class (the JVM's pid is appended)
     * @param waitSeconds      how long {@link #waitFor} waits for the screen to show something
     * @param joinWrappedLines capture a wrapped line as one line (a shell) or one line per row (a full screen)
     */
    TmuxPane(String name, long waitSeconds, boolean joinWrappedLines) throws Exception {
        if (new ProcessBuilder("sh", "-c", "command -v tmux").start().waitFor() != 0) {
            fail("tmux is not installed: .ci/run installs it (apt-get install tmux)");
        }
        this.session = name + "-" + ProcessHandle.current().pid();
        this.waitSeconds = waitSeconds;
        this.joinWrappedLines = joinWrappedLines;
    }

    /** Starts {@code command} in a new detached window of {@code columns} × {@code rows}. */
    void start(int columns, int rows, String command) throws Exception {
        run("tmux", "new-session", "-d", "-s", session, "-x", Integer.toString(columns), "-y", Integer.toString(rows),
                command);
    }

    void resize(int columns, int rows) throws Exception {
        run("tmux", "resize-window", "-t", session, "-x", Integer.toString(columns), "-y", Integer.toString(rows));
    }

    /** The visible screen only. */
    String screen() throws Exception {
        return joinWrappedLines ? run("tmux", "capture-pane", "-p", "-J", "-t", session)
                : run("tmux", "capture-pane", "-p", "-t", session);
    }

    /** The visible screen, one line per row (a full-width row is not joined with the next). */
    String rows() throws Exception {
        return run("tmux", "capture-pane", "-p", "-t", session);
    }

    /**
     * The visible screen with its attributes as escape sequences; a cell drawn in the line-drawing charset comes
     * after SO (0x0e), so a rule drawn right shows as SO "qqqq" and one drawn as plain letters as "qqqq" alone.
     */
    String screenWithAttributes() throws Exception {
        return run("tmux", "capture-pane", "-p", "-e", "-t", session);
    }

    /** Sends tmux key names (Enter, Tab, C-c) or, after "-l", literal text. */
    void keys(String... keys) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "send-keys", "-t", session));
        cmd.addAll(List.of(keys));
        run(cmd.toArray(String[]::new));
    }

    /** Types text literally (no key names). */
    void type(String text) throws Exception {
        keys("-l", text);
    }

    /** Polls the screen until {@code condition} holds; fails with the last screen after the wait. */
    String waitFor(String what, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
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

    @Override
    /**
     * Ends the session and waits (up to 10 s) for the program in the pane to exit: killed by the hangup, a JVM still
     * runs its shutdown (a shell saves its history), and a test's temporary directory must not be deleted under it.
     */
    public void close() throws Exception {
        java.util.Optional<ProcessHandle> program = panePid().flatMap(ProcessHandle::of);
        new ProcessBuilder("tmux", "kill-session", "-t", session).redirectErrorStream(true).start().waitFor();
        if (program.isPresent()) {
            program.get().onExit().get(10, TimeUnit.SECONDS);
        }
    }

    /** The pid of the program the pane runs, if the session is still there. */
    private java.util.Optional<Long> panePid() throws Exception {
        Process p = new ProcessBuilder("tmux", "display-message", "-p", "-t", session, "#{pane_pid}")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.waitFor() == 0 && out.matches("\\d+") ? java.util.Optional.of(Long.parseLong(out))
                : java.util.Optional.empty();
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            fail(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
