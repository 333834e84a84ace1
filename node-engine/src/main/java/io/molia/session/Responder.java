package io.molia.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.random.RandomGenerator;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.Blake2s;
import io.molia.crypto.X25519Keys;
import io.molia.session.SessionManager.AdmissionPolicy;
import io.molia.session.SessionManager.Delivery;

/**
 * The responder's side of handshakes: checks an initiation (mac1, under load mac2, identity, admission, the
 * node-wide replay rule), delivers the request a Molia initiation carries, and sends the response, with the
 * core's answer inside when it fits the 3× amplification bound. Owned by the shard thread; not thread-safe.
 */
final class Responder {
    private static final int ED_KEY = 32;
    /** A peer's limiter hits count for its score at most once a second. */
    static final long LIMITER_HIT_REPORT_SPACING_NS = 1_000_000_000L;
    /** Reports waiting for the driver; it takes them after every datagram, so this is never reached in practice. */
    private static final int MAX_LIMITED_PEERS_QUEUED = 64;

    private final StaticIdentity local;
    private final byte[] psk;
    private final RandomGenerator random;
    private final AdmissionPolicy admission;
    private final InitiationTimestamps timestamps;
    private final SessionTable table;
    private final TransmitRing ring;
    private final KeyLog keyLog;
    private final SessionCounters counters;
    private final Delivery delivery;
    private final CookieJar cookies;
    private final HandshakeLoad load;
    private final SourceLimits limits;
    private final AdmissionPuzzle puzzle;
    private final byte[] puzzleReply = new byte[AdmissionPuzzle.REPLY_BYTES];
    private final WireGuardHandshake wg = new WireGuardHandshake();
    /** Hashes an initiator's key into the shared replay table (its own: the table is shared by every shard). */
    private final Blake2s blake2s = new Blake2s();
    /**
     * Peers whose Molia response waits for the core's answer, so {@link #finishResponses} visits only them: it runs
     * after every datagram, and scanning every known peer there made each datagram cost O(peers).
     */
    private final ArrayList<Peer> responsesWaiting = new ArrayList<>();
    private final ArrayDeque<NodeId> limitedPeers = new ArrayDeque<>();
    private final byte[] payload = new byte[SessionManager.MAX_DATAGRAM_BYTES];
    private final byte[] out = new byte[SessionManager.MAX_DATAGRAM_BYTES];
    private final byte[] ephemeral = new byte[32];

    Responder(StaticIdentity local, byte[] psk, RandomGenerator random, AdmissionPolicy admission,
            InitiationTimestamps timestamps, SessionTable table, TransmitRing ring, KeyLog keyLog,
            SessionCounters counters, Delivery delivery, HandshakeLoad load) {
        this.local = local;
        this.psk = psk;
        this.random = random;
        this.admission = admission;
        this.timestamps = timestamps;
        this.table = table;
        this.ring = ring;
        this.keyLog = keyLog;
        this.counters = counters;
        this.delivery = delivery;
        this.cookies = new CookieJar(local, random);
        this.load = load;
        this.limits = new SourceLimits(counters);
        this.puzzle = new AdmissionPuzzle(local, random);
    }

    /** The prefix → AS table of the per-AS rate limit. */
    void setAsnTable(AsnTable table) {
        limits.setAsnTable(table);
    }

    /**
     * An initiation proves only that its sender holds the static key, and anyone may replay it from anywhere: it is
     * accepted once (the node-wide timestamp rule), and until the initiator's first data message proves the keys it
     * changes nothing a replayer could exploit. The new session waits as the peer's next one (its current session,
     * address and contact stay), and a carried request is delivered with no session, for a read-only answer.
     */
    int onInitiation(long nowNs, long unixNanos, NodeAddress from, byte[] buf, int off, int len, boolean molia) {
        return onInitiation(nowNs, unixNanos, from, buf, off, len, molia, false);
    }

