package io.molia.session;

import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.X25519Keys;

/**
 * The session layer of one shard, sans I/O (DESIGN §3.4): WireGuard handshakes and transport for plain WireGuard
 * peers, and Molia's one-round-trip variant for DHT peers, whose first request rides in the initiation and whose
 * answer rides in the response. Datagrams and time go in; plaintexts for the core and datagrams to send come out.
 *
 * <p>Silent to strangers: nothing is ever sent in reply to a datagram that is not a well-formed initiation with a
 * valid mac1 (or a packet of a live session); every drop is counted by reason in {@link #counters()}.
 *
 * <p>Call {@link #onDatagram} for every received datagram, {@link #send} for every inner message the core wants
 * delivered, {@link #finishResponses} after the core handled a delivery, and {@link #onTimer} when its
 * {@link #nextDeadlineNs} comes; drain {@link #pollTransmit} after each. Owned by one shard thread; not thread-safe.
 *
 * <p>Steady state allocates nothing (DESIGN §3.3): a data packet to an established session is sealed straight
 * into a slot of a bounded, pre-sized ring of {@link Transmit}s, and a received one is opened into a reusable
 * buffer ({@link #delivery()}); sessions are found by index without boxing. Handshakes allocate (cold path).
 *
 * <p>This class routes; each concern has its own: {@link Responder} and {@link Initiator} (the two sides of a
 * handshake), {@link DataPath} (transport data), {@link SessionTable} (what is remembered, and its bounds),
 * {@link TransmitRing} (what waits to be sent).
 */
public final class SessionManager {
    /** Molia's one-round-trip initiation: a WireGuard initiation whose payload carries the first request. */
    public static final int TYPE_MOLIA_INITIATION = 0x4D;
    /** Molia's response: a WireGuard response whose payload carries the first answer. */
    public static final int TYPE_MOLIA_RESPONSE = 0x4E;
    /** Molia's puzzle reply: a responder past cookies asks for a solved initiation ({@link AdmissionPuzzle}). */
    public static final int TYPE_PUZZLE_REPLY = AdmissionPuzzle.TYPE_PUZZLE_REPLY;
    /** A Molia initiation behind the solution of a puzzle the responder issued ({@link AdmissionPuzzle}). */
    public static final int TYPE_SOLVED_INITIATION = AdmissionPuzzle.TYPE_SOLVED_INITIATION;
    /** Molia initiations are padded to this size so a full answer fits the 3× amplification bound. */
    public static final int MOLIA_INITIATION_MIN_BYTES = 430;
    public static final int AMPLIFICATION_FACTOR = 3;

    public static final int DROPPED = 0;
    public static final int HANDLED = 1;
    public static final int DELIVERED = 2;
    /**
     * A keepalive confirmed a session the peer initiated: the peer proved it holds the keys, from the address
     * {@code delivery().from} names (the session is in {@code delivery().session}; there is no plaintext).
     */
    public static final int CONFIRMED = 3;

    /** Where a delivered plaintext is. Reused; valid until the next call. */
    public static final class Delivery {
        public Session session;
        public Contact from;
        public byte[] data;
        public int offset;
        public int length;
    }

    /** The share of a shard's thread initiations may cost before it asks for cookies, unless told otherwise. */
    public static final double DEFAULT_HANDSHAKE_CPU_BUDGET = HandshakeLoad.DEFAULT_BUDGET;

    /** The largest datagram the manager builds or opens (a Molia packet stays within 1280 bytes on the wire). */
    public static final int MAX_DATAGRAM_BYTES = 2048;
    /**
     * Most slots of the transmit ring: datagrams queued between two drains beyond the ring's size are dropped and
     * counted. A manager of fewer sessions gets a smaller ring ({@link #transmitSlotsFor}), so that the thousands of
     * managers of a simulation do not each keep 8 MiB of slot buffers.
     */
    public static final int TRANSMIT_SLOTS = 4096;

