package io.molia.core;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;

/**
 * An immutable copy of the routing table's answerable contacts (those that did not fail their last request), by
 * bucket: what shards other than the table's owner answer FIND_NODE from (DESIGN §3.2). The owner publishes a new
 * one through a volatile reference when the table changed; readers on any thread never lock and never allocate.
 */
public final class RoutingSnapshot {
    private final NodeId self;
    private final Contact[][] buckets;
    private final int size;

    RoutingSnapshot(NodeId self, Contact[][] buckets) {
        this.self = self;
        this.buckets = buckets;
        int n = 0;
        for (Contact[] bucket : buckets) {
            n += bucket == null ? 0 : bucket.length;
        }
        this.size = n;
    }

    /** The snapshot of a table that knows nobody yet. */
    public static RoutingSnapshot empty(NodeId self) {
        return new RoutingSnapshot(self, new Contact[NodeId.BITS][]);
    }

    /** How many contacts it holds. */
    public int size() {
        return size;
    }

    /**
     * The up to {@code n} contacts closest to the target given as four words, closest first, into {@code out};
     * returns how many. {@code exclude} (may be null) is never returned. Same order as
     * {@link RoutingTable#closest(long, long, long, long, boolean, NodeId, Contact[], int)} with skipFailing.
     */
    public int closest(long t0, long t1, long t2, long t3, NodeId exclude, Contact[] out, int n) {
        int cpl = Math.min(self.commonPrefixLength(t0, t1, t2, t3), NodeId.BITS - 1);
        int count = collect(buckets[cpl], t0, t1, t2, t3, exclude, out, 0, n);
        if (count < n) {
            for (int b = cpl + 1; b < NodeId.BITS; b++) {
                count = collect(buckets[b], t0, t1, t2, t3, exclude, out, count, n);
            }
        }
        for (int b = cpl - 1; b >= 0 && count < n; b--) {
            count = collect(buckets[b], t0, t1, t2, t3, exclude, out, count, n);
        }
        return count;
    }

    private static int collect(Contact[] bucket, long t0, long t1, long t2, long t3, NodeId exclude, Contact[] out,
            int count, int n) {
        if (bucket == null) {
            return count;
        }
        for (Contact c : bucket) {
            if (exclude == null || !c.id().equals(exclude)) {
                count = RoutingTable.insertByDistance(c, t0, t1, t2, t3, out, count, n);
            }
        }
        return count;
    }
}
