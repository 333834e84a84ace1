package io.molia.wal;

/**
 * Converts between the core's monotonic nanoseconds and the wall-clock milliseconds the WAL stores (a TTL must
 * outlive a restart, and monotonic time does not). One offset, read once when the node starts, so a conversion
 * there and back is exact: a recovered record reports the same expiry, hence the same digest.
 */
public final class WalClock {
    private final long offsetNs;

    public WalClock(long wallNs, long monoNs) {
        this.offsetNs = wallNs - monoNs;
    }

    /** The clocks of this JVM now. */
    public static WalClock system() {
        return new WalClock(System.currentTimeMillis() * 1_000_000L, System.nanoTime());
    }

    public long toWallMs(long monoNs) {
        return Math.floorDiv(monoNs + offsetNs, 1_000_000L);
    }

    public long toMonoNs(long wallMs) {
        return wallMs * 1_000_000L - offsetNs;
    }

    public long nowWallMs() {
        return System.currentTimeMillis();
    }
}