    /**
     * A solved initiation ({@link AdmissionPuzzle}): a Molia initiation behind the solution of a puzzle this shard
     * issued to the sender's address. A bad token or an unsolved puzzle is dropped in silence; one solved at a
     * difficulty since raised gets the harder puzzle; a solved one proves the address (no mac2 needed) and goes on as
     * the initiation it wraps.
     */
    int onSolvedInitiation(long nowNs, long unixNanos, NodeAddress from, byte[] buf, int off, int len) {
        int innerOff = off + AdmissionPuzzle.SOLVED_HEADER_BYTES;
        int innerLen = len - AdmissionPuzzle.SOLVED_HEADER_BYTES;
        if (innerLen < SessionManager.MOLIA_INITIATION_MIN_BYTES) {
            counters.tooShort++;
            return SessionManager.DROPPED;
        }
        if (!AdmissionPuzzle.reservedBytesZero(buf, off)
                || (buf[innerOff] & 0xff) != SessionManager.TYPE_MOLIA_INITIATION
                || buf[innerOff + 1] != 0 || buf[innerOff + 2] != 0 || buf[innerOff + 3] != 0) {
            counters.badPuzzle++;
            return SessionManager.DROPPED;
        }
        // One step of slack: the difficulty may have risen since the puzzle was issued.
        int bits = load.puzzleBits(nowNs);
        int outcome = puzzle.check(nowNs, from, Math.max(1, bits - 1), buf, off, len);
        if (outcome == AdmissionPuzzle.TOO_EASY && wg.mac1Valid(local, buf, innerOff, innerLen)) {
            // A puzzle we issued to this address, since made harder: the sender proved its address, so it gets
            // today's puzzle (one reply per initiation, smaller than it), not a silence it would wait out.
            int n = puzzle.reply(nowNs, from, bits, buf, innerOff, innerLen, puzzleReply);
            ring.queueCopy(from, puzzleReply, n);
            counters.puzzleRepliesSent++;
            return SessionManager.HANDLED;
        }
        if (outcome != AdmissionPuzzle.SOLVED) {
            counters.badPuzzle++;
            return SessionManager.DROPPED;
        }
        return onInitiation(nowNs, unixNanos, from, buf, innerOff, innerLen, true, true);
    }

    /**
     * A limiter refused an initiation from {@code from}: if a peer holds a confirmed session from that very address,
     * the initiation is most likely its own (the limiters count addresses, not keys, before the handshake is opened),
     * and it is reported for its behaviour score, at most once per {@link #LIMITER_HIT_REPORT_SPACING_NS}: a flood
     * is one misdeed a second, not thousands.
     */
    private void reportLimitedPeer(long nowNs, NodeAddress from) {
        Peer proven = table.provenAt(from);
        if (proven == null || nowNs - proven.limiterHitReportedNs < LIMITER_HIT_REPORT_SPACING_NS) {
            return;
        }
        proven.limiterHitReportedNs = nowNs;
        if (limitedPeers.size() < MAX_LIMITED_PEERS_QUEUED) {
            limitedPeers.add(proven.contact.id());
            counters.limiterHitsByPeers++;
        }
    }

    /** The next peer reported for a limiter hit ({@link #reportLimitedPeer}), or null. */
    NodeId pollLimitedPeer() {
        return limitedPeers.poll();
    }

    private int onInitiation(long nowNs, long unixNanos, NodeAddress from, byte[] buf, int off, int len,
            boolean molia, boolean solved) {
        if (molia ? len < SessionManager.MOLIA_INITIATION_MIN_BYTES : len != WireGuardConstants.INITIATION_BYTES) {
            counters.tooShort++;
            return SessionManager.DROPPED;
        }
        if (!wg.mac1Valid(local, buf, off, len)) {
            counters.badMac1++;
            return SessionManager.DROPPED;
        }
        load.onOffered();
        if (load.underLoad(nowNs) || solved) {
            // Under load a handshake costs the sender a round trip first (a cookie bound to its address; past
            // cookies, a puzzle bound to it), and then its address, network and AS get a few a second: a flood
            // from one address costs a cookie or puzzle reply each.
            int bits = molia ? load.puzzleBits(nowNs) : 0;
            if (bits > 0 && !solved) {
                int n = puzzle.reply(nowNs, from, bits, buf, off, len, puzzleReply);
                ring.queueCopy(from, puzzleReply, n);
                counters.puzzleRepliesSent++;
                return SessionManager.HANDLED;
            }
            if (!solved && !wg.mac2Valid(cookies.cookieFor(nowNs, from), buf, off, len)) {
                byte[] reply = cookies.reply(nowNs, from, buf, off, len);
                ring.queueCopy(from, reply, reply.length);
                counters.cookieRepliesSent++;
                return SessionManager.HANDLED;
            }
            if (!limits.allow(nowNs, from)) {
                reportLimitedPeer(nowNs, from);
                return SessionManager.DROPPED; // counted by the limiter that said no
            }
            if (solved) {
                counters.puzzlesSolved++;
            } else {
                counters.handshakesWithMac2++;
            }
        }
        WireGuardHandshake.State hs = new WireGuardHandshake.State();
        int payloadLen = wg.consumeInitiation(hs, local, buf, off, len, payload);
        if (payloadLen < 0) {
            counters.badHandshake++;
            return SessionManager.DROPPED;
        }
        Peer peer = table.peer(hs.remoteStatic);
        int tsOffset = 0;
        Contact contact;
        if (molia) {
            if (payloadLen < ED_KEY + Tai64n.BYTES + 2) {
                counters.badHandshake++;
                return SessionManager.DROPPED;
            }
            byte[] ed = Arrays.copyOf(payload, ED_KEY);
            byte[] derived = X25519Keys.fromEd25519PublicKey(ed);
            if (derived == null || !WireGuardHandshake.constantTimeEquals(derived, 0, hs.remoteStatic, 0, 32)) {
                counters.identityMismatch++; // the key in the payload is not the one the handshake proved
                return SessionManager.DROPPED;
            }
            NodeId id = NodeId.ofPublicKey(ed);
            if (!admission.admit(id, ed, 0)) {
                counters.notAdmitted++;
                return SessionManager.DROPPED;
            }
            contact = new Contact(id, ed, 0, from);
            tsOffset = ED_KEY;
        } else {
            if (peer == null) {
                counters.notAdmitted++; // a plain WireGuard key nobody allowed
                return SessionManager.DROPPED;
            }
            contact = peer.contact.withAddress(from);
        }
        if (peer != null && nowNs - peer.lastInitiationAcceptedNs < WireGuardConstants.HANDSHAKE_INITIATION_RATE_NS) {
            counters.rateLimited++;
            return SessionManager.DROPPED;
        }
        switch (timestamps.check(blake2s, hs.remoteStatic, payload, tsOffset, unixNanos)) {
            case InitiationTimestamps.STALE -> {
                counters.staleTimestamp++;
                return SessionManager.DROPPED;
            }
            case InitiationTimestamps.REPLAYED -> {
                counters.replayedTimestamp++;
                return SessionManager.DROPPED;
            }
            case InitiationTimestamps.ACCEPTED_EVICTING -> counters.timestampsEvicted++;
            default -> { }
        }
        if (peer == null) {
            peer = new Peer(hs.remoteStatic, contact, from);
            table.addPeer(peer, molia);
        }
        peer.lastInitiationAcceptedNs = nowNs;
        load.onFullHandshake(nowNs);
        hs.localIndex = table.newLocalIndex();
        if (!molia) {
            respond(nowNs, peer, hs, from, new byte[0], 0, WireGuardConstants.TYPE_RESPONSE);
            return SessionManager.HANDLED;
        }
        // The answer to the carried request goes in the response: wait for the core (finishResponses).
        if (peer.pendingResponse == null) {
            responsesWaiting.add(peer); // listed while, and only while, a response waits
        }
        peer.pendingResponse = hs;
        peer.pendingResponseTo = from;
        peer.pendingResponseBudget = SessionManager.AMPLIFICATION_FACTOR * len;
        int innerLen = ((payload[tsOffset + Tai64n.BYTES] & 0xff) << 8) | (payload[tsOffset + Tai64n.BYTES + 1] & 0xff);
        int innerOff = tsOffset + Tai64n.BYTES + 2;
        if (innerLen == 0 || innerOff + innerLen > payloadLen) {
            return SessionManager.HANDLED;
        }
        delivery.session = null; // unconfirmed: maybe a replay, from wherever the replayer sits
        delivery.from = contact;
        delivery.data = payload;
        delivery.offset = innerOff;
        delivery.length = innerLen;
        return SessionManager.DELIVERED;
    }