    /**
     * A datagram to send: {@code data()[0, length())} to {@code to()}. A slot of the manager's transmit ring,
     * reused once the ring's size more datagrams have been queued: a driver sends (or copies) it before
     * it calls the manager again.
     */
    public static final class Transmit {
        NodeAddress to;
        byte[] data; // allocated when the slot is first used, then kept
        int length;

        public NodeAddress to() {
            return to;
        }

        /** The slot's buffer; the datagram is its first {@link #length()} bytes. */
        public byte[] data() {
            return data;
        }

        public int length() {
            return length;
        }

        /**
         * Moves the datagram {@code headerBytes} on, for a header the caller then writes at the start, and aims it at
         * {@code via}: a relay carries it to the peer ({@code io.molia.relay.RelayFrame}). False when it does not fit.
         */
        public boolean prefix(int headerBytes, NodeAddress via) {
            if (length + headerBytes > data.length) {
                return false;
            }
            System.arraycopy(data, 0, data, headerBytes, length);
            length += headerBytes;
            to = via;
            return true;
        }

        /** A copy of exactly the datagram's bytes (tests, cold paths). */
        public byte[] copy() {
            return Arrays.copyOf(data, length);
        }
    }

    /** Decides whether an identity may open a session (proof of work, bans); the default admits everyone. */
    @FunctionalInterface
    public interface AdmissionPolicy {
        boolean admit(NodeId id, byte[] ed25519PublicKey, long powNonce);
    }

    /** Once the table is full, this share of it (the idlest sessions) is evicted in one pass. */
    static final int EVICTED_PER_PASS_DIVISOR = SessionTable.EVICTED_PER_PASS_DIVISOR;
    /** Slots of the timestamp table of a manager that shares none (a client, a test). */
    private static final int OWN_TIMESTAMP_SLOTS = 4096;

    private final int shard;
    private final SessionCounters counters = new SessionCounters();
    private final Delivery delivery = new Delivery();
    private final SessionTable table;
    private final TransmitRing ring;
    private final HandshakeLoad load = new HandshakeLoad(counters);
    private final KeyLog keyLog;
    private final DataPath data;
    private final Responder responder;
    private final Initiator initiator;

    /** The transmit ring's size for {@code maxSessions}: a sixteenth of them, a power of two in 64..4096. */
    static int transmitSlotsFor(int maxSessions) {
        return Integer.highestOneBit(Math.max(64, Math.min(TRANSMIT_SLOTS, maxSessions / 16)));
    }

    /** The transmit ring's size: how many datagrams may wait between two drains. */
    public int transmitSlots() {
        return ring.slots();
    }

    /** A manager with a replay memory of its own: for a node of one shard, a client, a test. */
    public SessionManager(StaticIdentity local, byte[] localEd25519, byte[] psk, int shard, int shardBits,
            int maxSessions, RandomGenerator random, AdmissionPolicy admission) {
        this(local, localEd25519, psk, shard, shardBits, maxSessions, random, admission,
                new InitiationTimestamps(OWN_TIMESTAMP_SLOTS, InitiationTimestamps.DEFAULT_WINDOW_NS, random));
    }

    /**
     * A manager whose replay rule uses {@code timestamps}, which every shard of a node shares: a replayed initiation
     * is refused whichever shard the kernel gives it to.
     */
    public SessionManager(StaticIdentity local, byte[] localEd25519, byte[] psk, int shard, int shardBits,
            int maxSessions, RandomGenerator random, AdmissionPolicy admission, InitiationTimestamps timestamps) {
        if (psk.length != 32) {
            throw new IllegalArgumentException("a pre-shared key is 32 bytes");
        }
        if (shard < 0 || shard >= (1 << shardBits)) {
            throw new IllegalArgumentException("shard " + shard + " does not fit in " + shardBits + " bits");
        }
        byte[] ownPsk = psk.clone();
        this.shard = shard;
        this.table = new SessionTable(shard, shardBits, maxSessions, random, counters);
        this.ring = new TransmitRing(transmitSlotsFor(maxSessions), counters);
        this.keyLog = new KeyLog(local, ownPsk);
        this.data = new DataPath(table, ring, counters, delivery);
        this.responder = new Responder(local, ownPsk, random, admission, timestamps, table, ring, keyLog, counters,
                delivery, load);
        this.initiator = new Initiator(local, localEd25519.clone(), ownPsk, random, table, ring, data, keyLog,
                counters, delivery);
    }

