package io.molia.session;

import java.util.Arrays;
import java.util.random.RandomGenerator;

import io.molia.contact.NodeAddress;
import io.molia.crypto.Blake2sStream;
import io.molia.session.SessionManager.Delivery;

/**
 * The initiator's side of handshakes: Molia initiations that carry the first request (padded for the responder's
 * 3× bound), plain WireGuard initiations, their retransmission every 5 s for up to 90 s, cookie replies (kept for
 * mac2), puzzle replies (a Molia initiation then goes solved, {@link AdmissionPuzzle}: 1-10 ms of this thread per
 * initiation to a responder under a flood), and the response that establishes the session and may carry the first
 * answer. Owned by the shard thread; not thread-safe.
 */
final class Initiator {
    private static final int ED_KEY = 32;

    private final StaticIdentity local;
    private final byte[] localEd25519;
    private final byte[] psk;
    private final RandomGenerator random;
    private final SessionTable table;
    private final TransmitRing ring;
    private final DataPath data;
    private final KeyLog keyLog;
    private final SessionCounters counters;
    private final Delivery delivery;
    private final WireGuardHandshake wg = new WireGuardHandshake();
    private final byte[] payload = new byte[SessionManager.MAX_DATAGRAM_BYTES];
    private final byte[] out = new byte[SessionManager.MAX_DATAGRAM_BYTES];
    private final byte[] solved = new byte[SessionManager.MAX_DATAGRAM_BYTES];
    private final Blake2sStream blake = new Blake2sStream();
    private final byte[] ephemeral = new byte[32];
    private final byte[] timestamp = new byte[Tai64n.BYTES];

    Initiator(StaticIdentity local, byte[] localEd25519, byte[] psk, RandomGenerator random, SessionTable table,
            TransmitRing ring, DataPath data, KeyLog keyLog, SessionCounters counters, Delivery delivery) {
        this.local = local;
        this.localEd25519 = localEd25519;
        this.psk = psk;
        this.random = random;
        this.table = table;
        this.ring = ring;
        this.data = data;
        this.keyLog = keyLog;
        this.counters = counters;
        this.delivery = delivery;
    }

    /** A Molia initiation to {@code peer} carrying {@code inner[off, +len)} (none when len is 0). */
    void initiate(long nowNs, long unixNanos, Peer peer, byte[] inner, int off, int len) {
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
        if (messageLen < SessionManager.MOLIA_INITIATION_MIN_BYTES) {
            int padding = SessionManager.MOLIA_INITIATION_MIN_BYTES - messageLen;
            Arrays.fill(payload, payloadLen, payloadLen + padding, (byte) 0);
            payloadLen += padding;
        }
        random.nextBytes(ephemeral);
        startHandshake(nowNs, peer, payload, payloadLen, SessionManager.TYPE_MOLIA_INITIATION);
    }

    /** A plain WireGuard initiation (interoperability): its payload is the timestamp alone. */
    void initiatePlain(long nowNs, long unixNanos, Peer peer) {
        random.nextBytes(ephemeral);
        Tai64n.write(unixNanos, timestamp, 0);
        startHandshake(nowNs, peer, timestamp, Tai64n.BYTES, WireGuardConstants.TYPE_INITIATION);
    }

    private void startHandshake(long nowNs, Peer peer, byte[] hsPayload, int hsPayloadLen, int type) {
        if (peer.handshake != null) {
            table.removeHandshake(peer.handshake.localIndex);
        }
        WireGuardHandshake.State hs = new WireGuardHandshake.State();
        byte[] cookie = peer.cookie != null && nowNs - peer.cookieReceivedNs < WireGuardConstants.COOKIE_REFRESH_TIME_NS
                ? peer.cookie : null;
        int len = wg.createInitiation(hs, local, peer.remoteStatic, ephemeral, table.newLocalIndex(), hsPayload,
                hsPayloadLen, cookie, type, out);
        System.arraycopy(out, len - 2 * WireGuardHandshake.MAC_BYTES, peer.lastMac1Sent, 0,
                WireGuardHandshake.MAC_BYTES);
        peer.handshake = hs;
        peer.lastInitiationHadMac2 = cookie != null;
        if (peer.handshakeStartedNs == 0
                || nowNs - peer.handshakeStartedNs > WireGuardConstants.REKEY_ATTEMPT_TIME_NS) {
            peer.handshakeStartedNs = nowNs;
        }
        peer.lastInitiationSentNs = nowNs;
        table.addHandshake(hs.localIndex, peer);
        table.schedule(peer, nowNs + WireGuardConstants.REKEY_TIMEOUT_NS);
        peer.lastInitiationHadPuzzle = false;
        if (type == SessionManager.TYPE_MOLIA_INITIATION && peer.puzzleToken != null
                && nowNs - peer.puzzleReceivedNs < AdmissionPuzzle.SECRET_ROTATION_NS) {
            int solvedLen = AdmissionPuzzle.solve(blake, random, peer.puzzleToken, peer.puzzleBits, out, len, solved);
            if (solvedLen > 0) {
                peer.lastInitiationHadPuzzle = true;
                ring.queueCopy(peer.address, solved, solvedLen);
                counters.handshakesInitiated++;
                return;
            }
        }
        ring.queueCopy(peer.address, out, len);
        counters.handshakesInitiated++;
    }

    /** Retransmits an unanswered initiation every 5 s, and gives up after 90 s. */
    void retransmitIfDue(long nowNs, long unixNanos, Peer peer) {
        if (peer.handshake == null || nowNs - peer.lastInitiationSentNs < WireGuardConstants.REKEY_TIMEOUT_NS) {
            return;
        }
        if (nowNs - peer.handshakeStartedNs >= WireGuardConstants.REKEY_ATTEMPT_TIME_NS) {
            table.removeHandshake(peer.handshake.localIndex);
            peer.handshake = null; // give up; the core's own timeouts report the peer as failed
            peer.queued.clear();
        } else {
            byte[] inner = peer.handshakeInner;
            initiate(nowNs, unixNanos, peer, inner, 0, inner == null ? 0 : inner.length);
        }
    }

