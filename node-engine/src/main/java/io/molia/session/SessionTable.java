package io.molia.session;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/**
 * What one shard's session layer remembers, bounded: peers by static key and by node ID, sessions by the local
 * index this shard issued, handshakes it started by their index; and the rules that keep it bounded (a full table
 * evicts its idlest sixteenth, expired sessions and idle peers go).
 *
 * <p>Timers are deadlines, not scans: each peer has at most one deadline ({@link PeerDeadlines}), the earliest
 * moment something may be due for it (a session's expiry, a retransmission, a passive keepalive, being forgotten
 * when idle). It is moved earlier when the peer gets a handshake or a session and when data arrives; when it comes
 * the peer is visited and given its next one. Owned by the shard thread; not thread-safe.
 */
final class SessionTable {
    /** Once the table is full, this share of it (the idlest sessions) is evicted in one pass. */
    static final int EVICTED_PER_PASS_DIVISOR = 16;

    private final int shard;
    private final int shardBits;
    private final int maxSessions;
    private final RandomGenerator random;
    private final SessionCounters counters;
    private final Map<ByteBuffer, Peer> peers = new HashMap<>();
    /** DHT peers by node ID: sending must not redo the Ed25519 → X25519 conversion each time. */
    private final Map<NodeId, Peer> peersById = new HashMap<>();
    /** DHT peers by the address their authenticated data last came from: one entry per peer. */
    private final Map<NodeAddress, Peer> peersByAddress = new HashMap<>();
    private final IntObjectMap<Session> sessions;
    private final Map<Integer, Peer> handshakesByIndex = new HashMap<>();
    private final PeerDeadlines deadlines = new PeerDeadlines();

    SessionTable(int shard, int shardBits, int maxSessions, RandomGenerator random, SessionCounters counters) {
        this.shard = shard;
        this.shardBits = shardBits;
        this.maxSessions = maxSessions;
        this.random = random;
        this.counters = counters;
        this.sessions = new IntObjectMap<>(Math.min(maxSessions, 1024) + 2);
    }

    Peer peer(byte[] remoteStatic) {
        return peers.get(ByteBuffer.wrap(remoteStatic));
    }

    Peer peerById(NodeId id) {
        return peersById.get(id);
    }

    /**
     * Files {@code peer} under the address its authenticated data came from (after a roam, under the new one only).
     * Called for every authenticated datagram: costs one comparison when nothing moved.
     */
    void indexAddress(Peer peer) {
        NodeAddress at = peer.address;
        if (at.equals(peer.indexedAddress) || peersById.get(peer.contact.id()) != peer) {
            return;
        }
        if (peer.indexedAddress != null) {
            peersByAddress.remove(peer.indexedAddress, peer);
        }
        peersByAddress.put(at, peer);
        peer.indexedAddress = at;
    }

    /**
     * The DHT peer holding a confirmed session whose authenticated data comes from {@code from}, or null: what a
     * source address is known to be before an initiation from it is opened.
     */
    Peer provenAt(NodeAddress from) {
        Peer p = peersByAddress.get(from);
        if (p == null || !from.equals(p.address) || p.current == null || !p.current.confirmed) {
            return null;
        }
        return p;
    }

    /** Remembers {@code peer}, by node ID too when {@code dht} (a plain WireGuard peer has no node ID). */
    void addPeer(Peer peer, boolean dht) {
        peers.put(ByteBuffer.wrap(peer.remoteStatic), peer);
        if (dht) {
            peersById.put(peer.contact.id(), peer);
        }
    }

    /** A snapshot of the peers, for a pass that may forget some of them. */
    ArrayList<Peer> peersSnapshot() {
        return new ArrayList<>(peers.values());
    }

    int peerCount() {
        return peers.size();
    }

    Session session(int localIndex) {
        return sessions.get(localIndex);
    }

    int sessionCount() {
        return sessions.size();
    }

