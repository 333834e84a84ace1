package io.molia.node;

import java.nio.file.Path;
import java.util.List;

import io.molia.core.CoreCounters;
import io.molia.core.NodeCore;
import io.molia.metrics.NodeMetrics;
import io.molia.session.SessionCounters;
import io.molia.session.SessionManager;

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

    /** The protocol core: read its tables; change it only through its own operator methods (evict). */
    public NodeCore core() {
        return node.core;
    }

    /** Shard 0's session layer (the other shards' sessions: {@link MoliaNode#onServingShards}). */
    public SessionManager sessions() {
        return node.sessions;
    }

    /** The routing table is empty: nobody to ask or store on (the node is rejoining through the peers it knew). */
    @Override
    public boolean isolated() {
        return Joining.isolated(node.core);
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

    /** The WAL's figures, or null when the node runs without one. */
    public io.molia.wal.NodeWal.Status wal() {
        return node.wal == null ? null : node.wal.status();
    }

    public BanList bans() {
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

    /** Each shard's figures ({@link io.molia.metrics.NodeFigures}), read racily as a metrics scrape reads them. */
    public List<NodeMetrics.ShardSource> shardSources() {
        return node.shardSources;
    }

    /** Nanoseconds the protocol loop has spent in operator views and changes since the start. */
    @Override
    public long operatorLoopNs() {
        return node.operatorLoopNs;
    }

    /** The durations (ns) of the last completed lookups, at most 1024, in no particular order (a copy). */
    public long[] recentLookupNs() {
        int n = (int) Math.min(node.lookupsCompleted, MoliaNode.RECENT_LOOKUPS);
        return java.util.Arrays.copyOf(node.recentLookupNs, n);
    }

    /** The ids of the shards' event-loop threads, by shard (-1 when unknown). */
    public long[] shardThreadIds() {
        return node.shardThreadIds();
    }
}
