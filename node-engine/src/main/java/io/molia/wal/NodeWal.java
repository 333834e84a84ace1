package io.molia.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

import io.molia.core.NodeCore;
import io.molia.core.ShardPartition;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's durable state (DESIGN §3.9): holds the data-dir lock and one {@link DurableShard} per shard. At start
 * every shard dir is recovered in parallel, each on its shard's own thread; a record is restored into the core of
 * the shard that owns its key ({@link ShardPartition}). When the shard count changed since the WAL was written,
 * the records a shard dir holds for another shard move to that shard's WAL (journaled and forced there first);
 * a shard dir beyond the new count is then deleted, and records left behind in a shard dir that still exists are
 * dropped by its next compaction.
 */
public final class NodeWal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeWal.class);

    private final DataDirLock lock;
    private final List<DurableShard> shards;

    private NodeWal(DataDirLock lock, List<DurableShard> shards) {
        this.lock = lock;
        this.shards = shards;
    }

    /**
     * Locks {@code dataDir} and rebuilds every core from the WAL, shard {@code i} on {@code shardThreads.get(i)}
     * (Chronicle appenders belong to the thread that uses them), then journals into it from now on. Throws
     * {@link WalCorruptException} (one line per problem) when the WAL is damaged before its tail, and
     * IllegalStateException when another process holds the data dir.
     */
    public static NodeWal open(Path dataDir, WalOptions options, List<NodeCore> cores, List<Executor> shardThreads,
            long nowNs) throws IOException {
        DataDirLock lock = DataDirLock.acquire(dataDir, "molia node");
        try {
            DurableShard.refuseAnInterruptedRewrite(dataDir);
            return new NodeWal(lock, openShards(dataDir, options, WalClock.system(), cores, shardThreads, nowNs));
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** A node of one shard, opened on this thread (tests, tools). */
    public static NodeWal open(Path dataDir, WalOptions options, NodeCore core, long nowNs) throws IOException {
        return open(dataDir, options, List.of(core), List.of(Runnable::run), nowNs);
    }

    private static List<DurableShard> openShards(Path dataDir, WalOptions options, WalClock clock,
            List<NodeCore> cores, List<Executor> shardThreads, long nowNs) throws IOException {
        int count = cores.size();
        DurableShard.sweepLeftovers(WalLayout.walDir(dataDir));
        List<Integer> beyond = shardDirsFrom(dataDir, count);
        List<CompletableFuture<DurableShard.Recovered>> reading = new ArrayList<>();
        for (int shard = 0; shard < count; shard++) {
            int s = shard;
            reading.add(CompletableFuture.supplyAsync(() -> recover(dataDir, s, clock), shardThreads.get(s)));
        }
        for (int shard : beyond) {
            reading.add(CompletableFuture.completedFuture(recover(dataDir, shard, clock)));
        }
        List<DurableShard.Recovered> read = joinAll(reading);
        OwnerSplit split = new OwnerSplit(cores.get(0).partition(), count, read);
        List<CompletableFuture<DurableShard>> opening = new ArrayList<>();
        for (int shard = 0; shard < count; shard++) {
            int s = shard;
            List<WalState.Peer> peers = cores.get(s).ownsRoutingTable() ? read.get(0).state().peerList() : List.of();
            opening.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new DurableShard(dataDir, options, clock, cores.get(s), read.get(s), split.owned(s), peers,
                            split.movedIn(s), nowNs);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, shardThreads.get(s)));
        }
        List<DurableShard> opened = joinAll(opening);
        for (int shard : beyond) {
            DurableShard.removeAtomically(WalLayout.shardDir(dataDir, shard)); // its records are in their owners' WALs
            LOG.atInfo().addKeyValue("event", "wal.shard_dir_moved").addKeyValue("shard", shard).addKeyValue("shards", count)
                    .log("wal: the node runs fewer shards than wrote this WAL: moved the shard's records and removed it");
        }
        return opened;
    }

    private static DurableShard.Recovered recover(Path dataDir, int shard, WalClock clock) {
        try {
            return DurableShard.recover(dataDir, shard, clock);
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }

    /** Shard dirs numbered {@code count} and above: written by a node that ran more shards. */
    private static List<Integer> shardDirsFrom(Path dataDir, int count) throws IOException {
        List<Integer> out = new ArrayList<>();
        Path wal = WalLayout.walDir(dataDir);
        if (!Files.isDirectory(wal)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(wal)) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString();
                if (Files.isDirectory(dir) && name.matches("shard-\\d+") && WalLayout.shardNumber(dir) >= count) {
                    out.add(WalLayout.shardNumber(dir));
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** Every result, or the first failure as it was thrown (one-line messages stay one line). */
    private static <T> List<T> joinAll(List<CompletableFuture<T>> futures) throws IOException {
        List<T> out = new ArrayList<>();
        RuntimeException failed = null;
        IOException failedIo = null;
        for (CompletableFuture<T> f : futures) {
            try {
                out.add(f.join());
            } catch (CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause instanceof IOException io && failedIo == null && failed == null) {
                    failedIo = io;
                } else if (cause instanceof RuntimeException re && failedIo == null && failed == null) {
                    failed = re;
                } else if (failedIo == null && failed == null) {
                    failed = new IllegalStateException(cause.getMessage(), cause);
                }
            }
        }
        if (failedIo != null) {
            throw failedIo;
        }
        if (failed != null) {
            throw failed;
        }
        return out;
    }

    /** Shard {@code shard}'s durable state (used on that shard's thread). */
    public DurableShard shard(int shard) {
        return shards.get(shard);
    }

    public int shardCount() {
        return shards.size();
    }

    /** Prometheus figures of every shard's WAL (read from any thread). */
    public MetricSnapshots metrics() {
        List<io.prometheus.metrics.model.snapshots.MetricSnapshot> all = new ArrayList<>();
        for (DurableShard s : shards) {
            s.metrics().forEach(all::add);
        }
        return new MetricSnapshots(all);
    }

    /**
     * Closes every shard's queue (each must be idle: its thread stopped) and releases the lock. A shard opened on a
     * thread that stopped is closed here: its queue is not used concurrently any more.
     */
    @Override
    public void close() {
        boolean interrupted = false;
        for (DurableShard s : shards) {
            interrupted |= !s.closeQuietly();
        }
        try {
            lock.close();
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("event", "wal.unlock_failed").addKeyValue("error", e.toString())
                    .log("wal: releasing the data-dir lock failed");
        }
        if (interrupted) {
            Thread.currentThread().interrupt(); // set again only after the lock: an interrupted FileChannel call fails
        }
    }
}
