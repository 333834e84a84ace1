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

    /** What a read-only command reads, and who holds its data dir when a node runs there (else null). */
    public record Reading(WalLayout.Target target, String holder) {
        public boolean live() {
            return holder != null;
        }

        /** The line that says the figures come from a running node's files. */
        public String liveNote() {
            return "node running (" + holder + "): figures as of now; its newest generation's end is not checked";
        }
    }

    /**
     * Resolves {@code given} for a command that only reads: a running node's data dir is read as it is (Chronicle
     * opens its queues read-only beside the node's appender), and the result says so.
     */
    public static Reading resolveForReading(Path given) throws IOException {
        WalLayout.Target t = WalLayout.resolve(given);
        return new Reading(t, DataDirLock.holder(t.dataDir()));
    }

    /** One read of a data dir. */
    public interface Read<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code read}; on a live data dir again (at most three times in all) when the node's compaction changed
     * the generations or snapshots meanwhile, so a generation deleted under the read is not reported as missing.
     */
    public static <T> T readSteadily(Reading reading, Read<T> read) throws IOException {
        for (int attempt = 1; ; attempt++) {
            String before = layout(reading.target());
            T result = read.run();
            if (!reading.live() || attempt == 3 || before.equals(layout(reading.target()))) {
                return result;
            }
        }
    }

    private static String layout(WalLayout.Target t) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Path shard : t.shards().values()) {
            b.append(WalLayout.generations(shard)).append(WalLayout.snapshots(shard));
        }
        return b.toString();
    }

    public static DataDirLock lock(WalLayout.Target t) throws IOException {
        return DataDirLock.acquire(t.dataDir(), "molia wal");
    }
}
