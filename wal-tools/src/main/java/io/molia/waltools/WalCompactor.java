package io.molia.waltools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.molia.wal.DataDirLock;
import io.molia.wal.PrivateFiles;
import io.molia.wal.ShardWal;
import io.molia.wal.SnapshotFile;
import io.molia.wal.WalClock;
import io.molia.wal.WalLayout;
import io.molia.wal.WalScanner;
import io.molia.wal.WalSync;

/**
 * {@code molia wal compact}: per shard, replays the WAL, writes the result as one snapshot covering every
 * generation so far and starts a fresh queue (the next generation, holding only its header), then replays the
 * result and checks the digest is unchanged. {@code --out DIR} writes a new data dir (the original is untouched;
 * other top-level files such as identity.key are copied); in place, the old {@code wal/} is kept as a backup until
 * the result verified, then deleted. A WAL with problems is not compacted (verify first).
 */
public final class WalCompactor {
    /** The result for one shard. */
    public record ShardResult(int shard, long entriesBefore, long generationCovered, int records, int peers,
            long snapshotBytes, long bytesBefore, long bytesAfter, String digestBefore, String digestAfter,
            double seconds) {
    }

    /** Compacts {@code source} into {@code outDataDir} (a new, empty or absent directory). */
    public List<ShardResult> compactTo(WalLayout.Target source, Path outDataDir, Progress progress)
            throws IOException {
        if (Files.exists(WalLayout.walDir(outDataDir))) {
            throw new IllegalArgumentException("--out " + outDataDir + " already holds a wal/ directory");
        }
        PrivateFiles.createDirectories(outDataDir);
        PrivateFiles.narrow(outDataDir); // it may exist already, made by the operator with the umask's mode
        try (DataDirLock in = WalTarget.lock(source)) {
            List<ShardResult> results = new ArrayList<>();
            for (Map.Entry<Integer, Path> s : source.shards().entrySet()) {
                results.add(compactShard(s.getKey(), s.getValue(), WalLayout.shardDir(outDataDir, s.getKey()),
                        progress));
            }
            copyTopLevelFiles(source.dataDir(), outDataDir);
            return results;
        }
    }

    /**
     * Compacts in place: into {@code wal.compacting/}, then {@code wal/} becomes {@code wal.backup/} and the
     * result becomes {@code wal/}; the backup is deleted only after the result verified with equal digests.
     */
    public List<ShardResult> compactInPlace(WalLayout.Target source, Progress progress) throws IOException {
        Path data = source.dataDir();
        Path work = data.resolve("wal.compacting");
        Path backup = data.resolve("wal.backup");
        if (Files.exists(backup)) {
            throw new IllegalStateException(backup + " exists: an earlier in-place compaction stopped after moving "
                    + "its result into wal/ and before deleting the WAL it replaced (wal.backup/). `molia wal verify "
                    + data + "` checks the result; when clean, delete " + backup + " and compact again");
        }
        try (DataDirLock in = WalTarget.lock(source)) {
            deleteTree(work);
            List<ShardResult> results = new ArrayList<>();
            for (Map.Entry<Integer, Path> s : source.shards().entrySet()) {
                results.add(compactShard(s.getKey(), s.getValue(), work.resolve("shard-" + s.getKey()), progress));
            }
            Path wal = WalLayout.walDir(data);
            Files.move(wal, backup, StandardCopyOption.ATOMIC_MOVE);
            Files.move(work, wal, StandardCopyOption.ATOMIC_MOVE);
            SnapshotFile.forceDirectory(data);
            for (ShardResult r : results) { // the result, where the node will read it, once more
                WalScanner again = new WalScanner(r.shard(), WalLayout.shardDir(data, r.shard()))
                        .scan(true, null, 0, null);
                String digest = io.molia.wal.StoreDigest.of(again.state());
                if (!again.clean() || !digest.equals(r.digestBefore())) {
                    Files.move(wal, work);
                    Files.move(backup, wal);
                    throw new IllegalStateException("shard " + r.shard() + ": the compacted WAL did not verify ("
                            + (again.clean() ? "digest changed" : again.problems().get(0)) + "); original restored");
                }
            }
            deleteTree(backup);
            return results;
        }
    }

