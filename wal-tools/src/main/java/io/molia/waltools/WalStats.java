package io.molia.waltools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.molia.wal.SnapshotFile;
import io.molia.wal.WalCorruptException;
import io.molia.wal.WalFormat;
import io.molia.wal.WalLayout;
import io.molia.wal.WalScanner;

/**
 * {@code molia wal stats}: per shard, the newest snapshot's content (records, peers, the sequence it ends at), then
 * the WAL entries on disk: per type, bytes, generations, snapshots, time span, sequences.
 */
public final class WalStats {
    /** The newest snapshot that verifies: the generation it covers, what it holds, its size. */
    public record SnapshotSummary(long generation, long lastSequence, int records, int peers, int republish,
            long bytes) {
    }

    /**
     * Figures of one shard; {@code snapshot} is null without one, {@code firstSequence}/{@code lastSequence} are -1
     * when the queues hold no entry but headers.
     */
    public record ShardStats(int shard, long entries, long[] entriesByType, long entryBytes, long diskBytes,
            List<Long> generations, List<Long> snapshots, long firstWallMs, long lastWallMs, long firstSequence,
            long lastSequence, int problems, SnapshotSummary snapshot) {
    }

    private final boolean live;

    /** {@code live}: a running node holds the data dir (its newest generation's end may be in flux). */
    public WalStats(boolean live) {
        this.live = live;
    }

    public WalStats() {
        this(false);
    }

    public List<ShardStats> stats(WalLayout.Target target, Progress progress) throws IOException {
        List<ShardStats> out = new ArrayList<>();
        for (Map.Entry<Integer, Path> s : target.shards().entrySet()) {
            long[] byType = new long[WalFormat.typeCount()];
            // entries, bytes, first ms, last ms, first seq, last seq
            long[] agg = {0, 0, Long.MAX_VALUE, Long.MIN_VALUE, -1, -1};
            WalScanner scan = new WalScanner(s.getKey(), s.getValue());
            if (live) {
                scan.live();
            }
            scan.scan(false, target.onlyGeneration(), 0, e -> {
                byType[e.type]++;
                agg[0]++;
                agg[1] += e.length;
                agg[2] = Math.min(agg[2], e.wallMs);
                agg[3] = Math.max(agg[3], e.wallMs);
                if (e.type != WalFormat.TYPE_HEADER) {
                    agg[4] = agg[4] < 0 ? e.sequence : agg[4];
                    agg[5] = e.sequence;
                }
                progress.update(agg[0]);
                return true;
            });
            out.add(new ShardStats(s.getKey(), agg[0], byType, agg[1], WalBench.diskBytes(s.getValue()),
                    WalLayout.generations(s.getValue()), WalLayout.snapshots(s.getValue()),
                    agg[0] == 0 ? 0 : agg[2], agg[0] == 0 ? 0 : agg[3], agg[4], agg[5],
                    scan.problems().size(), target.onlyGeneration() == null ? newestSnapshot(s.getValue()) : null));
        }
        return out;
    }

    /** The newest snapshot of a shard dir that verifies, or null (a corrupt one is verify's to report). */
    private static SnapshotSummary newestSnapshot(Path shardDir) throws IOException {
        List<Long> snaps = WalLayout.snapshots(shardDir);
        for (int i = snaps.size() - 1; i >= 0; i--) {
            Path file = WalLayout.snapshotFile(shardDir, snaps.get(i));
            try {
                SnapshotFile.Contents c = SnapshotFile.read(file);
                return new SnapshotSummary(c.generation(), c.lastSequence(), c.state().records().size(),
                        c.state().peers().size(), c.state().republishList().size(), Files.size(file));
            } catch (WalCorruptException | java.nio.file.NoSuchFileException e) {
                // an older one, or none (a live node's compaction may delete it as we read)
            }
        }
        return null;
    }
}