    public SessionCounters counters() {
        return counters;
    }

    /** The shard this session layer belongs to (the low bits of every receiver index it issues). */
    public int shard() {
        return shard;
    }

    /**
     * Whether {@link #send} to the peer {@code id} would go out without starting a handshake: inside the response
     * to the peer's waiting initiation, or on a live confirmed session.
     */
    public boolean canSendNow(long nowNs, NodeId id) {
        Peer peer = table.peerById(id);
        if (peer == null) {
            return false;
        }
        Session s = peer.current;
        return peer.pendingResponse != null || (s != null && s.confirmed && !s.expired(nowNs));
    }

    /**
     * When this shard last heard from the peer {@code id} on the session {@link #send} would use: Long.MAX_VALUE
     * while its initiation waits for an answer, Long.MIN_VALUE without a session. A peer that restarted leaves an
     * old session here that still looks live while it talks to another shard on a new one.
     */
    public long lastHeardFromNs(NodeId id) {
        Peer peer = table.peerById(id);
        if (peer == null) {
            return Long.MIN_VALUE;
        }
        if (peer.pendingResponse != null) {
            return Long.MAX_VALUE;
        }
        return peer.current == null ? Long.MIN_VALUE : peer.current.lastReceivedNs;
    }

    public int sessionCount() {
        return table.sessionCount();
    }

    /**
     * The live sessions, for an operator's view taken on this shard's thread (a new list; the sessions themselves
     * are live objects: read them on this thread only).
     */
    public List<Session> sessionsView() {
        return table.sessionsView();
    }

    /** Remote static keys this layer keeps state for (bounded like the sessions: an evicted idle peer goes). */
    int peerCount() {
        return table.peerCount();
    }

    /** Handshakes this shard started and has not finished. */
    public int handshakesInProgress() {
        return table.handshakeCount();
    }

    /** The shard that issued {@code localIndex} (its low bits), so a driver can hand a datagram over. */
    public static int shardOf(int localIndex, int shardBits) {
        return localIndex & ((1 << shardBits) - 1);
    }

    /**
     * Forces the under-load rule on (or back to the measured signal): initiations then need a valid mac2 (a cookie
     * round trip) and each source address, network and AS gets a few a second. Without it the layer decides itself,
     * from the CPU the initiations it receives would cost against {@link #setHandshakeCpuBudget its budget}.
     */
    public void setUnderLoad(boolean underLoad) {
        load.force(underLoad);
    }

    /**
     * The share of this shard's thread that initiations may cost before the layer asks for cookies (default 0.2);
     * 0 turns the measured signal off, leaving the layer without a defence against handshake floods.
     */
    public void setHandshakeCpuBudget(double share) {
        load.setBudget(share);
    }

    /**
     * The offline prefix → AS table (iptoasn.com's format, {@link AsnTable}) the per-AS rate limit reads; without
     * one only the per-address and per-/24 (/48) limits apply.
     */
    public void setAsnTable(AsnTable table) {
        responder.setAsnTable(table);
    }

    /**
     * Forces puzzles of {@code bits} leading zero bits on every Molia initiation under load (tests, with
     * {@link #setUnderLoad}); 0 returns to the measured difficulty.
     */
    public void setPuzzleBits(int bits) {
        load.forcePuzzle(bits);
    }

