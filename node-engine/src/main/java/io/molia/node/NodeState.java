package io.molia.node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.molia.core.CoreCounters;
import io.molia.core.NodeCore;
import io.molia.metrics.NodeMetrics;
import io.molia.session.SessionCounters;
import io.molia.session.SessionManager;
import io.molia.wal.DurableShard;

/**
 * What an operator's view or action may reach inside a running node, handed to the function given to
 * {@link MoliaNode#onLoop}. Valid only during that call, on the protocol loop's thread: a view copies what it
 * needs into immutable values before returning, and never blocks (the loop serves every packet meanwhile).
 */
public final class NodeState implements NodeMetrics.NodeSource {
    private final MoliaNode node;
    private final long nowNs;

    NodeState(MoliaNode node, long nowNs) {
        this.node = node;
        this.nowNs = nowNs;
    }

    /** The time the view is taken at (System.nanoTime, read once). */
    public long nowNs() {
        return nowNs;
    }

    /**
     * Shard 0's core, which owns the routing table: read its tables; change it only through its own operator
     * methods (evict). Its records are shard 0's partition only: every shard's, {@link MoliaNode#onEveryShard}.
     */
    public NodeCore core() {
        return node.shard0().core();
    }

    /** Shard 0's session layer (every shard's sessions: {@link MoliaNode#onEveryShard}). */
    public SessionManager sessions() {
        return node.shard0().shard().sessions();
    }

    /** The routing table is empty: nobody to ask or store on (the node is rejoining through the peers it knew). */
    @Override
    public boolean isolated() {
        return Joining.isolated(core());
    }

    /** Records on every shard (the others' read racily, as a metrics scrape reads them). */
    public int recordCount() {
        return node.recordCount();
    }

    /** Live sessions on every shard. */
    public int sessionCount() {
        return node.sessionCount();
    }

    /** The core's counters plus what the other shards answered themselves (a sum, taken now). */
    public CoreCounters coreCounters() {
        return node.coreCountersOfAllShards();
    }

    /** The session layers' counters summed over every shard. */
    public SessionCounters sessionCounters() {
        return node.sessionCountersOfAllShards();
    }

    /** Each shard's WAL figures (the other shards' read racily), or null when the node runs without a WAL. */
    public List<DurableShard.Status> wal() {
        if (node.wal == null) {
            return null;
        }
        List<DurableShard.Status> all = new ArrayList<>();
        for (int shard = 0; shard < node.wal.shardCount(); shard++) {
            all.add(node.wal.shard(shard).status());
        }
        return all;
    }

    /** The periodic blob stripe check, whose outcome counters the metrics view shows (read racily). */
    public BlobRepairCheck blobRepair() {
        return node.blobRepair();
    }

    /** The identity proof of work this node asks of every contact (--pow-bits). */
    public int powBits() {
        return node.powBits();
    }

    /** Whether an --asn-table was given (the per-AS limiter and table cap apply). */
    public boolean hasAsnTable() {
        return node.hasAsnTable();
    }

    public io.molia.shard.BanList bans() {
        return node.bans;
    }

    public long startedNs() {
        return node.startedNs;
    }

    public long startedUnixMs() {
        return node.startedUnixMs;
    }

    public int shards() {
        return node.config.shards();
    }

    public Path dataDir() {
        return node.config.dataDir();
    }

    public long handovers() {
        return node.handovers();
    }

    public long handoverDrops() {
        return node.handoverDrops();
    }

    @Override
    public long banDroppedDatagrams() {
        return node.bans.droppedDatagrams();
    }

    @Override
    public long egressBytes() {
        return node.egressBytes.sum();
    }

    /** Each shard's figures ({@link io.molia.metrics.NodeFigures}), read racily as a metrics scrape reads them. */
    public List<NodeMetrics.ShardSource> shardSources() {
        return node.shardSources;
    }

    /** Nanoseconds the protocol loop has spent in operator views and changes since the start. */
    @Override
    public long operatorLoopNs() {
        return node.operatorLoopNs;
    }

    @Override
    public io.molia.nat.NatTraversal nat() {
        return core().nat();
    }

    /** The blob figures in the admin {@code metrics} view, as on the Prometheus endpoint (docs/blobs.md). */
    @Override
    public io.molia.blob.BlobTransfers blobTransfers() {
        return core().blobTransfers();
    }

    /** The durations (ns) of the last completed lookups, at most 1024, in no particular order (a copy). */
    public long[] recentLookupNs() {
        return node.recentOperationNs();
    }

    /** The ids of the shards' event-loop threads, by shard (-1 when unknown). */
    public long[] shardThreadIds() {
        return node.shardThreadIds();
    }
}
