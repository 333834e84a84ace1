package io.molia.node;

import io.molia.core.NodeCore;
import io.molia.session.SessionManager;
import io.molia.shard.Shard;
import io.molia.wal.DurableShard;

/**
 * What an operator's view may read of one shard, handed to the function given to {@link MoliaNode#onEveryShard}:
 * valid only during that call, on the shard's own thread. A view copies what it needs before returning.
 */
public final class ShardView {
    private final Shard shard;
    private final DurableShard durable;
    private final long nowNs;

    ShardView(Shard shard, DurableShard durable, long nowNs) {
        this.shard = shard;
        this.durable = durable;
        this.nowNs = nowNs;
    }

    public int index() {
        return shard.index();
    }

    /** The shard's core: its records, its lookups (and on shard 0 the routing table). */
    public NodeCore core() {
        return shard.core();
    }

    public SessionManager sessions() {
        return shard.sessions();
    }

    /** The shard's WAL, or null when the node runs without one. */
    public DurableShard durable() {
        return durable;
    }

    public long nowNs() {
        return nowNs;
    }
}