    /**
     * The driver's reading of how long this shard's thread has waited, runnable, for a CPU (cumulative ns; Linux's
     * schedstat): the load measure counts the budget on the time the thread could run, not on the wall time, so a
     * machine busy with other work lowers the shard's capacity, and the defence engages at what the shard can
     * really do. Not called: the budget is a share of the wall time.
     */
    public void onRunQueueDelay(long cumulativeNs) {
        load.onRunQueueDelay(cumulativeNs);
    }

    /** Whether initiations need a cookie now (the measured signal, or {@link #setUnderLoad}). */
    public boolean underLoad(long nowNs) {
        return load.underLoad(nowNs);
    }

    /**
     * Debug only: write every session's keys in the format of Wireshark's WireGuard key log ({@code wg.keylog_file})
     * to {@code writer}, each session's four lines in one {@code write} call, so the shards of a node may share one
     * writer. Anyone with that file decrypts the traffic: the driver warns loudly when it is on.
     */
    public void setKeyLog(java.io.Writer writer) {
        keyLog.setWriter(writer);
    }

    /** Lets a plain WireGuard peer (no Ed25519 identity) hold sessions, at {@code address} for our initiations. */
    public void allowPlainPeer(byte[] x25519PublicKey, NodeAddress address) {
        Peer peer = table.peer(x25519PublicKey);
        if (peer == null) {
            Contact c = new Contact(NodeId.ofPublicKey(x25519PublicKey), x25519PublicKey.clone(), 0, address);
            peer = new Peer(x25519PublicKey, c, address);
            table.addPeer(peer, false);
        }
        peer.pinned = true;
    }

    /** The next datagram to send, or null; see {@link Transmit} for how long it stays valid. */
    public Transmit pollTransmit() {
        return ring.poll();
    }

    /** The peer whose transport datagram {@link #onDatagram} authenticated, keepalives included; else null. */
    public NodeId lastAuthenticatedPeer() {
        Peer p = data.authenticated;
        return p == null || p.contact == null ? null : p.contact.id();
    }

    /**
     * A hole punch ({@code io.molia.relay}): a keepalive sealed on the confirmed session with {@code peer} but sent
     * to {@code direct} rather than to the session's endpoint (a relay). The endpoint moves there only if the peer
     * answers from there (roaming, as WireGuard does), so a punch that fails changes nothing. False without a
     * confirmed session.
     */
    public boolean sendKeepaliveTo(long nowNs, NodeId peer, NodeAddress direct) {
        Peer p = table.peerById(peer);
        Session s = p == null ? null : p.current;
        if (s == null || !s.confirmed || s.expired(nowNs)) {
            return false;
        }
        NodeAddress endpoint = p.address;
        p.address = direct; // the transmit slot takes the peer's address when sealed
        data.sendKeepalive(nowNs, s);
        p.address = endpoint;
        return true;
    }

    /**
     * Moves the peer {@code peer}'s endpoint to {@code to} (a new relay circuit an operator's connect opened): what
     * {@link #send} seals next leaves there, and the peer's answer from wherever it is moves it again (roaming). A
     * local choice of where to send, as setting a WireGuard peer's endpoint is: no handshake rule changes. False when
     * this shard keeps no state for the peer (then the next send starts a handshake at the address it is given).
     */
    public boolean moveEndpoint(NodeId peer, NodeAddress to) {
        Peer p = table.peerById(peer);
        if (p == null || p.pinned) {
            return false;
        }
        p.address = to;
        if (p.contact != null) {
            p.contact = p.contact.withAddress(to);
        }
        return true;
    }

    /** Where this shard sends to the peer {@code peer} now (its session's endpoint), or null when it has no state. */
    public NodeAddress endpointOf(NodeId peer) {
        Peer p = table.peerById(peer);
        return p == null ? null : p.address;
    }

