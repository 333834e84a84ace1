package io.molia.core;

import java.util.function.Supplier;

import io.molia.contact.NodeId;

/**
 * The routing table as the shards that do not own it see it (DESIGN §3.2): the owner publishes an immutable
 * {@link RoutingSnapshot} through one volatile reference whenever the table changed; readers on any thread never
 * lock. Published at once, not on a timer: a node answered from a stale snapshot while joining would miss peers.
 */
public final class PublishedRouting implements Supplier<RoutingSnapshot> {
    private volatile RoutingSnapshot current;
    /** The table's change count the current snapshot was taken at; written by the owner only. */
    private long publishedChanges = -1;

    public PublishedRouting(NodeId self) {
        this.current = RoutingSnapshot.empty(self);
    }

    @Override
    public RoutingSnapshot get() {
        return current;
    }

    /** Called by the owner's thread: publishes {@code table} if it changed since the last snapshot. */
    void publishIfChanged(RoutingTable table) {
        long changes = table.changes();
        if (changes != publishedChanges) {
            current = table.snapshot();
            publishedChanges = changes;
        }
    }
}
