package io.molia.waltools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.molia.wal.WalFormat;
import io.molia.wal.WalLayout;
import io.molia.wal.WalScanner;

/** {@code molia wal stats}: per shard, entries per type, bytes on disk, generations, snapshots, time span. */
public final class WalStats {
    /** Figures of one shard. */
    public record ShardStats(int shard, long entries, long[] entriesByType, long entryBytes, long diskBytes,
            List<Long> generations, List<Long> snapshots, long firstWallMs, long lastWallMs, long firstSequence,
            long lastSequence, int problems) {
    }

    public List<ShardStats> stats(WalLayout.Target target, Progress progress) throws IOException {
        List<ShardStats> out = new ArrayList<>();
        for (Map.Entry<Integer, Path> s : target.shards().entrySet()) {
            long[] byType = new long[WalFormat.typeCount()];
            long[] agg = {0, 0, Long.MAX_VALUE, Long.MIN_VALUE, -1}; // entries, bytes, first ms, last ms, first seq
            WalScanner scan = new WalScanner(s.getKey(), s.getValue());
            scan.scan(false, target.onlyGeneration(), 0, e -> {
                byType[e.type]++;
                agg[0]++;
                agg[1] += e.length;
                agg[2] = Math.min(agg[2], e.wallMs);
                agg[3] = Math.max(agg[3], e.wallMs);
                if (agg[4] < 0 && e.type != WalFormat.TYPE_HEADER) {
                    agg[4] = e.sequence;
                }
                progress.update(agg[0]);
                return true;
            });
            out.add(new ShardStats(s.getKey(), agg[0], byType, agg[1], WalBench.diskBytes(s.getValue()),
                    WalLayout.generations(s.getValue()), WalLayout.snapshots(s.getValue()),
                    agg[0] == 0 ? 0 : agg[2], agg[0] == 0 ? 0 : agg[3], agg[4], scan.lastSequence(),
                    scan.problems().size()));
        }
        return out;
    }
}
