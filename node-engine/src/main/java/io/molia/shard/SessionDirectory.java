package io.molia.shard;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeId;

/**
 * Which other shard lately held a session with a peer, as the routing table's owner learns it from the shards'
 * alive reports. A peer that restarted opens a new session with whichever shard the kernel gives its initiation
 * to, while the owner's old session with it still looks live but holds keys the peer no longer has: the owner sends
 * its requests (candidate pings, joins, refreshes) through the shard that heard from the peer since. Bounded; an
 * entry not refreshed for {@link #FRESH_NS} is forgotten (a session lives at most 180 s without a rekey). Owned by
 * the owner shard's thread.
 */
final class SessionDirectory {
    /** Longer than a serving shard's alive reports are apart (30 s) while a peer keeps talking. */
    static final long FRESH_NS = TimeUnit.SECONDS.toNanos(120);
    static final int CAPACITY = 65_536;

    private static final class Entry {
        int shard;
        long seenNs;
    }

    private final Map<NodeId, Entry> entries = new HashMap<>();

    /** Shard {@code shard} holds a session with {@code peer} as of {@code nowNs}. */
    void note(NodeId peer, int shard, long nowNs) {
        Entry e = entries.get(peer);
        if (e == null) {
            if (entries.size() >= CAPACITY) {
                return; // full: this peer's messages go out from shard 0, as they did before the directory
            }
            e = new Entry();
            entries.put(peer, e);
        }
        e.shard = shard;
        e.seenNs = nowNs;
    }

    /** The serving shard that lately held a session with {@code peer}, or -1. */
    int shardOf(NodeId peer, long nowNs) {
        Entry e = entries.get(peer);
        return e != null && nowNs - e.seenNs < FRESH_NS ? e.shard : -1;
    }

    /** When a shard last reported a session with {@code peer}; Long.MIN_VALUE when none is known. */
    long seenNs(NodeId peer) {
        Entry e = entries.get(peer);
        return e == null ? Long.MIN_VALUE : e.seenNs;
    }

    /** Forgets what is no longer fresh. */
    void sweep(long nowNs) {
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext();) {
            if (nowNs - it.next().seenNs >= FRESH_NS) {
                it.remove();
            }
        }
    }

    int size() {
        return entries.size();
    }
}
