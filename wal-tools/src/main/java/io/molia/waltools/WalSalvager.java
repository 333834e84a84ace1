package io.molia.waltools;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.molia.wal.DataDirLock;
import io.molia.wal.SnapshotFile;
import io.molia.wal.StoreDigest;
import io.molia.wal.WalFormat;
import io.molia.wal.WalLayout;
import io.molia.wal.WalScanner;

/**
 * {@code molia wal salvage}: the way forward when recovery refuses a damaged WAL. Per shard, keeps every entry that
 * verifies (the newest valid snapshot, then every valid entry of every generation in order, past any problem, and
 * complete entries found in bytes Chronicle no longer reads), writes that state as one snapshot and a fresh
 * generation, as compaction does, and sets everything else aside in one file (mode 0600): each damaged byte range
 * with its file, offsets, the problem and the bytes themselves, and the sequences no kept entry holds. The damaged
 * {@code wal/} stays beside the result as {@code wal.damaged-STAMP/} until the operator deletes it.
 */
public final class WalSalvager {
    /** What salvage did for one shard. */
    public record ShardResult(int shard, long entriesKept, long entriesFoundInDamage, int records, int peers,
            long lastSequence, String digest, List<WalScanner.Problem> problems, List<WalScanner.Damage> setAside,
            List<long[]> lostSequences) {
        public long bytesSetAside() {
            long n = 0;
            for (WalScanner.Damage d : setAside) {
                n += d.to() - d.from();
            }
            return n;
        }
    }

    /** The result: per shard, and where the set-aside file and the damaged WAL are (null when nothing was done). */
    public record Result(List<ShardResult> shards, Path setAsideFile, Path damagedWal) {
        public boolean clean() {
            return setAsideFile == null;
        }
    }

    /**
     * Salvages the data dir of {@code target} (every shard, whatever part of the data dir was named); holds the data
     * dir's lock throughout. A WAL with no problem is left as it is.
     */
    public Result salvage(WalLayout.Target target, Instant now, Progress progress) throws IOException {
        Path data = target.dataDir();
        WalLayout.Target whole = WalLayout.resolve(data);
        try (DataDirLock held = WalTarget.lock(whole)) {
            List<ShardResult> results = new ArrayList<>();
            List<WalScanner> scans = new ArrayList<>();
            boolean clean = true;
            for (Map.Entry<Integer, Path> s : whole.shards().entrySet()) {
                long[] kept = {0};
                WalScanner scan = new WalScanner(s.getKey(), s.getValue()).salvage().scan(true, null, 0, e -> {
                    progress.update(++kept[0]);
                    kept[0] -= e.type == WalFormat.TYPE_HEADER ? 1 : 0;
                    return true;
                });
                clean &= scan.clean();
                scans.add(scan);
                results.add(new ShardResult(s.getKey(), kept[0] + scan.entriesFoundInDamage(),
                        scan.entriesFoundInDamage(), scan.state().records().size(), scan.state().peers().size(),
                        scan.lastSequence(), StoreDigest.of(scan.state()), List.copyOf(scan.problems()),
                        List.copyOf(scan.damage()), List.copyOf(scan.lostSequences())));
            }
            if (clean) {
                return new Result(results, null, null);
            }
            String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now);
            Path work = data.resolve("wal.salvaging");
            Path damaged = data.resolve("wal.damaged-" + stamp);
            Path setAside = data.resolve("salvage-" + stamp + ".txt");
            if (Files.exists(damaged) || Files.exists(setAside)) {
                throw new IllegalStateException(damaged + " exists: a salvage ran this second; run it again");
            }
            WalCompactor.deleteTree(work);
            int i = 0;
            for (Map.Entry<Integer, Path> s : whole.shards().entrySet()) {
                WalScanner scan = scans.get(i);
                WalCompactor.writeSnapshotAndFreshQueue(s.getKey(), scan, WalCompactor.coveredGeneration(
                        s.getValue(), scan), results.get(i).digest(), work.resolve("shard-" + s.getKey()));
                i++;
            }
            writeSetAside(setAside, data, now, results);
            Path wal = WalLayout.walDir(data);
            Files.move(wal, damaged, StandardCopyOption.ATOMIC_MOVE);
            Files.move(work, wal, StandardCopyOption.ATOMIC_MOVE);
            SnapshotFile.forceDirectory(data);
            return new Result(results, setAside, damaged);
        }
    }

    /**
     * The set-aside file, private to the node's user (0600) like the rest of the data dir: a header saying what was
     * kept and lost, then each damaged range: where it was (file relative to the data dir, byte offsets, shard,
     * generation, Chronicle index), the problem, and its bytes in hex, 32 a line.
     */
    private static void writeSetAside(Path file, Path data, Instant now, List<ShardResult> results)
            throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.WRITE)) {
            w.write("# molia wal salvage of " + data + " at " + now + "\n");
            w.write("# the damaged WAL this came from is kept beside it as wal.damaged-*/ until you delete it\n");
            for (ShardResult r : results) {
                w.write("# shard " + r.shard() + ": " + summary(r) + "\n");
            }
            for (ShardResult r : results) {
                for (WalScanner.Problem p : r.problems()) {
                    w.write("problem: " + p + "\n");
                }
            }
            for (ShardResult r : results) {
                for (WalScanner.Damage d : r.setAside()) {
                    w.write("\nset aside: shard " + r.shard() + " gen " + d.generation() + (d.index() >= 0
                            ? " index 0x" + Long.toHexString(d.index()) : "") + " bytes [" + d.from() + ", " + d.to()
                            + ") of " + data.relativize(d.file()) + (d.kept() > 0 ? " (" + d.kept()
                            + " entries found inside and kept)" : "") + "\nwhy: " + d.why() + "\n");
                    writeHex(w, d.file(), d.from(), d.to());
                }
            }
        }
    }

    private static void writeHex(Writer w, Path file, long from, long to) throws IOException {
        HexFormat hex = HexFormat.of();
        byte[] line = new byte[32];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            for (long at = from; at < to; at += line.length) {
                int n = (int) Math.min(line.length, to - at);
                f.seek(at);
                f.readFully(line, 0, n);
                w.write(String.format("%010d  %s%n", at, hex.formatHex(line, 0, n)));
            }
        }
    }

    /** What was kept and lost, in one line. */
    public static String summary(ShardResult r) {
        StringBuilder lost = new StringBuilder();
        for (long[] l : r.lostSequences()) {
            lost.append(lost.length() == 0 ? "" : ", ").append(l[0] == l[1] ? String.valueOf(l[0]) : l[0] + ".."
                    + l[1]);
        }
        return "kept " + r.entriesKept() + " WAL entr" + (r.entriesKept() == 1 ? "y" : "ies")
                + (r.entriesFoundInDamage() > 0 ? " ("
                + r.entriesFoundInDamage() + " of them found in damaged bytes)" : "") + ": " + r.records()
                + " records, " + r.peers() + " peers, last sequence " + r.lastSequence() + "; set aside "
                + r.setAside().size() + " range" + (r.setAside().size() == 1 ? "" : "s") + " (" + r.bytesSetAside()
                + " bytes); sequences lost: " + (lost.length() == 0 ? "none" : lost) + "; " + r.problems().size()
                + " problem" + (r.problems().size() == 1 ? "" : "s");
    }
}