    /**
     * Queues {@code data[off, off + len)} as it is, outside any session: a relay forwarding the two ends' ciphertext
     * ({@code io.molia.relay.Relay}). A full ring drops it, counted.
     */
    public void sendAsIs(NodeAddress to, byte[] data, int off, int len) {
        Transmit t = ring.claim(to, len);
        if (t != null) {
            System.arraycopy(data, off, t.data, 0, len);
        }
    }

    // ------------------------------------------------------------------ receiving

    /**
     * One datagram from {@code from}. Returns {@link #DELIVERED} (an inner plaintext is in {@link #delivery()}),
     * {@link #HANDLED} (handshake or keepalive work, maybe datagrams to send), or {@link #DROPPED} (counted).
     * Transport data is decrypted in place: {@code buf} is the driver's receive buffer, and the delivery points
     * into it.
     */
    public int onDatagram(long nowNs, long unixNanos, NodeAddress from, byte[] buf, int off, int len) {
        data.authenticated = null;
        if (len < 4) {
            counters.tooShort++;
            return DROPPED;
        }
        if (buf[off + 1] != 0 || buf[off + 2] != 0 || buf[off + 3] != 0) {
            counters.badReserved++;
            return DROPPED;
        }
        load.onDatagram(nowNs);
        int type = buf[off] & 0xff;
        return switch (type) {
            case WireGuardConstants.TYPE_TRANSPORT -> data.onTransport(nowNs, from, buf, off, len);
            case WireGuardConstants.TYPE_INITIATION, TYPE_MOLIA_INITIATION ->
                    responder.onInitiation(nowNs, unixNanos, from, buf, off, len, type == TYPE_MOLIA_INITIATION);
            case WireGuardConstants.TYPE_RESPONSE, TYPE_MOLIA_RESPONSE ->
                    initiator.onResponse(nowNs, from, buf, off, len);
            case WireGuardConstants.TYPE_COOKIE_REPLY -> initiator.onCookieReply(nowNs, unixNanos, buf, off, len);
            case TYPE_PUZZLE_REPLY -> initiator.onPuzzleReply(nowNs, unixNanos, buf, off, len);
            case TYPE_SOLVED_INITIATION -> responder.onSolvedInitiation(nowNs, unixNanos, from, buf, off, len);
            default -> {
                counters.unknownType++;
                yield DROPPED;
            }
        };
    }

    public Delivery delivery() {
        return delivery;
    }

    /**
     * The next peer that went past a rate limit from the address of its confirmed session, for its behaviour score
     * (at most one report a second per peer), or null. The driver takes them after each datagram.
     */
    public NodeId pollLimitedPeer() {
        return responder.pollLimitedPeer();
    }

