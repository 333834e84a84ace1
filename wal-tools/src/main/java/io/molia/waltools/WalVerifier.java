package io.molia.waltools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.molia.wal.SnapshotFile;
import io.molia.wal.StoreDigest;
import io.molia.wal.WalCorruptException;
import io.molia.wal.WalLayout;
import io.molia.wal.WalScanner;

/**
 * {@code molia wal verify}: every snapshot (header, entries, file checksum, digest), every entry of every generation
 * (length, checksum, type, version, sequence continuity across generations), and snapshot consistency: where the
 * generations a snapshot covers are still on disk, replaying them must give the snapshot's digest.
 */
public final class WalVerifier {
    /** What verify found, per shard. */
    public record ShardReport(int shard, long entries, long lastSequence, List<Long> generations,
            List<Long> snapshots, String digest, List<WalScanner.Problem> problems) {
    }

    private final boolean live;

    /** {@code live}: a running node holds the data dir (its newest generation's end may be in flux). */
    public WalVerifier(boolean live) {
        this.live = live;
    }

    public WalVerifier() {
        this(false);
    }

    /** Verifies every shard of {@code target}; an empty problem list everywhere means clean. */
    public List<ShardReport> verify(WalLayout.Target target, Progress progress) throws IOException {
        List<ShardReport> reports = new ArrayList<>();
        for (Map.Entry<Integer, Path> s : target.shards().entrySet()) {
            reports.add(verifyShard(s.getKey(), s.getValue(), progress));
        }
        return reports;
    }

    public ShardReport verifyShard(int shard, Path dir, Progress progress) throws IOException {
        List<WalScanner.Problem> problems = new ArrayList<>();
        List<Long> snaps = WalLayout.snapshots(dir);
        List<Long> gens = WalLayout.generations(dir);
        // every snapshot on its own
        for (long s : snaps) {
            try {
                SnapshotFile.Contents c = SnapshotFile.read(WalLayout.snapshotFile(dir, s));
                if (c.shard() != shard || c.generation() != s) {
                    problems.add(new WalScanner.Problem(shard, s, -1, -1, "snapshot names shard " + c.shard()
                            + " generation " + c.generation()));
                }
            } catch (WalCorruptException e) {
                problems.add(new WalScanner.Problem(shard, s, -1, -1, e.getMessage()));
            }
        }
        // generations a snapshot already covers but that are still here (a compaction stopped before deleting):
        // replayed from the start (or the snapshot before), they must give the snapshot's digest
        long[] count = {0};
        if (!snaps.isEmpty() && !gens.isEmpty() && gens.get(0) <= snaps.get(snaps.size() - 1)) {
            long s = snaps.get(snaps.size() - 1);
            WalScanner covered = new WalScanner(shard, dir);
            if (live) {
                covered.live();
            }
            covered.scan(false, null, 0, e -> {
                progress.update(++count[0]);
                return e.generation <= s; // the header of generation s+1 (applies nothing) ends the walk
            });
            problems.addAll(covered.problems());
            if (gens.get(0) == 1 && covered.clean()) {
                try {
                    SnapshotFile.Contents c = SnapshotFile.read(WalLayout.snapshotFile(dir, s));
                    String replayed = StoreDigest.of(covered.state());
                    if (!replayed.equals(c.digest())) {
                        problems.add(new WalScanner.Problem(shard, s, -1, -1, "snapshot digest " + c.digest()
                                .substring(0, 16) + "… differs from replaying generations 1.." + s + " ("
                                + replayed.substring(0, 16) + "…)"));
                    }
                } catch (WalCorruptException e) {
                    // reported above
                }
            }
        }
        WalScanner scan = new WalScanner(shard, dir);
        if (live) {
            scan.live();
        }
        scan.scan(true, null, 0, e -> {
            progress.update(++count[0]);
            return true;
        });
        problems.addAll(scan.problems());
        return new ShardReport(shard, scan.entriesRead(), scan.lastSequence(), gens, snaps,
                StoreDigest.of(scan.state()), problems);
    }
}
