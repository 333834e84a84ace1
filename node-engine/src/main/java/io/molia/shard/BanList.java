package io.molia.shard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.store.StoreJournal;

/**
 * Peers and subnets (IPv4 /24, IPv6 /48) an operator banned, each until its expiry. Consulted on the protocol loop
 * before a datagram reaches the session layer (a banned source is dropped in silence and counted) and when a
 * handshake asks for admission. Bounded ({@link #CAPACITY} entries of each kind: a full list refuses new bans). The
 * check on the packet path allocates nothing and costs one branch while the list is empty.
 *
 * <p>Owned by the protocol loop's thread; not thread-safe. The other shards read the immutable {@link #view()}
 * the owner publishes after every change (through one volatile reference, as the routing table is published).
 *
 * <p>Every ban and unban is journaled ({@link #journal}: shard 0's WAL), so bans survive restarts; the driver puts
 * the recovered ones back with the same {@code ban*} calls before it sets the journal.
 */
public final class BanList {
    public static final int CAPACITY = 1_024;

    private final long[] subnetKeys = new long[CAPACITY];
    private final long[] subnetExpiresNs = new long[CAPACITY];
    private int subnets;
    private final Map<NodeId, Long> peers = new HashMap<>();
    private long droppedDatagrams;
    /** Datagrams the other shards dropped for a ban (rare: a LongAdder is enough). */
    private final LongAdder droppedElsewhere = new LongAdder();
    private volatile View view = new View(new long[0], new long[0], Map.of(), droppedElsewhere);
    private StoreJournal journal = StoreJournal.NONE;

    /** A ban of this kind and target, for the admin view. */
    public record Ban(String kind, String target, long expiresNs) {
    }

    /** A ban in force: of {@code peer}, or of the subnet {@code subnetKey} when {@code peer} is null. */
    public record Entry(NodeId peer, long subnetKey, long expiresNs) {
    }

    /** Where bans and unbans are journaled from now on ({@link StoreJournal#NONE} by default). */
    public void journal(StoreJournal journal) {
        this.journal = journal;
    }

    public boolean isEmpty() {
        return subnets == 0 && peers.isEmpty();
    }

    /** Bans a subnet ({@link NodeAddress#subnetKey}) until {@code expiresNs}; false when the list is full. */
    public boolean banSubnet(long subnetKey, long expiresNs) {
        for (int i = 0; i < subnets; i++) {
            if (subnetKeys[i] == subnetKey) {
                subnetExpiresNs[i] = expiresNs;
                publish();
                journal.onBan(null, subnetKey, expiresNs);
                return true;
            }
        }
        if (subnets == CAPACITY) {
            return false;
        }
        subnetKeys[subnets] = subnetKey;
        subnetExpiresNs[subnets] = expiresNs;
        subnets++;
        publish();
        journal.onBan(null, subnetKey, expiresNs);
        return true;
    }

    public boolean banPeer(NodeId id, long expiresNs) {
        if (!peers.containsKey(id) && peers.size() >= CAPACITY) {
            return false;
        }
        peers.put(id, expiresNs);
        publish();
        journal.onBan(id, 0, expiresNs);
        return true;
    }

    public boolean unbanSubnet(long subnetKey) {
        for (int i = 0; i < subnets; i++) {
            if (subnetKeys[i] == subnetKey) {
                removeSubnetAt(i);
                publish();
                journal.onUnban(null, subnetKey);
                return true;
            }
        }
        return false;
    }

    public boolean unbanPeer(NodeId id) {
        boolean removed = peers.remove(id) != null;
        if (removed) {
            publish();
            journal.onUnban(id, 0);
        }
        return removed;
    }

    /** Whether datagrams from {@code from} are refused now; allocation-free. */
    public boolean bansAddress(long nowNs, NodeAddress from) {
        if (subnets == 0) {
            return false;
        }
        long key = from.subnetKey();
        for (int i = 0; i < subnets; i++) {
            if (subnetKeys[i] == key) {
                if (subnetExpiresNs[i] > nowNs) {
                    return true;
                }
                removeSubnetAt(i);
                return false;
            }
        }
        return false;
    }

