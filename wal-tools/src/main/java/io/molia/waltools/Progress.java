package io.molia.waltools;

import java.io.PrintStream;

/**
 * A one-line progress indicator on stderr for long offline work (entries read, rate, elapsed), redrawn in place;
 * silent unless stderr is a terminal, so pipes, CI logs and tests see nothing.
 */
public final class Progress {
    private final PrintStream out;
    private final String label;
    private final boolean enabled;
    private final long startNs = System.nanoTime();
    private long lastDrawNs;

    public Progress(PrintStream out, String label, boolean enabled) {
        this.out = out;
        this.label = label;
        this.enabled = enabled;
    }

    /** Enabled when a terminal is attached. */
    public static Progress onTerminal(String label) {
        return new Progress(System.err, label, System.console() != null);
    }

    public void update(long done) {
        if (!enabled || (done & 0xffff) != 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDrawNs < 200_000_000L) {
            return;
        }
        lastDrawNs = now;
        double s = (now - startNs) / 1e9;
        int spin = (int) (s * 5) % 20;
        out.printf("\r[%s#%s] %s %,d entries  %.1f M/s  %.0f s", " ".repeat(spin), " ".repeat(19 - spin), label, done,
                done / s / 1e6, s);
        out.flush();
    }

    public void finish() {
        if (enabled) {
            out.print("\r" + " ".repeat(90) + "\r");
            out.flush();
        }
    }
}