    /** Sends the responses still waiting for an answer, empty: the initiator then re-sends as transport data. */
    public void finishResponses(long nowNs) {
        responder.finishResponses(nowNs);
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends an inner message to {@code to}: as transport data on a live session, inside the response when it
     * answers a Molia initiation (within the amplification bound), or inside a new Molia initiation to a peer
     * with no session (one round trip). Returns false when it had to be dropped (queue full, counted).
     */
    public boolean send(long nowNs, long unixNanos, Contact to, byte[] inner, int off, int len) {
        Peer peer = answersLastAuthenticated(to) ? data.authenticated : table.peerById(to.id());
        if (peer == null) {
            peer = table.peer(to.publicKeyBytes()); // a plain peer, keyed by its X25519 key
        }
        if (peer != null && peer.pendingResponse != null) {
            responder.answer(nowNs, peer, inner, off, len);
            return true;
        }
        Session s = peer == null ? null : peer.current;
        boolean live = s != null && !s.expired(nowNs) && s.confirmed;
        if (live && s.unansweredTooLong(nowNs)) {
            // the peer lost this session: the message waits for, or rides in, a new handshake (below)
            counters.unansweredSessionHandshakes += peer.handshake == null ? 1 : 0;
        } else if (live) {
            if (s.unansweredSinceNs == Session.NEVER) {
                s.unansweredSinceNs = nowNs;
            }
            boolean sent = data.seal(nowNs, s, inner, off, len);
            if (s.dueForRekey(nowNs) && peer.handshake == null) {
                initiator.initiate(nowNs, unixNanos, peer, null, 0, 0);
            }
            return sent;
        }
        if (peer == null) {
            byte[] x25519 = X25519Keys.fromEd25519PublicKey(to.publicKeyBytes());
            if (x25519 == null) {
                return false; // no Montgomery image: not a key anybody can hold a session with
            }
            peer = new Peer(x25519, to, to.address());
            table.addPeer(peer, true);
        }
        if (peer.handshake == null && !peer.pinned && !to.address().equals(peer.address)) {
            // No confirmed session: the caller's address, not one an unconfirmed initiation came from, is asked.
            peer.address = to.address();
            peer.contact = peer.contact.withAddress(to.address());
        }
        if (peer.handshake != null) {
            if (peer.queued.size() >= Peer.MAX_QUEUED) {
                counters.queueOverflow++;
                return false;
            }
            peer.queued.add(Arrays.copyOfRange(inner, off, off + len));
            return true;
        }
        initiator.initiate(nowNs, unixNanos, peer, inner, off, len);
        return true;
    }

    /**
     * Whether {@code to} is the peer whose datagram was just authenticated (an answer to its request, the common
     * case): that peer is then the table's entry for its ID without a lookup. A peer with a current session is never
     * forgotten ({@link SessionTable#idle}), so the one remembered here is still the table's.
     */
    private boolean answersLastAuthenticated(Contact to) {
        Peer last = data.authenticated;
        return last != null && last.current != null && last.contact.id().equals(to.id());
    }

    /** Starts a plain WireGuard handshake with an allowed plain peer (interoperability). */
    public void connectPlain(long nowNs, long unixNanos, byte[] x25519PublicKey) {
        Peer peer = table.peer(x25519PublicKey);
        if (peer == null) {
            throw new IllegalArgumentException("not an allowed plain peer");
        }
        initiator.initiatePlain(nowNs, unixNanos, peer);
    }

    /** Sends an IP packet (or any payload) on the plain peer's session, padded to 16 as WireGuard pads. */
    public boolean sendPlain(long nowNs, byte[] x25519PublicKey, byte[] packet, int off, int len) {
        Peer peer = table.peer(x25519PublicKey);
        if (peer == null || peer.current == null || !peer.current.confirmed) {
            return false;
        }
        return data.sendPadded(nowNs, peer.current, packet, off, len);
    }

    // ------------------------------------------------------------------ timers

    /**
     * Retransmits unanswered handshakes (every 5 s, up to 90 s), sends passive keepalives (10 s after the last
     * received data with nothing sent), forgets sessions past REJECT_AFTER_TIME and peers idle for as long: for the
     * peers whose deadline has come only. Call when {@code nowNs} reaches {@link #nextDeadlineNs} (calling more
     * often, e.g. once a second, does no harm).
     */
    public void onTimer(long nowNs, long unixNanos) {
        Peer peer;
        while ((peer = table.pollDue(nowNs)) != null) {
            table.removeExpired(peer, nowNs);
            if (SessionTable.idle(peer)
                    && nowNs - peer.lastInitiationAcceptedNs >= WireGuardConstants.REJECT_AFTER_TIME_NS) {
                table.forget(peer); // bounded memory: a peer with nothing live is remembered for three minutes at most
                continue;
            }
            data.keepaliveIfDue(nowNs, peer.current);
            initiator.retransmitIfDue(nowNs, unixNanos, peer);
            table.schedule(peer, SessionTable.nextDueNs(peer));
        }
    }

    /**
     * When {@link #onTimer} next has something to do, on the clock of {@code nowNs}; Long.MAX_VALUE when nothing is
     * scheduled. It may be early (a deadline that turns out to have nothing due), never late.
     */
    public long nextDeadlineNs() {
        return table.nextDeadlineNs();
    }
}
