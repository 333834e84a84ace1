package io.molia.waltools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.molia.wal.StoreDigest;
import io.molia.wal.WalFormat;
import io.molia.wal.WalLayout;
import io.molia.wal.WalScanner;
import io.molia.wal.WalState;

/**
 * {@code molia wal replay}: rebuilds each shard's state offline with the node's own code ({@link WalScanner},
 * {@link WalState}: the snapshot, then the entries after it) and reports counts and the store digest a live node
 * reports for the same state. {@code until} stops after the entry with that Chronicle index, or before the first
 * entry whose WAL time (header or record_put time) is later than {@code untilWallMs}.
 */
public final class WalReplayer {
    /** The result for one shard. */
    public record ShardResult(int shard, long entriesApplied, long[] byType, int records, long recordBytes, int peers,
            long lastSequence, String digest, double seconds, List<WalScanner.Problem> problems, WalState state,
            double cpuSeconds) {
    }

    private final boolean live;

    /** {@code live}: a running node holds the data dir (its newest generation's end may be in flux). */
    public WalReplayer(boolean live) {
        this.live = live;
    }

    public WalReplayer() {
        this(false);
    }

    public List<ShardResult> replay(WalLayout.Target target, Integer onlyShard, long untilIndex, long untilWallMs,
            Progress progress) throws IOException {
        List<ShardResult> out = new ArrayList<>();
        for (Map.Entry<Integer, Path> s : target.shards().entrySet()) {
            if (onlyShard == null || onlyShard.equals(s.getKey())) {
                out.add(replayShard(s.getKey(), s.getValue(), untilIndex, untilWallMs, progress));
            }
        }
        return out;
    }

    public ShardResult replayShard(int shard, Path dir, long untilIndex, long untilWallMs, Progress progress)
            throws IOException {
        long t0 = System.nanoTime();
        long cpu0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long[] n = {0};
        WalScanner scan = new WalScanner(shard, dir);
        if (live) {
            scan.live();
        }
        scan.scan(true, null, 0, e -> {
            progress.update(++n[0]);
            return e.index <= untilIndex && e.wallMs <= untilWallMs;
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuSeconds = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0)
                / 1e9;
        WalState st = scan.state();
        long[] byType = new long[WalFormat.typeCount()];
        for (int t = 0; t < byType.length; t++) {
            byType[t] = st.applied(t);
        }
        return new ShardResult(shard, st.appliedTotal(), byType, st.records().size(), st.recordBytes(),
                st.peers().size(), scan.lastSequence(), StoreDigest.of(st), seconds, scan.problems(), st,
                cpuSeconds);
    }
}
