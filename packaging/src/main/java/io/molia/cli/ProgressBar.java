package io.molia.cli;

import java.io.PrintStream;

/** A one-line progress bar redrawn in place on a terminal; silent when disabled (pipes, CI logs, tests). */
final class ProgressBar {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final long startNs = System.nanoTime();

    ProgressBar(PrintStream out, String label, long total, boolean enabled) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.enabled = enabled;
    }

    void update(long done) {
        if (!enabled) {
            return;
        }
        int filled = (int) (WIDTH * Math.min(done, total) / total);
        out.printf("\r[%s%s] %3d%% %s %d/%d  %.0f s", "#".repeat(filled), " ".repeat(WIDTH - filled),
                100 * done / total, label, done, total, (System.nanoTime() - startNs) / 1e9);
        out.flush();
    }

    void finish() {
        if (enabled) {
            out.print("\r" + " ".repeat(WIDTH + 50) + "\r");
            out.flush();
        }
    }
}
