package io.molia.wal;

/**
 * When appended entries are forced to disk (docs/wal-format.md, "Durability"):
 * <ul>
 * <li>{@code NONE}: never explicitly; entries sit in the page cache of the mapped queue file. Survives the kill of
 * the process (kill -9, a crash, an OOM kill); loses the last seconds on power loss or a kernel crash.
 * <li>{@code BATCH}: once per event-loop turn, before the turn's acknowledgements leave (group commit): survives
 * power loss; costs one msync per turn, shared by every write of the turn.
 * <li>{@code ALWAYS}: after every entry: survives power loss; costs one msync per write.
 * </ul>
 */
public enum WalSync {
    NONE, BATCH, ALWAYS;

    /** Parses the {@code --wal-sync} value (any case); a one-line error otherwise. */
    public static WalSync parse(String text) {
        for (WalSync s : values()) {
            if (s.name().equalsIgnoreCase(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("expected none, batch or always, got '" + text + "'");
    }
}
