package io.molia.wal;

import java.time.Duration;

/**
 * How a node keeps its WAL.
 *
 * @param enabled              false: no WAL at all (state lives in memory only)
 * @param sync                 when entries reach the disk ({@link WalSync})
 * @param compactEvery         how often the node compacts (snapshot + fresh queue); zero: never on a timer
 * @param compactMinEntries    a compaction on the timer is skipped while fewer entries were appended since the last
 */
public record WalOptions(boolean enabled, WalSync sync, Duration compactEvery, long compactMinEntries) {
    public WalOptions {
        if (compactEvery.isNegative()) {
            throw new IllegalArgumentException("--wal-compact-every must not be negative");
        }
        if (compactMinEntries < 0) {
            throw new IllegalArgumentException("--wal-compact-min-entries must not be negative");
        }
    }

    /** Page-cache durability (survives kill -9), compaction every 10 minutes once 100k entries accumulated. */
    public static WalOptions defaults() {
        return new WalOptions(true, WalSync.NONE, Duration.ofMinutes(10), 100_000);
    }

    public static WalOptions disabled() {
        return new WalOptions(false, WalSync.NONE, Duration.ZERO, 0);
    }

    public WalOptions withSync(WalSync s) {
        return new WalOptions(enabled, s, compactEvery, compactMinEntries);
    }

    public WalOptions withCompaction(Duration every, long minEntries) {
        return new WalOptions(enabled, sync, every, minEntries);
    }
}