    int onResponse(long nowNs, NodeAddress from, byte[] buf, int off, int len) {
        boolean molia = (buf[off] & 0xff) == SessionManager.TYPE_MOLIA_RESPONSE;
        if (molia ? len < WireGuardConstants.RESPONSE_BYTES + 2 : len != WireGuardConstants.RESPONSE_BYTES) {
            counters.tooShort++;
            return SessionManager.DROPPED;
        }
        if (!wg.mac1Valid(local, buf, off, len)) {
            counters.badMac1++;
            return SessionManager.DROPPED;
        }
        Peer peer = table.handshake(WireGuardConstants.readIntLe(buf, off + WireGuardConstants.RESP_RECEIVER));
        if (peer == null || peer.handshake == null) {
            counters.unknownReceiverIndex++;
            return SessionManager.DROPPED;
        }
        WireGuardHandshake.State hs = peer.handshake;
        int payloadLen = wg.consumeResponse(hs, local, psk, buf, off, len, payload);
        if (payloadLen < 0) {
            counters.badHandshake++;
            return SessionManager.DROPPED;
        }
        table.removeHandshake(hs.localIndex);
        peer.handshake = null;
        peer.handshakeInner = null;
        peer.address = from;
        peer.contact = peer.contact.withAddress(from);
        Session session = new Session(peer, hs, true, nowNs);
        table.install(peer, session);
        keyLog.log(hs);
        counters.handshakesCompleted++;
        // Key confirmation and the queued messages travel as transport data now.
        boolean sentSomething = false;
        byte[] queued;
        while ((queued = peer.queued.poll()) != null) {
            data.seal(nowNs, session, queued, 0, queued.length);
            sentSomething = true;
        }
        if (!sentSomething) {
            data.sendKeepalive(nowNs, session); // confirm the keys at once: the responder may then send
        }
        int innerLen = molia && payloadLen >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 0;
        if (innerLen > 0 && 2 + innerLen <= payloadLen) {
            delivery.session = session;
            delivery.from = peer.contact;
            delivery.data = payload;
            delivery.offset = 2;
            delivery.length = innerLen;
            counters.oneRoundTripAnswers++;
            return SessionManager.DELIVERED;
        }
        return SessionManager.HANDLED;
    }

    /**
     * A puzzle reply: the responder is past cookies and wants this initiation solved. The initiation goes again at
     * once, solved, but only if the one answered was not, or was solved at a lower difficulty: a responder that keeps
     * sending puzzle replies gets one retry per initiation and difficulty, never a loop (and a forged reply, which
     * needs the mac1 sent, at most that).
     */
    int onPuzzleReply(long nowNs, long unixNanos, byte[] buf, int off, int len) {
        if (len != AdmissionPuzzle.REPLY_BYTES) {
            counters.tooShort++;
            return SessionManager.DROPPED;
        }
        Peer peer = table.handshake(WireGuardConstants.readIntLe(buf, off + 4));
        if (peer == null || peer.pinned) {
            counters.unknownReceiverIndex++;
            return SessionManager.DROPPED;
        }
        byte[] token = new byte[AdmissionPuzzle.TOKEN_BYTES];
        int bits = AdmissionPuzzle.openReply(blake, peer.remoteStatic, peer.lastMac1Sent, buf, off, token);
        if (bits < 0) {
            counters.badAead++;
            return SessionManager.DROPPED;
        }
        boolean harder = bits > peer.puzzleBits; // the one solved was made harder meanwhile: at most 14 such steps
        peer.puzzleToken = token;
        peer.puzzleBits = bits;
        peer.puzzleReceivedNs = nowNs;
        if (peer.handshake != null && (!peer.lastInitiationHadPuzzle || harder)) {
            counters.retriesWithPuzzle++;
            byte[] inner = peer.handshakeInner;
            initiate(nowNs, unixNanos, peer, inner, 0, inner == null ? 0 : inner.length);
        }
        return SessionManager.HANDLED;
    }

    /**
     * A cookie reply: the responder is under load and wants a mac2 made with this cookie. The initiation it answered
     * goes again at once with mac2, not on the 5 s timer, but only if it had none: a responder that keeps sending
     * cookie replies gets one retry per initiation, never a loop.
     */
    int onCookieReply(long nowNs, long unixNanos, byte[] buf, int off, int len) {
        if (len != WireGuardConstants.COOKIE_REPLY_BYTES) {
            counters.tooShort++;
            return SessionManager.DROPPED;
        }
        Peer peer = table.handshake(WireGuardConstants.readIntLe(buf, off + 4));
        if (peer == null) {
            counters.unknownReceiverIndex++;
            return SessionManager.DROPPED;
        }
        byte[] cookie = CookieJar.open(peer.remoteStatic, peer.lastMac1Sent, buf, off);
        if (cookie == null) {
            counters.badAead++;
            return SessionManager.DROPPED;
        }
        peer.cookie = cookie;
        peer.cookieReceivedNs = nowNs;
        if (peer.handshake != null && !peer.lastInitiationHadMac2) {
            counters.retriesWithMac2++;
            if (peer.pinned) {
                initiatePlain(nowNs, unixNanos, peer);
            } else {
                byte[] inner = peer.handshakeInner;
                initiate(nowNs, unixNanos, peer, inner, 0, inner == null ? 0 : inner.length);
            }
        }
        return SessionManager.HANDLED;
    }
}
