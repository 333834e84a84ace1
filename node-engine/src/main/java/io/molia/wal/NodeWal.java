package io.molia.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.molia.contact.NodeId;
import io.molia.core.NodeCore;
import io.molia.core.RoutingEntry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's durable state (DESIGN §3.9): holds the data-dir lock, rebuilds shard 0's core from its latest snapshot
 * plus the WAL tail at start, journals every change while the node runs, compacts on a timer. Only shard 0 holds
 * protocol state today, so only {@code wal/shard-0/} is written; the layout is per shard already.
 *
 * <p>Owned by the protocol loop (shard 0), except {@link #metrics()} (any thread) and the compaction's file work,
 * which runs on its own thread on data captured on the loop.
 */
public final class NodeWal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeWal.class);
    private static final int SHARD = 0;

    private final Path dataDir;
    private final Path shardDir;
    private final WalOptions options;
    private final WalClock clock;
    private final DataDirLock lock;
    private final ShardWal wal;
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "molia-wal-compact");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean compacting = new AtomicBoolean();
    private final long startupNs;
    private final long entriesReplayed;
    private final int recordsRecovered;
    private final int peersRecovered;
    private volatile long compactions;
    private volatile long lastCompactionNs;
    /** When the last compaction finished (System.nanoTime), or 0: none since start. */
    private volatile long lastCompactionAtNs;
    private volatile long lastSnapshotBytes;
    private long lastCompactionMonoNs;
    private long appendedAtLastCompaction;

    private NodeWal(Path dataDir, WalOptions options, NodeCore core, long nowNs, WalClock clock) throws IOException {
        long t0 = System.nanoTime();
        this.dataDir = dataDir;
        this.options = options;
        this.clock = clock;
        this.shardDir = WalLayout.shardDir(dataDir, SHARD);
        this.lock = DataDirLock.acquire(dataDir, "molia node");
        try {
            refuseAnInterruptedRewrite(dataDir);
            PrivateFiles.createDirectories(shardDir);
            WalScanner scan = new WalScanner(SHARD, shardDir).scan(true, null, 0, null);
            if (!scan.clean()) {
                if (!scan.problemsOnlyAtTail()) {
                    throw new WalCorruptException(refusal(dataDir, scan));
                }
                for (WalScanner.Problem p : scan.problems()) {
                    LOG.atWarn().addKeyValue("event", "wal.torn_tail")
                            .addKeyValue("shard", p.shard()).addKeyValue("generation", p.generation())
                            .addKeyValue("index", "0x" + Long.toHexString(p.index())).addKeyValue("problem",
                                    p.message()).log("wal: torn tail (never acknowledged); set aside, state kept "
                                            + "up to sequence " + scan.lastSequence());
                }
                setAsideTornTail(scan);
            }
            WalState state = scan.state();
            for (var e : state.records().entrySet()) {
                WalState.Record r = e.getValue();
                core.records().restore(e.getKey(), r.value(), clock.toMonoNs(r.storedWallMs()),
                        clock.toMonoNs(r.expiresWallMs()));
            }
            int peers = 0;
            for (WalState.Peer p : state.peerList()) {
                core.addTrustedContact(nowNs, p.contact(), -1);
                if (core.routingTable().entry(p.contact().id()) != null) {
                    core.routingTable().restoreFailures(p.contact().id(), p.failures());
                    peers++;
                }
            }
            this.recordsRecovered = state.records().size();
            this.peersRecovered = peers;
            this.entriesReplayed = scan.entriesRead();
            if (scan.emptyLastGeneration() > 0) {
                deleteTree(WalLayout.generationDir(shardDir, scan.emptyLastGeneration()));
                LOG.atInfo().addKeyValue("event", "wal.empty_generation_removed")
                        .addKeyValue("shard", SHARD).addKeyValue("generation", scan.emptyLastGeneration())
                        .log("wal: removed an empty generation (a start or compaction was killed as it began it)");
            }
            long nextGen = lastGenerationOnDisk() + 1;
            this.wal = new ShardWal(SHARD, shardDir, options.sync(), clock, nextGen, scan.lastSequence() + 1);
            core.journal(wal);
        } catch (IOException | RuntimeException e) {
            lock.close();
            background.shutdownNow();
            throw e;
        }
        this.startupNs = System.nanoTime() - t0;
        this.lastCompactionMonoNs = nowNs;
        LOG.atInfo().addKeyValue("event", "wal.recovered")
                .addKeyValue("shard", SHARD).addKeyValue("entries_replayed", entriesReplayed)
                .addKeyValue("records", recordsRecovered).addKeyValue("peers", peersRecovered)
                .addKeyValue("startup_ms", startupNs / 1_000_000).addKeyValue("generation", wal.generation())
                .addKeyValue("sync", options.sync().name().toLowerCase()).log("wal recovered");
    }

    /**
     * Locks {@code dataDir}, rebuilds {@code core} from the WAL and journals into it from now on. Throws
     * {@link WalCorruptException} (one line per problem) when the WAL is damaged before its tail, and
     * IllegalStateException when another process holds the data dir.
     */
    public static NodeWal open(Path dataDir, WalOptions options, NodeCore core, long nowNs) throws IOException {
        return new NodeWal(dataDir, options, core, nowNs, WalClock.system());
    }

    /**
     * {@code molia wal compact --in-place} and {@code salvage} write the new WAL beside {@code wal/}, verify it, then
     * rename {@code wal/} away and the new one into place. Stopped between the two renames, {@code wal/} is missing:
     * starting would begin an empty WAL and serve nothing of what the new one holds.
     */
    private static void refuseAnInterruptedRewrite(Path dataDir) throws WalCorruptException {
        if (Files.exists(WalLayout.walDir(dataDir))) {
            return;
        }
        Path before = dataDir.resolve("wal.backup");
        if (Files.isDirectory(before)) { // the compaction's result may have failed its check as it was moved back
            throw new WalCorruptException("refusing to start: " + dataDir + "/wal is missing and " + before + " holds "
                    + "the WAL as it was before an in-place compaction that stopped between its renames: rename it to "
                    + WalLayout.walDir(dataDir) + " and start");
        }
        for (String name : List.of("wal.compacting", "wal.salvaging")) {
            if (Files.isDirectory(dataDir.resolve(name))) {
                throw new WalCorruptException("refusing to start: " + dataDir + "/wal is missing and " + name
                        + "/ holds the verified result of an in-place compaction or salvage stopped before it was renamed into "
                        + "place: rename " + dataDir.resolve(name) + " to " + WalLayout.walDir(dataDir) + " and start");
            }
        }
    }

    /**
     * One line: the rule that refused (recovery sets aside only a torn tail, see docs/wal-format.md), the problems,
     * and the way forward.
     */
    private static String refusal(Path dataDir, WalScanner scan) {
        List<WalScanner.Problem> problems = scan.problems();
        StringBuilder b = new StringBuilder("refusing to start: the WAL has ").append(scan.refusalRule())
                .append(", which recovery does not set aside: ");
        for (int i = 0; i < Math.min(3, problems.size()); i++) {
            b.append(i == 0 ? "" : "; ").append(problems.get(i));
        }
        if (problems.size() > 3) {
            b.append("; and ").append(problems.size() - 3).append(" more");
        }
        return b.append(". `molia wal verify ").append(dataDir).append("` lists every problem; `molia wal salvage ")
                .append(dataDir).append("` keeps every entry that verifies, sets the rest aside in a file and says "
                        + "what was lost, then the node starts").toString();
    }

    private long lastGenerationOnDisk() throws IOException {
        List<Long> gens = WalLayout.generations(shardDir);
        List<Long> snaps = WalLayout.snapshots(shardDir);
        long g = gens.isEmpty() ? 0 : gens.get(gens.size() - 1);
        return Math.max(g, snaps.isEmpty() ? 0 : snaps.get(snaps.size() - 1));
    }

    /**
     * A torn tail: snapshot what was recovered as the state of every generation so far, verify it, move the torn
     * generation aside as {@code torn-N} (evidence for the operator) and delete the ones the snapshot covers.
     */
    private void setAsideTornTail(WalScanner scan) throws IOException {
        long last = lastGenerationOnDisk();
        Path snap = WalLayout.snapshotFile(shardDir, last);
        SnapshotFile.write(snap, SHARD, last, scan.lastSequence(), clock.nowWallMs(), scan.state());
        SnapshotFile.read(snap);
        for (long g : WalLayout.generations(shardDir)) {
            Path dir = WalLayout.generationDir(shardDir, g);
            if (g == last) {
                Files.move(dir, shardDir.resolve(String.format("torn-%08d", g)));
            } else {
                deleteTree(dir);
            }
        }
        for (long s : WalLayout.snapshots(shardDir)) {
            if (s < last) {
                Files.deleteIfExists(WalLayout.snapshotFile(shardDir, s));
            }
        }
        SnapshotFile.forceDirectory(shardDir);
    }

    /** The journal the core writes to. */
    public ShardWal journal() {
        return wal;
    }

    /** Call before an event-loop turn's datagrams are transmitted (group commit under {@code --wal-sync batch}). */
    public void beforeTransmit() {
        wal.beforeTransmit();
    }

    /** Call from the loop's timer: compacts when the interval passed and enough entries accumulated. */
    public void onTimer(long nowNs, NodeCore core) {
        long everyNs = options.compactEvery().toNanos();
        if (everyNs == 0 || nowNs - lastCompactionMonoNs < everyNs) {
            return;
        }
        lastCompactionMonoNs = nowNs;
        if (wal.appended() - appendedAtLastCompaction >= options.compactMinEntries()) {
            compact(core);
        }
    }

    /** What one compaction did. */
    public record Compaction(long generation, long lastSequence, int records, int peers, long snapshotBytes,
            long deletedGenerations, long millis, String digest) {
    }

    /**
     * Compacts now: on the loop, captures the state and starts the next generation; on the background thread,
     * writes the snapshot of every earlier generation, verifies it, then deletes what it covers. Completes with
     * null when a compaction is already running.
     */
    public CompletableFuture<Compaction> compact(NodeCore core) {
        if (!compacting.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        long t0 = System.nanoTime();
        WalState state = capture(core);
        long covered = wal.generation();
        long lastSeq = wal.nextSequence() - 1;
        try {
            wal.startGeneration(covered + 1);
        } catch (IOException | RuntimeException e) {
            compacting.set(false);
            return CompletableFuture.failedFuture(e);
        }
        appendedAtLastCompaction = wal.appended();
        long captureNs = System.nanoTime() - t0;
        return CompletableFuture.supplyAsync(() -> {
            try {
                Compaction c = writeSnapshotAndDelete(state, covered, lastSeq, t0);
                compactions++;
                lastCompactionAtNs = System.nanoTime();
                lastCompactionNs = lastCompactionAtNs - t0;
                lastSnapshotBytes = c.snapshotBytes();
                LOG.atInfo().addKeyValue("event", "wal.compacted")
                        .addKeyValue("shard", SHARD).addKeyValue("generation", covered)
                        .addKeyValue("records", c.records()).addKeyValue("peers", c.peers())
                        .addKeyValue("snapshot_bytes", c.snapshotBytes()).addKeyValue("loop_us", captureNs / 1_000)
                        .addKeyValue("ms", c.millis()).log("wal compacted");
                return c;
            } catch (IOException e) {
                LOG.atError().addKeyValue("event", "wal.compaction_failed")
                        .addKeyValue("shard", SHARD).addKeyValue("generation", covered)
                        .log("wal compaction failed, nothing deleted: " + e.getMessage());
                throw new java.io.UncheckedIOException(e);
            } finally {
                compacting.set(false);
            }
        }, background);
    }

    private Compaction writeSnapshotAndDelete(WalState state, long covered, long lastSeq, long t0)
            throws IOException {
        Path snap = WalLayout.snapshotFile(shardDir, covered);
        long bytes = SnapshotFile.write(snap, SHARD, covered, lastSeq, clock.nowWallMs(), state);
        SnapshotFile.Contents check = SnapshotFile.read(snap); // verified before anything it covers is deleted
        if (check.lastSequence() != lastSeq || check.state().records().size() != state.records().size()) {
            throw new WalCorruptException(snap.getFileName() + ": read back differs from what was written");
        }
        long deleted = 0;
        for (long g : WalLayout.generations(shardDir)) {
            if (g <= covered) {
                deleteTree(WalLayout.generationDir(shardDir, g));
                deleted++;
            }
        }
        for (long s : WalLayout.snapshots(shardDir)) {
            if (s < covered) {
                Files.deleteIfExists(WalLayout.snapshotFile(shardDir, s));
            }
        }
        SnapshotFile.forceDirectory(shardDir);
        return new Compaction(covered, lastSeq, state.records().size(), state.peers().size(), bytes, deleted,
                (System.nanoTime() - t0) / 1_000_000, check.digest());
    }

    /** The durable state of {@code core} as the WAL describes it (records with wall-clock times, peers). */
    public WalState capture(NodeCore core) {
        WalState s = new WalState();
        core.records().forEach((k, r) -> s.putRecord(k, new WalState.Record(r.value(), clock.toWallMs(r.storedNs()),
                clock.toWallMs(r.expiresNs()))));
        for (int b = 0; b < NodeId.BITS; b++) {
            for (RoutingEntry e : core.routingTable().bucketEntries(b)) {
                s.putPeer(e.contact(), e.failures());
            }
        }
        return s;
    }

    /** The store digest ({@link StoreDigest}) of {@code core}'s records: captured on the loop, hashed off it. */
    public CompletableFuture<String> storeDigest(NodeCore core) {
        WalState s = new WalState();
        core.records().forEach((k, r) -> s.putRecord(k, new WalState.Record(r.value(), 0, clock.toWallMs(
                r.expiresNs()))));
        return CompletableFuture.supplyAsync(() -> StoreDigest.of(s), background);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = new ArrayList<>(s.toList());
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    /** What an operator sees of the WAL (the admin socket's view), read on the protocol loop. */
    public record Status(int shard, WalSync sync, long generation, long nextSequence, long appended,
            long bytesAppended, long syncs, long appendFailures, long compactions, long lastCompactionAtNs,
            long lastCompactionNs, long snapshotBytes, long entriesReplayed, long startupNs, int recordsRecovered,
            int peersRecovered) {
    }

    public Status status() {
        return new Status(SHARD, options.sync(), wal.generation(), wal.nextSequence(), wal.appended(),
                wal.bytesAppended(), wal.syncs(), wal.appendFailures(), compactions, lastCompactionAtNs,
                lastCompactionNs, lastSnapshotBytes, entriesReplayed, startupNs, recordsRecovered, peersRecovered);
    }

    /** Prometheus figures of the WAL (read from any thread). */
    public MetricSnapshots metrics() {
        Labels shard = Labels.of("shard", String.valueOf(SHARD));
        List<io.prometheus.metrics.model.snapshots.MetricSnapshot> all = new ArrayList<>();
        all.add(gauge("molia_wal_startup_seconds", "Time the last start spent rebuilding state from the WAL", shard,
                startupNs / 1e9));
        all.add(gauge("molia_wal_entries_replayed", "Entries replayed at the last start", shard, entriesReplayed));
        all.add(gauge("molia_wal_records_recovered", "Records recovered at the last start", shard,
                recordsRecovered));
        all.add(gauge("molia_wal_generation", "Current WAL generation", shard, wal.generation()));
        all.add(counter("molia_wal_entries_appended", "Entries appended since start", shard, wal.appended()));
        all.add(counter("molia_wal_append_failures", "Appends the queue refused (writes refused)", shard,
                wal.appendFailures()));
        all.add(counter("molia_wal_syncs", "Explicit syncs to disk", shard, wal.syncs()));
        all.add(counter("molia_wal_bytes_appended", "Entry bytes appended since start", shard, wal.bytesAppended()));
        all.add(counter("molia_wal_compactions", "Compactions completed", shard, compactions));
        all.add(gauge("molia_wal_last_compaction_seconds", "Duration of the last compaction", shard,
                lastCompactionNs / 1e9));
        all.add(gauge("molia_wal_snapshot_bytes", "Size of the last snapshot written", shard, lastSnapshotBytes));
        return new MetricSnapshots(all);
    }

    private static GaugeSnapshot gauge(String name, String help, Labels labels, double v) {
        return GaugeSnapshot.builder().name(name).help(help).dataPoint(
                GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(v).build()).build();
    }

    private static CounterSnapshot counter(String name, String help, Labels labels, double v) {
        return CounterSnapshot.builder().name(name).help(help).dataPoint(
                CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(v).build()).build();
    }

    public long entriesReplayed() {
        return entriesReplayed;
    }

    public long startupNanos() {
        return startupNs;
    }

    public int recordsRecovered() {
        return recordsRecovered;
    }

    public int peersRecovered() {
        return peersRecovered;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Closes the queue (forcing it under batch/always), waits for a running compaction, releases the lock. */
    @Override
    public void close() {
        wal.close();
        background.shutdown();
        boolean interrupted = false;
        try {
            background.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            interrupted = true; // set again only after the lock: an interrupted thread's FileChannel call fails
        }
        try {
            lock.close();
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("event", "wal.unlock_failed").addKeyValue("error", e.toString())
                    .log("wal: releasing the data-dir lock failed");
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
