package io.molia.dash;

/**
 * What the operator chose: the screen, the selected row, filter, sort, overlays. Owned by the dashboard thread (and
 * by a test that drives the renderer); not thread-safe. The model is the data, this is the view of it.
 */
public final class UiState {
    /** Log levels the log screen can filter to, lowest first. */
    static final String[] LOG_LEVELS = {"WARN", "ERROR"};

    int screen;
    final int[] selected = new int[Screens.ALL.size()];
    final int[] sort = new int[Screens.ALL.size()];
    String filter = "";
    boolean editingFilter;
    boolean help;
    /** The peer ID (sessions, routing contacts) or "bucket:N" whose details are open; null when none. */
    String detail;
    int logLevel;
    final boolean readonly;
    final boolean showKeys;
    /** One line of feedback (an action's answer), shown in the footer until the next key. */
    String message = "";
    /** Whether the last frame was at least 100 columns wide (screens lay out their columns by it). */
    boolean wide;

    public UiState(boolean readonly, boolean showKeys) {
        this.readonly = readonly;
        this.showKeys = showKeys;
    }

    public int screen() {
        return screen;
    }

    public void screen(int i) {
        screen = Math.floorMod(i, Screens.ALL.size());
    }

    public void openHelp(boolean open) {
        help = open;
    }

    public void detail(String key) {
        detail = key;
    }

    public void filter(String f) {
        filter = f;
    }
}
