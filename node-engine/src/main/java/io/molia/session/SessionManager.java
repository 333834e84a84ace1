package io.molia.session;

import static io.molia.session.WireGuardConstants.DATA_COUNTER;
import static io.molia.session.WireGuardConstants.DATA_RECEIVER;
import static io.molia.session.WireGuardConstants.TRANSPORT_HEADER_BYTES;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.ChaChaPoly;
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
 * delivered, {@link #finishResponses} after the core handled a delivery, and {@link #onTimer} about once a
 * second; drain {@link #pollTransmit} after each. Owned by one shard thread; not thread-safe.
 *
 * <p>Steady state allocates nothing (DESIGN §3.3): a data packet to an established session is sealed straight
 * into a slot of a bounded, pre-sized ring of {@link Transmit}s, and a received one is opened into a reusable
 * buffer ({@link #delivery()}); sessions are found by index without boxing. Handshakes allocate (cold path).
 */
public final class SessionManager {
    /** Molia's one-round-trip initiation: a WireGuard initiation whose payload carries the first request. */
    public static final int TYPE_MOLIA_INITIATION = 0x4D;
    /** Molia's response: a WireGuard response whose payload carries the first answer. */
    public static final int TYPE_MOLIA_RESPONSE = 0x4E;
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

    private static final int ED_KEY = 32;

    /** Where a delivered plaintext is. Reused; valid until the next call. */
    public static final class Delivery {
        public Session session;
        public Contact from;
        public byte[] data;
        public int offset;
        public int length;
    }

    /** The largest datagram the manager builds or opens (a Molia packet stays within 1280 bytes on the wire). */
    public static final int MAX_DATAGRAM_BYTES = 2048;
    /** Slots of the transmit ring: datagrams queued between two drains beyond this are dropped and counted. */
    public static final int TRANSMIT_SLOTS = 4096;

    /**
     * A datagram to send: {@code data()[0, length())} to {@code to()}. A slot of the manager's transmit ring,
     * reused once {@link #TRANSMIT_SLOTS} more datagrams have been queued: a driver sends (or copies) it before
     * it calls the manager again.
     */
    public static final class Transmit {
        private NodeAddress to;
        private byte[] data; // allocated when the slot is first used, then kept
        private int length;

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

    private final StaticIdentity local;
    private final byte[] localEd25519;
    private final byte[] psk;
    private final int shard;
    private final int shardBits;
    private final int maxSessions;
    private final RandomGenerator random;
    private final AdmissionPolicy admission;
    private final InitiationTimestamps timestamps;
    private final WireGuardHandshake wg = new WireGuardHandshake();
    private final ChaChaPoly aead = new ChaChaPoly();
    private final Map<ByteBuffer, Peer> peers = new HashMap<>();
    /** DHT peers by node ID: sending must not redo the Ed25519 → X25519 conversion each time. */
    private final Map<NodeId, Peer> peersById = new HashMap<>();
    private final IntObjectMap<Session> sessions;
    private final Map<Integer, Peer> handshakesByIndex = new HashMap<>();
    /**
     * Peers whose Molia response waits for the core's answer, so {@link #finishResponses} visits only them: it runs
     * after every datagram, and scanning every known peer there made each datagram cost O(peers).
     */
    private final ArrayList<Peer> responsesWaiting = new ArrayList<>();
    private final Transmit[] ring = new Transmit[TRANSMIT_SLOTS];
    private long ringHead; // next to poll
    private long ringTail; // next to fill
    private final ArrayList<Session> expired = new ArrayList<>();
    private final SessionCounters counters = new SessionCounters();
    private final Delivery delivery = new Delivery();
    private final byte[] payload = new byte[MAX_DATAGRAM_BYTES];
    private final byte[] out = new byte[MAX_DATAGRAM_BYTES];
    private final byte[] ephemeral = new byte[32];
    private final byte[] timestamp = new byte[Tai64n.BYTES];
    private final CookieJar cookies;
    private boolean underLoad;
    private java.io.Writer keyLog;

    /** Slots of the timestamp table of a manager that shares none (a client, a test). */
    private static final int OWN_TIMESTAMP_SLOTS = 4096;

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
        this.local = local;
        this.localEd25519 = localEd25519.clone();
        this.psk = psk.clone();
        this.shard = shard;
        this.shardBits = shardBits;
        this.maxSessions = maxSessions;
        this.random = random;
        this.admission = admission;
        this.timestamps = timestamps;
        this.cookies = new CookieJar(local, random);
        this.sessions = new IntObjectMap<>(Math.min(maxSessions, 1024) + 2);
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new Transmit();
        }
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
        Peer peer = peersById.get(id);
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
        Peer peer = peersById.get(id);
        if (peer == null) {
            return Long.MIN_VALUE;
        }
        if (peer.pendingResponse != null) {
            return Long.MAX_VALUE;
        }
        return peer.current == null ? Long.MIN_VALUE : peer.current.lastReceivedNs;
    }

    public int sessionCount() {
        return sessions.size();
    }

    /**
     * The live sessions, for an operator's view taken on this shard's thread (a new list; the sessions themselves
     * are live objects: read them on this thread only).
     */
    public java.util.List<Session> sessionsView() {
        java.util.List<Session> out = new java.util.ArrayList<>(sessions.size());
        for (int i = 0; i < sessions.slots(); i++) {
            Session s = sessions.valueAt(i);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** Remote static keys this layer keeps state for (bounded like the sessions: an evicted idle peer goes). */
    int peerCount() {
        return peers.size();
    }

    /** Handshakes this shard started and has not finished. */
    public int handshakesInProgress() {
        return handshakesByIndex.size();
    }

    /** The shard that issued {@code localIndex} (its low bits), so a driver can hand a datagram over. */
    public static int shardOf(int localIndex, int shardBits) {
        return localIndex & ((1 << shardBits) - 1);
    }

    /** Set by the driver when handshakes queue up: initiations then need a valid mac2 (a cookie round trip). */
    public void setUnderLoad(boolean underLoad) {
        this.underLoad = underLoad;
    }

    /**
     * Debug only: write every session's keys in the format of Wireshark's WireGuard key log ({@code wg.keylog_file})
     * to {@code writer}, each session's four lines in one {@code write} call, so the shards of a node may share one
     * writer. Anyone with that file decrypts the traffic: the driver warns loudly when it is on.
     */
    public void setKeyLog(java.io.Writer writer) {
        this.keyLog = writer;
    }

    /** Lets a plain WireGuard peer (no Ed25519 identity) hold sessions, at {@code address} for our initiations. */
    public void allowPlainPeer(byte[] x25519PublicKey, NodeAddress address) {
        Contact c = new Contact(NodeId.ofPublicKey(x25519PublicKey), x25519PublicKey.clone(), 0, address);
        peers.computeIfAbsent(ByteBuffer.wrap(x25519PublicKey.clone()), k -> new Peer(x25519PublicKey, c, address))
                .pinned = true;
    }

    /** The next datagram to send, or null; see {@link Transmit} for how long it stays valid. */
    public Transmit pollTransmit() {
        if (ringHead == ringTail) {
            return null;
        }
        return ring[(int) (ringHead++ & (TRANSMIT_SLOTS - 1))];
    }

    /** A free ring slot whose buffer holds at least {@code length} bytes, or null (full: dropped, counted). */
    private Transmit claim(NodeAddress to, int length) {
        if (ringTail - ringHead == TRANSMIT_SLOTS) {
            counters.transmitRingFull++;
            return null;
        }
        Transmit t = ring[(int) (ringTail++ & (TRANSMIT_SLOTS - 1))];
        if (t.data == null) {
            t.data = new byte[MAX_DATAGRAM_BYTES]; // first use of this slot: warm-up, not steady state
        }
        t.to = to;
        t.length = length;
        return t;
    }

    /** Queues a copy of {@code data[0, len)} (handshake messages, cookie replies). */
    private void queueCopy(NodeAddress to, byte[] data, int len) {
        Transmit t = claim(to, len);
        if (t != null) {
            System.arraycopy(data, 0, t.data, 0, len);
        }
    }

    // ------------------------------------------------------------------ receiving

    /**
     * One datagram from {@code from}. Returns {@link #DELIVERED} (an inner plaintext is in {@link #delivery()}),
     * {@link #HANDLED} (handshake or keepalive work, maybe datagrams to send), or {@link #DROPPED} (counted).
     */
    public int onDatagram(long nowNs, long unixNanos, NodeAddress from, byte[] buf, int off, int len) {
        if (len < 4) {
            counters.tooShort++;
            return DROPPED;
        }
        if (buf[off + 1] != 0 || buf[off + 2] != 0 || buf[off + 3] != 0) {
            counters.badReserved++;
            return DROPPED;
        }
        int type = buf[off] & 0xff;
        return switch (type) {
            case WireGuardConstants.TYPE_TRANSPORT -> onTransport(nowNs, from, buf, off, len);
            case WireGuardConstants.TYPE_INITIATION, TYPE_MOLIA_INITIATION ->
                    onInitiation(nowNs, unixNanos, from, buf, off, len, type == TYPE_MOLIA_INITIATION);
            case WireGuardConstants.TYPE_RESPONSE, TYPE_MOLIA_RESPONSE ->
                    onResponse(nowNs, unixNanos, from, buf, off, len);
            case WireGuardConstants.TYPE_COOKIE_REPLY -> onCookieReply(nowNs, buf, off, len);
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
     * An initiation proves only that its sender holds the static key, and anyone may replay it from anywhere: it is
     * accepted once (the node-wide timestamp rule), and until the initiator's first data message proves the keys it
     * changes nothing a replayer could exploit. The new session waits as the peer's next one (its current session,
     * address and contact stay), and a carried request is delivered with no session, for a read-only answer.
     */
    private int onInitiation(long nowNs, long unixNanos, NodeAddress from, byte[] buf, int off, int len,
            boolean molia) {
        if (molia ? len < MOLIA_INITIATION_MIN_BYTES : len != WireGuardConstants.INITIATION_BYTES) {
            counters.tooShort++;
            return DROPPED;
        }
        if (!wg.mac1Valid(local, buf, off, len)) {
            counters.badMac1++;
            return DROPPED;
        }
        if (underLoad && !wg.mac2Valid(cookies.cookieFor(nowNs, from), buf, off, len)) {
            byte[] reply = cookies.reply(nowNs, from, buf, off, len);
            queueCopy(from, reply, reply.length);
            counters.cookieRepliesSent++;
            return HANDLED;
        }
        WireGuardHandshake.State hs = new WireGuardHandshake.State();
        int payloadLen = wg.consumeInitiation(hs, local, buf, off, len, payload);
        if (payloadLen < 0) {
            counters.badHandshake++;
            return DROPPED;
        }
        Peer peer = peers.get(ByteBuffer.wrap(hs.remoteStatic));
        int tsOffset = 0;
        Contact contact;
        if (molia) {
            if (payloadLen < ED_KEY + Tai64n.BYTES + 2) {
                counters.badHandshake++;
                return DROPPED;
            }
            byte[] ed = Arrays.copyOf(payload, ED_KEY);
            byte[] derived = X25519Keys.fromEd25519PublicKey(ed);
            if (derived == null || !WireGuardHandshake.constantTimeEquals(derived, 0, hs.remoteStatic, 0, 32)) {
                counters.identityMismatch++; // the key in the payload is not the one the handshake proved
                return DROPPED;
            }
            NodeId id = NodeId.ofPublicKey(ed);
            if (!admission.admit(id, ed, 0)) {
                counters.notAdmitted++;
                return DROPPED;
            }
            contact = new Contact(id, ed, 0, from);
            tsOffset = ED_KEY;
        } else {
            if (peer == null) {
                counters.notAdmitted++; // a plain WireGuard key nobody allowed
                return DROPPED;
            }
            contact = peer.contact.withAddress(from);
        }
        if (peer != null && nowNs - peer.lastInitiationAcceptedNs < WireGuardConstants.HANDSHAKE_INITIATION_RATE_NS) {
            counters.rateLimited++;
            return DROPPED;
        }
        switch (timestamps.check(hs.remoteStatic, payload, tsOffset, unixNanos)) {
            case InitiationTimestamps.STALE -> {
                counters.staleTimestamp++;
                return DROPPED;
            }
            case InitiationTimestamps.REPLAYED -> {
                counters.replayedTimestamp++;
                return DROPPED;
            }
            case InitiationTimestamps.ACCEPTED_EVICTING -> counters.timestampsEvicted++;
            default -> { }
        }
        if (peer == null) {
            peer = new Peer(hs.remoteStatic, contact, from);
            peers.put(ByteBuffer.wrap(peer.remoteStatic), peer);
            if (molia) {
                peersById.put(contact.id(), peer);
            }
        }
        peer.lastInitiationAcceptedNs = nowNs;
        hs.localIndex = newLocalIndex();
        if (!molia) {
            respond(nowNs, peer, hs, from, new byte[0], 0, WireGuardConstants.TYPE_RESPONSE);
            return HANDLED;
        }
        // The answer to the carried request goes in the response: wait for the core (finishResponses).
        if (peer.pendingResponse == null) {
            responsesWaiting.add(peer); // listed while, and only while, a response waits
        }
        peer.pendingResponse = hs;
        peer.pendingResponseTo = from;
        peer.pendingResponseBudget = AMPLIFICATION_FACTOR * len;
        int innerLen = ((payload[tsOffset + Tai64n.BYTES] & 0xff) << 8) | (payload[tsOffset + Tai64n.BYTES + 1] & 0xff);
        int innerOff = tsOffset + Tai64n.BYTES + 2;
        if (innerLen == 0 || innerOff + innerLen > payloadLen) {
            return HANDLED;
        }
        delivery.session = null; // unconfirmed: maybe a replay, from wherever the replayer sits
        delivery.from = contact;
        delivery.data = payload;
        delivery.offset = innerOff;
        delivery.length = innerLen;
        return DELIVERED;
    }

    /** Sends the responses still waiting for an answer, empty: the initiator then re-sends as transport data. */
    public void finishResponses(long nowNs) {
        while (!responsesWaiting.isEmpty()) {
            Peer peer = responsesWaiting.getLast();
            respond(nowNs, peer, peer.pendingResponse, peer.pendingResponseTo, new byte[0], 0, TYPE_MOLIA_RESPONSE);
        }
    }

    private void respond(long nowNs, Peer peer, WireGuardHandshake.State hs, NodeAddress to, byte[] inner,
            int innerLen, int type) {
        peer.pendingResponse = null;
        responsesWaiting.remove(peer); // the list holds the responses of one datagram or read batch: short
        random.nextBytes(ephemeral);
        int payloadLen = 0;
        if (type == TYPE_MOLIA_RESPONSE) {
            payload[0] = (byte) (innerLen >>> 8);
            payload[1] = (byte) innerLen;
            System.arraycopy(inner, 0, payload, 2, innerLen);
            payloadLen = 2 + innerLen;
        }
        int len = wg.createResponse(hs, ephemeral, hs.localIndex, psk, payload, payloadLen, null, type, out);
        queueCopy(to, out, len);
        installNext(peer, new Session(peer, hs, false, nowNs));
        logKeys(hs);
        counters.handshakesCompleted++;
    }

    private int onResponse(long nowNs, long unixNanos, NodeAddress from, byte[] buf, int off, int len) {
        boolean molia = (buf[off] & 0xff) == TYPE_MOLIA_RESPONSE;
        if (molia ? len < WireGuardConstants.RESPONSE_BYTES + 2 : len != WireGuardConstants.RESPONSE_BYTES) {
            counters.tooShort++;
            return DROPPED;
        }
        if (!wg.mac1Valid(local, buf, off, len)) {
            counters.badMac1++;
            return DROPPED;
        }
        Peer peer = handshakesByIndex.get(WireGuardConstants.readIntLe(buf, off + WireGuardConstants.RESP_RECEIVER));
        if (peer == null || peer.handshake == null) {
            counters.unknownReceiverIndex++;
            return DROPPED;
        }
        WireGuardHandshake.State hs = peer.handshake;
        int payloadLen = wg.consumeResponse(hs, local, psk, buf, off, len, payload);
        if (payloadLen < 0) {
            counters.badHandshake++;
            return DROPPED;
        }
        handshakesByIndex.remove(hs.localIndex);
        peer.handshake = null;
        peer.handshakeInner = null;
        peer.address = from;
        peer.contact = peer.contact.withAddress(from);
        Session session = new Session(peer, hs, true, nowNs);
        install(peer, session);
        logKeys(hs);
        counters.handshakesCompleted++;
        // Key confirmation and the queued messages travel as transport data now.
        boolean sentSomething = false;
        byte[] queued;
        while ((queued = peer.queued.poll()) != null) {
            seal(nowNs, session, queued, 0, queued.length);
            sentSomething = true;
        }
        int innerLen = molia && payloadLen >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 0;
        if (innerLen > 0 && 2 + innerLen <= payloadLen) {
            if (!sentSomething) {
                seal(nowNs, session, payload, 0, 0); // confirm the keys at once: the responder may then send
                counters.keepalivesSent++;
            }
            delivery.session = session;
            delivery.from = peer.contact;
            delivery.data = payload;
            delivery.offset = 2;
            delivery.length = innerLen;
            counters.oneRoundTripAnswers++;
            return DELIVERED;
        }
        if (!sentSomething) {
            seal(nowNs, session, payload, 0, 0);
            counters.keepalivesSent++;
        }
        return HANDLED;
    }

    private int onTransport(long nowNs, NodeAddress from, byte[] buf, int off, int len) {
        if (len < WireGuardConstants.TRANSPORT_MIN_BYTES) {
            counters.tooShort++;
            return DROPPED;
        }
        Session s = sessions.get(WireGuardConstants.readIntLe(buf, off + DATA_RECEIVER));
        if (s == null) {
            counters.unknownReceiverIndex++;
            return DROPPED;
        }
        if (s.expired(nowNs) || nowNs - s.createdNs >= WireGuardConstants.REJECT_AFTER_TIME_NS) {
            counters.expiredSession++;
            return DROPPED;
        }
        if (len - TRANSPORT_HEADER_BYTES - ChaChaPoly.TAG_BYTES > payload.length) {
            counters.tooLong++;
            return DROPPED;
        }
        long counter = WireGuardConstants.readLongLe(buf, off + DATA_COUNTER);
        if (!s.replay.check(counter, WireGuardConstants.REJECT_AFTER_MESSAGES)) {
            counters.replayedCounter++;
            return DROPPED;
        }
        int plain = aead.open(s.receiveKey, counter, buf, off + TRANSPORT_HEADER_BYTES,
                len - TRANSPORT_HEADER_BYTES, null, payload, 0);
        if (plain < 0) {
            counters.badAead++;
            return DROPPED;
        }
        s.replay.accept(counter);
        s.lastReceivedNs = nowNs;
        s.packetsIn++;
        s.bytesIn += len;
        s.confirmed = true;
        Peer peer = s.peer;
        boolean confirmedNow = peer.next == s;
        if (confirmedNow) {
            promoteNext(peer); // the initiator proved the keys: its session, and its address, are now the peer's
        }
        if (!from.equals(peer.address)) {
            peer.address = from; // roaming: the newest authenticated address wins, as WireGuard does
            peer.contact = peer.contact.withAddress(from);
        }
        if (plain == 0) {
            if (confirmedNow) {
                delivery.session = s;
                delivery.from = peer.contact;
                delivery.length = 0;
                return CONFIRMED;
            }
            return HANDLED; // keepalive
        }
        delivery.session = s;
        delivery.from = peer.contact;
        delivery.data = payload;
        delivery.offset = 0;
        delivery.length = plain; // Molia data is not padded: a protobuf message cannot end in zero padding
        return DELIVERED;
    }

    private int onCookieReply(long nowNs, byte[] buf, int off, int len) {
        if (len != WireGuardConstants.COOKIE_REPLY_BYTES) {
            counters.tooShort++;
            return DROPPED;
        }
        Peer peer = handshakesByIndex.get(WireGuardConstants.readIntLe(buf, off + 4));
        if (peer == null) {
            counters.unknownReceiverIndex++;
            return DROPPED;
        }
        byte[] cookie = CookieJar.open(peer.remoteStatic, peer.lastMac1Sent, buf, off);
        if (cookie == null) {
            counters.badAead++;
            return DROPPED;
        }
        peer.cookie = cookie;
        peer.cookieReceivedNs = nowNs;
        return HANDLED;
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends an inner message to {@code to}: as transport data on a live session, inside the response when it
     * answers a Molia initiation (within the amplification bound), or inside a new Molia initiation to a peer
     * with no session (one round trip). Returns false when it had to be dropped (queue full, counted).
     */
    public boolean send(long nowNs, long unixNanos, Contact to, byte[] inner, int off, int len) {
        Peer peer = peersById.get(to.id());
        if (peer == null) {
            peer = plainPeerByContact(to);
        }
        if (peer != null && peer.pendingResponse != null) {
            if (WireGuardConstants.RESPONSE_BYTES + 2 + len <= peer.pendingResponseBudget) {
                counters.oneRoundTripAnswers++;
                respond(nowNs, peer, peer.pendingResponse, peer.pendingResponseTo,
                        Arrays.copyOfRange(inner, off, off + len), len, TYPE_MOLIA_RESPONSE);
            } else {
                counters.answersOverAmplificationBound++; // the initiator re-sends once it has the session
                respond(nowNs, peer, peer.pendingResponse, peer.pendingResponseTo, inner, 0, TYPE_MOLIA_RESPONSE);
            }
            return true;
        }
        Session s = peer == null ? null : peer.current;
        if (s != null && !s.expired(nowNs) && s.confirmed) {
            boolean sent = seal(nowNs, s, inner, off, len);
            if (s.dueForRekey(nowNs) && peer.handshake == null) {
                initiate(nowNs, unixNanos, peer, null, 0, 0);
            }
            return sent;
        }
        if (peer == null) {
            byte[] x25519 = X25519Keys.fromEd25519PublicKey(to.publicKeyBytes());
            if (x25519 == null) {
                return false; // no Montgomery image: not a key anybody can hold a session with
            }
            peer = new Peer(x25519, to, to.address());
            peers.put(ByteBuffer.wrap(peer.remoteStatic), peer);
            peersById.put(to.id(), peer);
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
        initiate(nowNs, unixNanos, peer, inner, off, len);
        return true;
    }

    /** Starts a plain WireGuard handshake with an allowed plain peer (interoperability). */
    public void connectPlain(long nowNs, long unixNanos, byte[] x25519PublicKey) {
        Peer peer = peers.get(ByteBuffer.wrap(x25519PublicKey));
        if (peer == null) {
            throw new IllegalArgumentException("not an allowed plain peer");
        }
        random.nextBytes(ephemeral);
        Tai64n.write(unixNanos, timestamp, 0);
        startHandshake(nowNs, peer, timestamp, Tai64n.BYTES, WireGuardConstants.TYPE_INITIATION);
    }

    /** Sends an IP packet (or any payload) on the plain peer's session, padded to 16 as WireGuard pads. */
    public boolean sendPlain(long nowNs, byte[] x25519PublicKey, byte[] packet, int off, int len) {
        Peer peer = peers.get(ByteBuffer.wrap(x25519PublicKey));
        if (peer == null || peer.current == null || !peer.current.confirmed) {
            return false;
        }
        Session s = peer.current;
        int padded = (len + 15) & ~15;
        Transmit t = claimTransport(s, padded);
        if (t == null) {
            return false;
        }
        // Pad in the slot, then seal in place.
        System.arraycopy(packet, off, t.data, TRANSPORT_HEADER_BYTES, len);
        Arrays.fill(t.data, TRANSPORT_HEADER_BYTES + len, TRANSPORT_HEADER_BYTES + padded, (byte) 0);
        sealInto(nowNs, s, t, t.data, TRANSPORT_HEADER_BYTES, padded);
        return true;
    }

    private void initiate(long nowNs, long unixNanos, Peer peer, byte[] inner, int off, int len) {
        Tai64n.write(unixNanos, timestamp, 0);
        System.arraycopy(localEd25519, 0, payload, 0, ED_KEY);
        System.arraycopy(timestamp, 0, payload, ED_KEY, Tai64n.BYTES);
        int innerAt = ED_KEY + Tai64n.BYTES;
        payload[innerAt] = (byte) (len >>> 8);
        payload[innerAt + 1] = (byte) len;
        if (len > 0) {
            System.arraycopy(inner, off, payload, innerAt + 2, len);
        }
        int payloadLen = innerAt + 2 + len;
        peer.handshakeInner = len > 0 ? Arrays.copyOfRange(inner, off, off + len) : null;
        // Pad so the answer fits the responder's 3x bound: 16 (AEAD tag) + 32 (macs) + fixed part + payload.
        int messageLen = WireGuardHandshake.INITIATION_FIXED_BYTES + payloadLen + 16 + 32;
        if (messageLen < MOLIA_INITIATION_MIN_BYTES) {
            Arrays.fill(payload, payloadLen, payloadLen + MOLIA_INITIATION_MIN_BYTES - messageLen, (byte) 0);
            payloadLen += MOLIA_INITIATION_MIN_BYTES - messageLen;
        }
        random.nextBytes(ephemeral);
        startHandshake(nowNs, peer, payload, payloadLen, TYPE_MOLIA_INITIATION);
    }

    private void startHandshake(long nowNs, Peer peer, byte[] hsPayload, int hsPayloadLen, int type) {
        if (peer.handshake != null) {
            handshakesByIndex.remove(peer.handshake.localIndex);
        }
        WireGuardHandshake.State hs = new WireGuardHandshake.State();
        byte[] cookie = peer.cookie != null && nowNs - peer.cookieReceivedNs < WireGuardConstants.COOKIE_REFRESH_TIME_NS
                ? peer.cookie : null;
        int len = wg.createInitiation(hs, local, peer.remoteStatic, ephemeral, newLocalIndex(), hsPayload,
                hsPayloadLen, cookie, type, out);
        System.arraycopy(out, len - 2 * WireGuardHandshake.MAC_BYTES, peer.lastMac1Sent, 0, WireGuardHandshake.MAC_BYTES);
        peer.handshake = hs;
        if (peer.handshakeStartedNs == 0 || nowNs - peer.handshakeStartedNs > WireGuardConstants.REKEY_ATTEMPT_TIME_NS) {
            peer.handshakeStartedNs = nowNs;
        }
        peer.lastInitiationSentNs = nowNs;
        handshakesByIndex.put(hs.localIndex, peer);
        queueCopy(peer.address, out, len);
        counters.handshakesInitiated++;
    }

    /** Seals {@code plain[off, +len)} as transport data straight into a ring slot; false when dropped. */
    private boolean seal(long nowNs, Session s, byte[] plain, int off, int len) {
        Transmit t = claimTransport(s, len);
        if (t == null) {
            return false;
        }
        sealInto(nowNs, s, t, plain, off, len);
        return true;
    }

    /** A slot for a transport message of {@code plainLen}, or null (too long or the ring is full: counted). */
    private Transmit claimTransport(Session s, int plainLen) {
        if (TRANSPORT_HEADER_BYTES + plainLen + ChaChaPoly.TAG_BYTES > MAX_DATAGRAM_BYTES) {
            counters.tooLongToSend++;
            return null;
        }
        return claim(s.peer.address, TRANSPORT_HEADER_BYTES + plainLen + ChaChaPoly.TAG_BYTES);
    }

    private void sealInto(long nowNs, Session s, Transmit t, byte[] plain, int off, int len) {
        byte[] msg = t.data;
        msg[0] = WireGuardConstants.TYPE_TRANSPORT;
        msg[1] = 0;
        msg[2] = 0;
        msg[3] = 0;
        WireGuardConstants.writeIntLe(msg, DATA_RECEIVER, s.remoteIndex);
        long counter = s.sendCounter++;
        WireGuardConstants.writeLongLe(msg, DATA_COUNTER, counter);
        aead.seal(s.sendKey, counter, plain, off, len, null, msg, TRANSPORT_HEADER_BYTES);
        s.lastSentNs = nowNs;
        s.packetsOut++;
        s.bytesOut += t.length;
    }

    // ------------------------------------------------------------------ timers

    /**
     * Retransmits unanswered handshakes (every 5 s, up to 90 s), sends passive keepalives (10 s after the last
     * received data with nothing sent), and forgets sessions past REJECT_AFTER_TIME. Call about once a second.
     */
    public void onTimer(long nowNs, long unixNanos) {
        for (int i = 0; i < sessions.slots(); i++) {
            Session s = sessions.valueAt(i);
            if (s != null && s.expired(nowNs)) {
                expired.add(s); // removed after the scan: removal moves entries between slots
            }
        }
        for (Session s : expired) {
            sessions.remove(s.localIndex);
            detach(s);
        }
        expired.clear();
        for (Peer peer : new ArrayList<>(peers.values())) {
            if (idle(peer) && nowNs - peer.lastInitiationAcceptedNs >= WireGuardConstants.REJECT_AFTER_TIME_NS) {
                forget(peer); // bounded memory: a peer with nothing live is remembered for three minutes at most
                continue;
            }
            Session s = peer.current;
            if (s != null && s.confirmed && s.lastReceivedNs > s.lastSentNs
                    && nowNs - s.lastSentNs >= WireGuardConstants.KEEPALIVE_TIMEOUT_NS) {
                if (seal(nowNs, s, payload, 0, 0)) {
                    counters.keepalivesSent++;
                }
            }
            if (peer.handshake != null && nowNs - peer.lastInitiationSentNs >= WireGuardConstants.REKEY_TIMEOUT_NS) {
                if (nowNs - peer.handshakeStartedNs >= WireGuardConstants.REKEY_ATTEMPT_TIME_NS) {
                    handshakesByIndex.remove(peer.handshake.localIndex);
                    peer.handshake = null; // give up; the core's own timeouts report the peer as failed
                    peer.queued.clear();
                } else {
                    byte[] inner = peer.handshakeInner;
                    initiate(nowNs, unixNanos, peer, inner, 0, inner == null ? 0 : inner.length);
                }
            }
        }
    }

    // ------------------------------------------------------------------ tables

    private void install(Peer peer, Session session) {
        if (peer.previous != null) {
            sessions.remove(peer.previous.localIndex);
        }
        peer.previous = peer.current;
        peer.current = session;
        sessions.put(session.localIndex, session);
        if (sessions.size() > maxSessions) {
            evictIdlest(session);
        }
    }

    /**
     * A session this node answered waits as the peer's next one until the initiator's first data message confirms
     * it: an unconfirmed (perhaps replayed) initiation must not displace the session the peer uses (WireGuard keeps
     * a responder's new keypair as "next" for the same reason). A newer initiation replaces a waiting one.
     */
    private void installNext(Peer peer, Session session) {
        if (peer.next != null) {
            sessions.remove(peer.next.localIndex);
        }
        peer.next = session;
        sessions.put(session.localIndex, session);
        if (sessions.size() > maxSessions) {
            evictIdlest(session);
        }
    }

    /** The peer's next session proved itself: it becomes current, the current one previous. */
    private void promoteNext(Peer peer) {
        if (peer.previous != null) {
            sessions.remove(peer.previous.localIndex);
        }
        peer.previous = peer.current;
        peer.current = peer.next;
        peer.next = null;
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

    /** Once the table is full, this share of it (the idlest sessions) is evicted in one pass. */
    static final int EVICTED_PER_PASS_DIVISOR = 16;

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
    private static boolean idle(Peer peer) {
        return !peer.pinned && peer.current == null && peer.previous == null && peer.next == null
                && peer.handshake == null && peer.pendingResponse == null;
    }

    private void forget(Peer peer) {
        peers.remove(ByteBuffer.wrap(peer.remoteStatic));
        if (peer.contact != null) {
            peersById.remove(peer.contact.id());
        }
    }

    private int newLocalIndex() {
        int index;
        do {
            index = (random.nextInt() << shardBits) | shard;
        } while (index == 0 || sessions.containsKey(index) || handshakesByIndex.containsKey(index));
        return index;
    }

    private Peer plainPeerByContact(Contact to) {
        return peers.get(ByteBuffer.wrap(to.publicKeyBytes()));
    }

    private void logKeys(WireGuardHandshake.State hs) {
        if (keyLog == null) {
            return;
        }
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        // Wireshark links a PRESHARED_KEY to the LOCAL_EPHEMERAL_PRIVATE_KEY line just before it: one block, one write.
        String block = "LOCAL_STATIC_PRIVATE_KEY = " + b64.encodeToString(local.privateKey()) + "\n"
                + "REMOTE_STATIC_PUBLIC_KEY = " + b64.encodeToString(hs.remoteStatic) + "\n"
                + "LOCAL_EPHEMERAL_PRIVATE_KEY = " + b64.encodeToString(hs.ephemeralPrivate) + "\n"
                + "PRESHARED_KEY = " + b64.encodeToString(psk) + "\n";
        try {
            keyLog.write(block);
            keyLog.flush();
        } catch (java.io.IOException e) {
            keyLog = null; // a debug aid must never take the node down
        }
    }
}
