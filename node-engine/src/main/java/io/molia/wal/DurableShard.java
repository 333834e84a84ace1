package io.molia.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.molia.contact.NodeId;
import io.molia.core.NodeCore;
import io.molia.core.PeerScores;
import io.molia.core.RoutingEntry;
import io.molia.core.store.Republisher;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's durable state (DESIGN §3.9): its core rebuilt from {@code wal/shard-N/}'s latest snapshot plus the
 * WAL tail at start ({@link NodeWal} recovers every shard), every change journaled while the node runs, and
 * compaction on the shard's own schedule.
 *
 * <p>Owned by the shard's thread (Chronicle appenders belong to one thread), except {@link #metrics()} (any thread)
 * and the compaction's file work, which runs on its own thread on data captured on the shard's.
 */
public final class DurableShard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DurableShard.class);

    private final int shard;
    private final Path dataDir;
    private final Path shardDir;
    private final WalOptions options;
    private final WalClock clock;
    private final ShardWal wal;
    private final ExecutorService background;
    private final AtomicBoolean compacting = new AtomicBoolean();
    private final long startupNs;
    private final long entriesReplayed;
    private final int recordsRecovered;
    private final int peersRecovered;
    /** The bans the WAL held at start (the table owner's shard only), for the driver to put back in force. */
    private final List<WalState.Ban> bansRecovered;
    /** The bans in force now, captured at compaction (set by the driver that owns them; none by default). */
    private Supplier<List<WalState.Ban>> banSource = List::of;
    private volatile long compactions;
    private volatile long lastCompactionNs;
    /** When the last compaction finished (System.nanoTime), or 0: none since start. */
    private volatile long lastCompactionAtNs;
    private volatile long lastSnapshotBytes;
    private long lastCompactionMonoNs;
    private long appendedAtLastCompaction;

    /** What {@link #recover} read of one shard dir, before it is applied to a core. */
    record Recovered(int shard, WalState state, long lastSequence, long entriesRead, long startupNs) {
    }

    /**
     * Reads {@code wal/shard-N/}: its snapshot and the entries after it. A torn tail (never acknowledged) is set
     * aside; damage before the tail is refused with {@link WalCorruptException}. File work only: any thread.
     */
    static Recovered recover(Path dataDir, int shard, WalClock clock) throws IOException {
        long t0 = System.nanoTime();
        Path shardDir = WalLayout.shardDir(dataDir, shard);
        PrivateFiles.createDirectories(shardDir);
        sweepLeftovers(shardDir);
        WalScanner scan = new WalScanner(shard, shardDir).scan(true, null, 0, null);
        if (!scan.clean()) {
            if (!scan.problemsOnlyAtTail()) {
                throw new WalCorruptException(refusal(dataDir, scan));
            }
            for (WalScanner.Problem p : scan.problems()) {
                LOG.atWarn().addKeyValue("event", "wal.torn_tail").addKeyValue("shard", p.shard()).addKeyValue("generation", p.generation())
                        .addKeyValue("index", "0x" + Long.toHexString(p.index())).addKeyValue("problem",
                                p.message()).log("wal: torn tail (never acknowledged); set aside, state kept "
                                        + "up to sequence " + scan.lastSequence());
            }
            setAsideTornTail(shardDir, shard, scan, clock);
        }
        if (scan.emptyLastGeneration() > 0) {
            removeAtomically(WalLayout.generationDir(shardDir, scan.emptyLastGeneration()));
            LOG.atInfo().addKeyValue("event", "wal.empty_generation_removed").addKeyValue("shard", shard).addKeyValue("generation", scan.emptyLastGeneration())
                    .log("wal: removed an empty generation (a start or compaction was killed as it began it)");
        }
        return new Recovered(shard, scan.state(), scan.lastSequence(), scan.entriesRead(), System.nanoTime() - t0);
    }

    /**
     * Restores {@code owned} (the records, mutable records and providers this shard owns, from its own dir and from
     * any other shard dir that held them: {@link OwnerSplit}) and, on the routing table's owner, {@code peers} into
     * {@code core}; opens the next generation; journals {@code movedIn} (what of it another shard dir held: the shard
     * count changed) and then every later change of {@code core}. On the shard's thread.
     */
    DurableShard(Path dataDir, WalOptions options, WalClock clock, NodeCore core, Recovered own, WalState owned,
            List<WalState.Peer> peers, WalState movedIn, long nowNs) throws IOException {
        long t0 = System.nanoTime();
        this.shard = own.shard();
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "molia-wal-compact-" + shard);
            t.setDaemon(true);
            return t;
        });
        this.dataDir = dataDir;
        this.options = options;
        this.clock = clock;
        this.shardDir = WalLayout.shardDir(dataDir, shard);
        for (var e : owned.records().entrySet()) {
            WalState.Record r = e.getValue();
            core.records().restore(e.getKey(), r.value(), clock.toMonoNs(r.storedWallMs()),
                    clock.toMonoNs(r.expiresWallMs()));
        }
        for (WalState.Mutable m : owned.mutables().values()) {
            core.recordRequests().mutables().restore(m.record(), clock.toMonoNs(m.storedWallMs()),
                    clock.toMonoNs(m.expiresWallMs()));
        }
        for (WalState.Provider p : owned.providerList()) {
            core.recordRequests().providers().restore(p.key(), p.record(), p.announcement(),
                    clock.toMonoNs(p.storedWallMs()), clock.toMonoNs(p.expiresWallMs()));
        }
        for (WalState.Republish r : own.state().republishList()) { // journaled by the core that published it
            core.republisher().restore(new Republisher.Scheduled(new Republisher.Due(r.key(), r.provider(),
                    r.mutable()), clock.toMonoNs(r.publishedWallMs()), clock.toMonoNs(r.nextWallMs())));
        }
        if (core.ownsRoutingTable()) { // before the peers: a low scorer is not let back in
            PeerScores scores = core.routingTable().scores();
            for (WalState.Behaviour b : own.state().behaviours().values()) {
                scores.restore(b.id(), clock.toMonoNs(b.updatedWallMs()), b.counts());
            }
            scores.advance(nowNs);
        }
        this.bansRecovered = core.ownsRoutingTable() ? own.state().bans() : List.of();
        io.molia.blob.BlobTransfers blobs = core.blobTransfers();
        if (blobs != null) { // journaled by the owner only, so read from its own dir whatever the shard count was
            for (byte[] object : own.state().blobs().values()) {
                blobs.store().accept(object, nowNs); // a full TTL from the start; checked again, as when pushed: a bad one is refused and counted
            }
        }
        int restoredPeers = 0;
        for (WalState.Peer p : peers) {
            core.addTrustedContact(nowNs, p.contact(), -1);
            if (core.routingTable().entry(p.contact().id()) != null) {
                core.routingTable().restoreFailures(p.contact().id(), p.failures());
                restoredPeers++;
            }
        }
        this.recordsRecovered = owned.records().size();
        this.peersRecovered = restoredPeers;
        this.entriesReplayed = own.entriesRead();
        this.wal = new ShardWal(shard, shardDir, options.sync(), clock, lastGenerationOnDisk() + 1,
                own.lastSequence() + 1);
        for (var e : movedIn.records().entrySet()) {
            WalState.Record r = e.getValue();
            wal.onRecordPut(e.getKey(), r.value(), clock.toMonoNs(r.storedWallMs()),
                    clock.toMonoNs(r.expiresWallMs()));
        }
        for (WalState.Mutable m : movedIn.mutables().values()) {
            wal.onMutablePut(m.record().key(), m.record(), clock.toMonoNs(m.storedWallMs()),
                    clock.toMonoNs(m.expiresWallMs()));
        }
        for (WalState.Provider p : movedIn.providerList()) {
            wal.onProviderPut(p.key(), p.record(), p.announcement(), clock.toMonoNs(p.storedWallMs()),
                    clock.toMonoNs(p.expiresWallMs()));
        }
        int movedCount = movedIn.records().size() + movedIn.mutables().size() + movedIn.providerList().size();
        if (movedCount > 0) {
            wal.force(); // before the dir that held them is deleted
        }
        core.journal(wal);
        if (blobs != null) {
            core.blobJournal(wal);
        }
        this.startupNs = own.startupNs() + System.nanoTime() - t0;
        this.lastCompactionMonoNs = nowNs;
        LOG.atInfo().addKeyValue("event", "wal.recovered").addKeyValue("shard", shard).addKeyValue("entries_replayed", entriesReplayed)
                .addKeyValue("records", recordsRecovered).addKeyValue("records_moved_in", movedCount)
                .addKeyValue("peers", peersRecovered).addKeyValue("startup_ms", startupNs / 1_000_000)
                .addKeyValue("generation", wal.generation()).addKeyValue("sync", options.sync().name().toLowerCase())
                .log("wal recovered");
    }

    /**
     * {@code molia wal compact --in-place} and {@code salvage} write the new WAL beside {@code wal/}, verify it, then
     * rename {@code wal/} away and the new one into place. Stopped between the two renames, {@code wal/} is missing:
     * starting would begin an empty WAL and serve nothing of what the new one holds.
     */
    static void refuseAnInterruptedRewrite(Path dataDir) throws WalCorruptException {
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
        return lastGenerationOnDisk(shardDir);
    }

    private static long lastGenerationOnDisk(Path shardDir) throws IOException {
        List<Long> gens = WalLayout.generations(shardDir);
        List<Long> snaps = WalLayout.snapshots(shardDir);
        long g = gens.isEmpty() ? 0 : gens.get(gens.size() - 1);
        return Math.max(g, snaps.isEmpty() ? 0 : snaps.get(snaps.size() - 1));
    }

    /**
     * A torn tail: snapshot what was recovered as the state of every generation so far, verify it, move the torn
     * generation aside as {@code torn-N} (evidence for the operator) and delete the ones the snapshot covers.
     */
    private static void setAsideTornTail(Path shardDir, int shard, WalScanner scan, WalClock clock)
            throws IOException {
        long last = lastGenerationOnDisk(shardDir);
        Path snap = WalLayout.snapshotFile(shardDir, last);
        SnapshotFile.write(snap, shard, last, scan.lastSequence(), clock.nowWallMs(), scan.state());
        SnapshotFile.read(snap);
        for (long g : WalLayout.generations(shardDir)) {
            Path dir = WalLayout.generationDir(shardDir, g);
            if (g == last) {
                Files.move(dir, shardDir.resolve(String.format("torn-%08d", g)));
            } else {
                removeAtomically(dir);
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
                LOG.atInfo().addKeyValue("event", "wal.compacted").addKeyValue("shard", shard).addKeyValue("generation", covered)
                        .addKeyValue("records", c.records()).addKeyValue("peers", c.peers())
                        .addKeyValue("snapshot_bytes", c.snapshotBytes()).addKeyValue("loop_us", captureNs / 1_000)
                        .addKeyValue("ms", c.millis()).log("wal compacted");
                return c;
            } catch (IOException e) {
                LOG.atError().addKeyValue("event", "wal.compaction_failed").addKeyValue("shard", shard).addKeyValue("generation", covered)
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
        long bytes = SnapshotFile.write(snap, shard, covered, lastSeq, clock.nowWallMs(), state);
        SnapshotFile.Contents check = SnapshotFile.read(snap); // verified before anything it covers is deleted
        if (check.lastSequence() != lastSeq || check.state().records().size() != state.records().size()) {
            throw new WalCorruptException(snap.getFileName() + ": read back differs from what was written");
        }
        long deleted = 0;
        for (long g : WalLayout.generations(shardDir)) {
            if (g <= covered) {
                removeAtomically(WalLayout.generationDir(shardDir, g));
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
        core.recordRequests().mutables().view().values().forEach(h -> s.putMutable(new WalState.Mutable(h.record(),
                clock.toWallMs(h.storedNs()), clock.toWallMs(h.expiresNs()))));
        core.recordRequests().providers().forEach((key, e) -> s.putProvider(new WalState.Provider(key, e.record(),
                e.announcement(), clock.toWallMs(e.storedNs()), clock.toWallMs(e.expiresNs()))));
        for (int b = 0; core.ownsRoutingTable() && b < NodeId.BITS; b++) {
            for (RoutingEntry e : core.routingTable().bucketEntries(b)) {
                s.putPeer(e.contact(), e.failures());
            }
        }
        if (core.ownsRoutingTable()) {
            for (PeerScores.Snapshot p : core.routingTable().scores().all()) {
                s.putBehaviour(new WalState.Behaviour(p.id(), clock.toWallMs(p.updatedNs()), p.counts()));
            }
        }
        for (WalState.Ban ban : banSource.get()) {
            s.putBan(ban);
        }
        if (core.blobTransfers() != null) {
            core.blobTransfers().store().forEach(s::putBlob);
        }
        for (Republisher.Scheduled r : core.republisher().entries()) {
            s.putRepublish(new WalState.Republish(r.due().key(), r.due().provider(), r.due().mutable(),
                    clock.toWallMs(r.publishedNs()), clock.toWallMs(r.nextNs())));
        }
        return s;
    }

    /**
     * {@code core}'s records as the store digest ({@link StoreDigest}) reads them, copied on the shard's thread: a
     * node's digest is that of every shard's records together.
     */
    public WalState recordsForDigest(NodeCore core) {
        WalState s = new WalState();
        core.records().forEach((k, r) -> s.putRecord(k, new WalState.Record(r.value(), 0, clock.toWallMs(
                r.expiresNs()))));
        return s;
    }

    private static final String REMOVING = "removing-";

    /**
     * Deletes {@code dir} so that a kill midway leaves no half of it under its own name: it is renamed first (one
     * atomic step), then deleted. A generation dir half deleted under its name read as an empty generation, and
     * {@code molia wal verify} reported the next generation's first sequence as a gap (WalKillIT, killed as a
     * compaction deleted what its snapshot covered). {@link #sweepLeftovers} finishes what a kill left.
     */
    static void removeAtomically(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Path doomed = dir.resolveSibling(REMOVING + dir.getFileName());
        deleteTree(doomed); // an earlier removal of the same name that a kill stopped
        Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(doomed);
    }

    /**
     * Deletes what a kill left in {@code parent}: removals it stopped, and snapshots it stopped before they were
     * complete ({@code .snap.tmp}, never read: the generations they would have covered are all still there).
     */
    static void sweepLeftovers(Path parent) throws IOException {
        if (!Files.isDirectory(parent)) {
            return;
        }
        List<Path> left;
        try (Stream<Path> s = Files.list(parent)) {
            left = s.filter(p -> p.getFileName().toString().startsWith(REMOVING)
                    || p.getFileName().toString().endsWith(SnapshotFile.UNFINISHED_SUFFIX)).toList();
        }
        for (Path p : left) {
            deleteTree(p);
        }
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
        return new Status(shard, options.sync(), wal.generation(), wal.nextSequence(), wal.appended(),
                wal.bytesAppended(), wal.syncs(), wal.appendFailures(), compactions, lastCompactionAtNs,
                lastCompactionNs, lastSnapshotBytes, entriesReplayed, startupNs, recordsRecovered, peersRecovered);
    }

    /** Prometheus figures of the WAL (read from any thread). */
    public MetricSnapshots metrics() {
        Labels labels = Labels.of("shard", String.valueOf(shard));
        List<io.prometheus.metrics.model.snapshots.MetricSnapshot> all = new ArrayList<>();
        all.add(gauge("molia_wal_startup_seconds", "Time the last start spent rebuilding state from the WAL", labels,
                startupNs / 1e9));
        all.add(gauge("molia_wal_entries_replayed", "Entries replayed at the last start", labels, entriesReplayed));
        all.add(gauge("molia_wal_records_recovered", "Records recovered at the last start", labels,
                recordsRecovered));
        all.add(gauge("molia_wal_generation", "Current WAL generation", labels, wal.generation()));
        all.add(counter("molia_wal_entries_appended", "Entries appended since start", labels, wal.appended()));
        all.add(counter("molia_wal_append_failures", "Appends the queue refused (writes refused)", labels,
                wal.appendFailures()));
        all.add(counter("molia_wal_syncs", "Explicit syncs to disk", labels, wal.syncs()));
        all.add(counter("molia_wal_bytes_appended", "Entry bytes appended since start", labels, wal.bytesAppended()));
        all.add(counter("molia_wal_compactions", "Compactions completed", labels, compactions));
        all.add(gauge("molia_wal_last_compaction_seconds", "Duration of the last compaction", labels,
                lastCompactionNs / 1e9));
        all.add(gauge("molia_wal_snapshot_bytes", "Size of the last snapshot written", labels, lastSnapshotBytes));
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

    /** The clock this shard converts journaled wall-clock times with. */
    public WalClock clock() {
        return clock;
    }

    /** The bans the WAL held at start, expired ones included (the caller skips those). */
    public List<WalState.Ban> bansRecovered() {
        return bansRecovered;
    }

    /**
     * Where compaction reads the bans in force (on this shard's thread, which must own them): without it a
     * compaction would drop the journaled bans.
     */
    public void banSource(Supplier<List<WalState.Ban>> source) {
        this.banSource = source;
    }

    public int peersRecovered() {
        return peersRecovered;
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * Closes the queue (forcing it under batch/always) and waits for a running compaction; false when interrupted
     * meanwhile (the caller sets the flag again once it released the data-dir lock).
     */
    boolean closeQuietly() {
        wal.close();
        background.shutdown();
        try {
            background.awaitTermination(30, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (!closeQuietly()) {
            Thread.currentThread().interrupt();
        }
    }
}
