package io.molia.core;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;

/**
 * An immutable copy of the routing table's contacts, by bucket, each marked when it failed its last request: what
 * the shards that do not own the table answer FIND_NODE from (leaving out the failing, as the owner does) and start
 * their lookups from (with them, as the owner does). The owner publishes a new one through a volatile reference
 * when the table changed ({@link PublishedRouting}); readers on any thread never lock and never allocate.
 */
public final class RoutingSnapshot {
    private final NodeId self;
    private final Contact[][] buckets;
    /** Per bucket, parallel to its contacts: failed its last request. */
    private final boolean[][] failing;
    private final int answerable;

    RoutingSnapshot(NodeId self, Contact[][] buckets, boolean[][] failing) {
        this.self = self;
        this.buckets = buckets;
        this.failing = failing;
        int n = 0;
        for (boolean[] bucket : failing) {
            for (int i = 0; bucket != null && i < bucket.length; i++) {
                n += bucket[i] ? 0 : 1;
            }
        }
        this.answerable = n;
    }

    /** The snapshot of a table that knows nobody yet. */
    public static RoutingSnapshot empty(NodeId self) {
        return new RoutingSnapshot(self, new Contact[NodeId.BITS][], new boolean[NodeId.BITS][]);
    }

    /** How many contacts it holds that did not fail their last request. */
    public int size() {
        return answerable;
    }

    /**
     * The up to {@code n} contacts closest to the target given as four words, closest first, into {@code out};
     * returns how many. Contacts that failed their last request are left out when {@code skipFailing} is set;
     * {@code exclude} (may be null) is never returned. Same order as
     * {@link RoutingTable#closest(long, long, long, long, boolean, NodeId, Contact[], int)}.
     */
    public int closest(long t0, long t1, long t2, long t3, boolean skipFailing, NodeId exclude, Contact[] out, int n) {
        int cpl = Math.min(self.commonPrefixLength(t0, t1, t2, t3), NodeId.BITS - 1);
        int count = collect(cpl, t0, t1, t2, t3, skipFailing, exclude, out, 0, n);
        if (count < n) {
            for (int b = cpl + 1; b < NodeId.BITS; b++) {
                count = collect(b, t0, t1, t2, t3, skipFailing, exclude, out, count, n);
            }
        }
        for (int b = cpl - 1; b >= 0 && count < n; b--) {
            count = collect(b, t0, t1, t2, t3, skipFailing, exclude, out, count, n);
        }
        return count;
    }

    private int collect(int b, long t0, long t1, long t2, long t3, boolean skipFailing, NodeId exclude,
            Contact[] out, int count, int n) {
        Contact[] bucket = buckets[b];
        if (bucket == null) {
            return count;
        }
        for (int i = 0; i < bucket.length; i++) {
            Contact c = bucket[i];
            if ((skipFailing && failing[b][i]) || (exclude != null && c.id().equals(exclude))) {
                continue;
            }
            count = RoutingTable.insertByDistance(c, t0, t1, t2, t3, out, count, n);
        }
        return count;
    }
}