    private ShardResult compactShard(int shard, Path in, Path out, Progress progress) throws IOException {
        long t0 = System.nanoTime();
        long[] n = {0};
        WalScanner scan = new WalScanner(shard, in).scan(true, null, 0, e -> {
            progress.update(++n[0]);
            return true;
        });
        if (!scan.clean()) {
            Path data = in.getParent().getParent();
            throw new IllegalStateException("shard " + shard + " has problems, not compacted (compaction keeps every "
                    + "entry or nothing): " + scan.problems().get(0) + (scan.problems().size() > 1 ? "; and "
                    + (scan.problems().size() - 1) + " more" : "") + ". `molia wal verify " + data + "` lists them; "
                    + "`molia wal salvage " + data + "` keeps every entry that verifies and sets the rest aside");
        }
        String before = io.molia.wal.StoreDigest.of(scan.state());
        long covered = coveredGeneration(in, scan);
        long snapBytes = writeSnapshotAndFreshQueue(shard, scan, covered, before, out);
        return new ShardResult(shard, scan.entriesRead(), covered, scan.state().records().size(),
                scan.state().peers().size(), snapBytes, sizeOf(in), sizeOf(out), before, before,
                (System.nanoTime() - t0) / 1e9);
    }

    /** The newest generation the scanned shard dir {@code in} has used: what a snapshot of its state covers. */
    static long coveredGeneration(Path in, WalScanner scan) throws IOException {
        List<Long> gens = WalLayout.generations(in);
        List<Long> snaps = WalLayout.snapshots(in);
        return Math.max(scan.lastGeneration(), Math.max(gens.isEmpty() ? 0 : gens.get(gens.size() - 1),
                snaps.isEmpty() ? 0 : snaps.get(snaps.size() - 1)));
    }

    /**
     * Writes the scanned state into the shard dir {@code out} as one snapshot covering generations 1..covered and a
     * fresh generation after it (holding only its header), then reads the result back: it must scan clean with the
     * digest {@code digest}. Returns the snapshot's size.
     */
    static long writeSnapshotAndFreshQueue(int shard, WalScanner scan, long covered, String digest, Path out)
            throws IOException {
        PrivateFiles.createDirectories(out);
        Path snap = WalLayout.snapshotFile(out, covered);
        long snapBytes = SnapshotFile.write(snap, shard, covered, scan.lastSequence(), System.currentTimeMillis(),
                scan.state(), digest);
        try (ShardWal fresh = new ShardWal(shard, out, WalSync.ALWAYS, WalClock.system(), covered + 1,
                scan.lastSequence() + 1)) {
            assert fresh.generation() == covered + 1;
        }
        WalScanner after = new WalScanner(shard, out).scan(true, null, 0, null);
        // reading the snapshot recomputed its digest from its entries and checked it; nothing follows it
        String digestAfter = after.snapshot() != null && after.state().appliedTotal() == after.entriesRead()
                ? after.snapshot().digest() : io.molia.wal.StoreDigest.of(after.state());
        if (!after.clean() || !digestAfter.equals(digest)) {
            throw new IllegalStateException("shard " + shard + ": the rewritten WAL differs from the state it holds ("
                    + (after.clean() ? "digest " + digestAfter + " != " + digest : after.problems().get(0)) + ")");
        }
        return snapBytes;
    }

    static long sizeOf(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            long total = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    private static void copyTopLevelFiles(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (Files.isRegularFile(p) && !name.equals(WalLayout.LOCK_FILE)) {
                    Files.copy(p, to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
                    PrivateFiles.narrow(to.resolve(name)); // a file an older node left open is not copied so
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