    /** The live sessions (a new list). */
    java.util.List<Session> sessionsView() {
        java.util.List<Session> out = new ArrayList<>(sessions.size());
        for (int i = 0; i < sessions.slots(); i++) {
            Session s = sessions.valueAt(i);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    Peer handshake(int localIndex) {
        return handshakesByIndex.get(localIndex);
    }

    int handshakeCount() {
        return handshakesByIndex.size();
    }

    void addHandshake(int localIndex, Peer peer) {
        handshakesByIndex.put(localIndex, peer);
    }

    void removeHandshake(int localIndex) {
        handshakesByIndex.remove(localIndex);
    }

    /** A session the peer and this node both hold the keys of: current, the current one previous. */
    void install(Peer peer, Session session) {
        if (peer.previous != null) {
            sessions.remove(peer.previous.localIndex);
        }
        peer.previous = peer.current;
        peer.current = session;
        sessions.put(session.localIndex, session);
        schedule(peer, session.rejectAfterNs());
        if (sessions.size() > maxSessions) {
            evictIdlest(session);
        }
    }

    /**
     * A session this node answered waits as the peer's next one until the initiator's first data message confirms
     * it: an unconfirmed (perhaps replayed) initiation must not displace the session the peer uses (WireGuard keeps
     * a responder's new keypair as "next" for the same reason). A newer initiation replaces a waiting one.
     */
    void installNext(Peer peer, Session session) {
        if (peer.next != null) {
            sessions.remove(peer.next.localIndex);
        }
        peer.next = session;
        sessions.put(session.localIndex, session);
        schedule(peer, session.rejectAfterNs());
        if (sessions.size() > maxSessions) {
            evictIdlest(session);
        }
    }

    /** The peer's next session proved itself: it becomes current, the current one previous. */
    void promoteNext(Peer peer) {
        if (peer.previous != null) {
            sessions.remove(peer.previous.localIndex);
        }
        peer.previous = peer.current;
        peer.current = peer.next;
        peer.next = null;
    }

    /** Makes sure {@code peer} is visited at {@code atNs} or before. */
    void schedule(Peer peer, long atNs) {
        deadlines.atOrBefore(peer, atNs);
    }

    /** When the next peer may need a visit ({@link Long#MAX_VALUE}: none); may be early, never late. */
    long nextDeadlineNs() {
        return deadlines.earliestNs();
    }

    /** The next peer whose deadline has come by {@code nowNs}, or null; it has no deadline until scheduled again. */
    Peer pollDue(long nowNs) {
        return deadlines.pollDue(nowNs);
    }

    /** Forgets the peer's sessions past REJECT_AFTER_TIME (or their message limit). */
    void removeExpired(Peer peer, long nowNs) {
        removeIfExpired(peer.current, nowNs);
        removeIfExpired(peer.previous, nowNs);
        removeIfExpired(peer.next, nowNs);
    }

    private void removeIfExpired(Session s, long nowNs) {
        if (s != null && s.expired(nowNs)) {
            sessions.remove(s.localIndex);
            detach(s);
        }
    }

    /** The earliest moment something may be due for {@code peer}, as {@link SessionManager#onTimer} decides it. */
    static long nextDueNs(Peer peer) {
        long due = Long.MAX_VALUE;
        due = Math.min(due, rejectAfterNs(peer.current));
        due = Math.min(due, rejectAfterNs(peer.previous));
        due = Math.min(due, rejectAfterNs(peer.next));
        Session c = peer.current;
        if (c != null && c.confirmed && c.lastReceivedNs > c.lastSentNs) {
            due = Math.min(due, c.lastSentNs + WireGuardConstants.KEEPALIVE_TIMEOUT_NS);
        }
        if (peer.handshake != null) {
            due = Math.min(due, peer.lastInitiationSentNs + WireGuardConstants.REKEY_TIMEOUT_NS);
        }
        if (idle(peer)) {
            due = Math.min(due, peer.lastInitiationAcceptedNs + WireGuardConstants.REJECT_AFTER_TIME_NS);
        }
        return due;
    }

    private static long rejectAfterNs(Session s) {
        return s == null ? Long.MAX_VALUE : s.rejectAfterNs();
    }

    /** Unlinks a session removed from the table from its peer. */
    private static void detach(Session s) {
        if (s.peer.current == s) {
            s.peer.current = null;
        }
        if (s.peer.previous == s) {
            s.peer.previous = null;
        }
        if (s.peer.next == s) {
            s.peer.next = null;
        }
    }

    /**
     * Bounded table: the idlest sixteenth goes in one pass (at least one session), never {@code keep}, the session
     * just installed. A pass reads the whole table, so a full table pays for it once per sixteenth of new sessions;
     * evicting only the single idlest scanned the whole table for every new session (at 65,536 sessions each
     * handshake cost four times as much, which anyone with many identities could force).
     */
    private void evictIdlest(Session keep) {
        long[] activity = new long[sessions.size()];
        int n = 0;
        for (int i = 0; i < sessions.slots(); i++) {
            Session s = sessions.valueAt(i);
            if (s != null && s != keep) {
                activity[n++] = lastActive(s);
            }
        }
        int evict = Math.min(n, Math.max(1, sessions.size() / EVICTED_PER_PASS_DIVISOR));
        if (evict == 0) {
            return;
        }
        Arrays.sort(activity, 0, n);
        long threshold = activity[evict - 1];
        // Those idler than the threshold first (fewer than evict), then ties at the threshold until evict;
        // removed after the scans: removal moves entries between slots.
        ArrayList<Session> idlest = new ArrayList<>(evict);
        for (int i = 0; i < sessions.slots(); i++) {
            Session s = sessions.valueAt(i);
            if (s != null && s != keep && lastActive(s) < threshold) {
                idlest.add(s);
            }
        }
        for (int i = 0; i < sessions.slots() && idlest.size() < evict; i++) {
            Session s = sessions.valueAt(i);
            if (s != null && s != keep && lastActive(s) == threshold) {
                idlest.add(s);
            }
        }
        for (Session s : idlest) {
            sessions.remove(s.localIndex);
            detach(s);
            counters.sessionsEvicted++;
            if (idle(s.peer)) {
                forget(s.peer); // the peer table stays as bounded as the session table (replays are refused node-wide)
            }
        }
    }

    private static long lastActive(Session s) {
        return Math.max(s.lastReceivedNs, s.lastSentNs);
    }

    /** Nothing live: no session, no handshake, no response waiting, and not an allowed plain peer. */
    static boolean idle(Peer peer) {
        return !peer.pinned && peer.current == null && peer.previous == null && peer.next == null
                && peer.handshake == null && peer.pendingResponse == null;
    }

    void forget(Peer peer) {
        deadlines.remove(peer);
        peers.remove(ByteBuffer.wrap(peer.remoteStatic));
        if (peer.contact != null) {
            peersById.remove(peer.contact.id());
        }
        if (peer.indexedAddress != null) {
            peersByAddress.remove(peer.indexedAddress, peer);
        }
    }

    /** A fresh local index with this shard in its low bits, used by no session or handshake. */
    int newLocalIndex() {
        int index;
        do {
            index = (random.nextInt() << shardBits) | shard;
        } while (index == 0 || sessions.containsKey(index) || handshakesByIndex.containsKey(index));
        return index;
    }
}