    /** Whether the peer {@code id} is refused now. */
    public boolean bansPeer(long nowNs, NodeId id) {
        if (peers.isEmpty()) {
            return false;
        }
        Long expires = peers.get(id);
        if (expires == null) {
            return false;
        }
        if (expires > nowNs) {
            return true;
        }
        peers.remove(id);
        return false;
    }

    void onDropped() {
        droppedDatagrams++;
    }

    /** Datagrams dropped for a ban, on every shard. */
    public long droppedDatagrams() {
        return droppedDatagrams + droppedElsewhere.sum();
    }

    /** The bans as of the last change, for other threads. */
    public View view() {
        return view;
    }

    private void publish() {
        view = new View(Arrays.copyOf(subnetKeys, subnets), Arrays.copyOf(subnetExpiresNs, subnets), Map.copyOf(peers),
                droppedElsewhere);
    }

    /**
     * An immutable copy of the bans, safe to read on any thread; an entry that expired since is no longer in force
     * (the owner forgets it on its next check).
     */
    public static final class View {
        private final long[] subnetKeys;
        private final long[] subnetExpiresNs;
        private final Map<NodeId, Long> peers;
        private final LongAdder dropped;

        private View(long[] subnetKeys, long[] subnetExpiresNs, Map<NodeId, Long> peers, LongAdder dropped) {
            this.subnetKeys = subnetKeys;
            this.subnetExpiresNs = subnetExpiresNs;
            this.peers = peers;
            this.dropped = dropped;
        }

        public boolean isEmpty() {
            return subnetKeys.length == 0 && peers.isEmpty();
        }

        /** Whether datagrams from {@code from} are refused now; allocation-free. */
        public boolean bansAddress(long nowNs, NodeAddress from) {
            long key = from.subnetKey();
            for (int i = 0; i < subnetKeys.length; i++) {
                if (subnetKeys[i] == key) {
                    return subnetExpiresNs[i] > nowNs;
                }
            }
            return false;
        }

        public boolean bansPeer(long nowNs, NodeId id) {
            Long expires = peers.get(id);
            return expires != null && expires > nowNs;
        }

        /** A datagram was dropped for one of these bans (counted with the owner's). */
        public void onDropped() {
            dropped.increment();
        }
    }

    /** The bans still in force at {@code nowNs} (expired ones are forgotten on the way). */
    public List<Ban> list(long nowNs) {
        List<Ban> out = new ArrayList<>();
        for (int i = subnets - 1; i >= 0; i--) {
            if (subnetExpiresNs[i] <= nowNs) {
                removeSubnetAt(i);
            }
        }
        for (int i = 0; i < subnets; i++) {
            out.add(new Ban("subnet", NodeAddress.subnetText(subnetKeys[i]), subnetExpiresNs[i]));
        }
        for (Iterator<Map.Entry<NodeId, Long>> it = peers.entrySet().iterator(); it.hasNext();) {
            Map.Entry<NodeId, Long> e = it.next();
            if (e.getValue() <= nowNs) {
                it.remove();
            } else {
                out.add(new Ban("peer", e.getKey().toHex(), e.getValue()));
            }
        }
        return out;
    }

    /** The bans in force at {@code nowNs}, for the journal's compaction. */
    public List<Entry> inForce(long nowNs) {
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < subnets; i++) {
            if (subnetExpiresNs[i] > nowNs) {
                out.add(new Entry(null, subnetKeys[i], subnetExpiresNs[i]));
            }
        }
        for (Map.Entry<NodeId, Long> e : peers.entrySet()) {
            if (e.getValue() > nowNs) {
                out.add(new Entry(e.getKey(), 0, e.getValue()));
            }
        }
        return out;
    }

    private void removeSubnetAt(int i) {
        subnets--;
        subnetKeys[i] = subnetKeys[subnets];
        subnetExpiresNs[i] = subnetExpiresNs[subnets];
    }
}