    /**
     * The core's answer to the request the peer's waiting initiation carried, inside the response when it fits the
     * 3× bound; otherwise an empty response, and the initiator re-sends the request once it has the session.
     */
    void answer(long nowNs, Peer peer, byte[] inner, int off, int len) {
        if (WireGuardConstants.RESPONSE_BYTES + 2 + len <= peer.pendingResponseBudget) {
            counters.oneRoundTripAnswers++;
            respond(nowNs, peer, peer.pendingResponse, peer.pendingResponseTo,
                    Arrays.copyOfRange(inner, off, off + len), len, SessionManager.TYPE_MOLIA_RESPONSE);
        } else {
            counters.answersOverAmplificationBound++;
            respond(nowNs, peer, peer.pendingResponse, peer.pendingResponseTo, inner, 0,
                    SessionManager.TYPE_MOLIA_RESPONSE);
        }
    }

    /** Sends the responses still waiting for an answer, empty: the initiator then re-sends as transport data. */
    void finishResponses(long nowNs) {
        while (!responsesWaiting.isEmpty()) {
            Peer peer = responsesWaiting.getLast();
            respond(nowNs, peer, peer.pendingResponse, peer.pendingResponseTo, new byte[0], 0,
                    SessionManager.TYPE_MOLIA_RESPONSE);
        }
    }

    private void respond(long nowNs, Peer peer, WireGuardHandshake.State hs, NodeAddress to, byte[] inner,
            int innerLen, int type) {
        peer.pendingResponse = null;
        responsesWaiting.remove(peer); // the list holds the responses of one datagram or read batch: short
        random.nextBytes(ephemeral);
        int payloadLen = 0;
        if (type == SessionManager.TYPE_MOLIA_RESPONSE) {
            payload[0] = (byte) (innerLen >>> 8);
            payload[1] = (byte) innerLen;
            System.arraycopy(inner, 0, payload, 2, innerLen);
            payloadLen = 2 + innerLen;
        }
        int len = wg.createResponse(hs, ephemeral, hs.localIndex, psk, payload, payloadLen, null, type, out);
        ring.queueCopy(to, out, len);
        table.installNext(peer, new Session(peer, hs, false, nowNs));
        keyLog.log(hs);
        counters.handshakesCompleted++;
    }
}
