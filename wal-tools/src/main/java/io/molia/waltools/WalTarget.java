package io.molia.waltools;

import java.io.IOException;
import java.nio.file.Path;

import io.molia.wal.DataDirLock;
import io.molia.wal.WalLayout;

/** What a {@code molia wal} command works on, resolved once: shards by number, the data dir whose lock counts. */
public final class WalTarget {
    private WalTarget() {
    }

    /**
     * Resolves {@code given} and checks no running node holds its data dir (the lock is taken and released at once;
     * commands that write hold it with {@link #lock}). One-line IllegalArgumentException/IllegalStateException.
     */
    public static WalLayout.Target resolveIdle(Path given) throws IOException {
        WalLayout.Target t = WalLayout.resolve(given);
        lock(t).close();
        return t;
    }

    public static DataDirLock lock(WalLayout.Target t) throws IOException {
        return DataDirLock.acquire(t.dataDir(), "molia wal");
    }
}
