package io.molia.core;

import io.molia.contact.NodeId;

/**
 * How a node's work is split over its shards (DESIGN §3.2), seen from shard {@code index} of {@code count}:
 * <ul>
 * <li>a record key belongs to one shard, which stores it, journals it and answers for it;</li>
 * <li>a response belongs to the shard that sent the request: the sender names itself in the low {@code bits} of
 * the request ID, so an answer that arrives on another shard's session goes straight to it;</li>
 * <li>a peer has a home shard, which opens this node's sessions to it: one outgoing session per peer, however many
 * shards talk to it (a peer keeps only a current and a previous session per key).</li>
 * </ul>
 * A node with one shard, and a simulated node, use {@link #SINGLE}: everything is shard 0's.
 */
public record ShardPartition(int index, int count, int bits) {
    public static final ShardPartition SINGLE = new ShardPartition(0, 1, 0);

    public ShardPartition {
        if (count < 1 || count > 1 << bits || index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + index + " of " + count + " in " + bits + " bits");
        }
    }

    /** The shard that holds the record under the key whose first word is {@code keyWord0}. */
    public int ownerOfKey(long keyWord0) {
        return count == 1 ? 0 : (int) Long.remainderUnsigned(keyWord0, count);
    }

    public int ownerOfKey(NodeId key) {
        return ownerOfKey(key.word(0));
    }

    /** The shard that sent the request {@code requestId} (this shard for an ID no shard could have issued). */
    public int ownerOfRequest(long requestId) {
        int owner = (int) (requestId & mask());
        return owner < count ? owner : index;
    }

    /** {@code random} with this shard's index in its low bits: the ID of a request this shard sends. */
    public long requestIdFrom(long random) {
        return (random & ~mask()) | index;
    }

    /** The shard that opens this node's sessions to {@code peer}. */
    public int homeOf(NodeId peer) {
        return count == 1 ? 0 : (int) Long.remainderUnsigned(peer.word(3), count);
    }

    /** The shard that owns the routing table (and joins, refreshes buckets and pings candidates). */
    public boolean ownsRoutingTable() {
        return index == 0;
    }

    private long mask() {
        return (1L << bits) - 1;
    }
}
