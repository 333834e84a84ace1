package io.molia.session;

import static io.molia.session.WireGuardConstants.DATA_COUNTER;
import static io.molia.session.WireGuardConstants.DATA_RECEIVER;
import static io.molia.session.WireGuardConstants.TRANSPORT_HEADER_BYTES;

import java.util.Arrays;

import io.molia.contact.NodeAddress;
import io.molia.crypto.AeadEngine;
import io.molia.crypto.ChaChaPoly;
import io.molia.crypto.CryptoEngines;
import io.molia.session.SessionManager.Delivery;
import io.molia.session.SessionManager.Transmit;

/**
 * WireGuard transport data on established sessions: opens received data in place, in the driver's receive buffer
 * (replay window, roaming, the responder's key confirmation), and seals outgoing data straight into a transmit
 * slot. Allocates
 * nothing in steady state (DESIGN §3.3). Owned by the shard thread; not thread-safe.
 */
final class DataPath {
    private final SessionTable table;
    private final TransmitRing ring;
    private final SessionCounters counters;
    private final Delivery delivery;
    private final AeadEngine aead = CryptoEngines.newDataPathAead();
    /** The peer whose transport datagram was authenticated last (keepalives included), for relays' hole punches. */
    Peer authenticated;
    /** The empty payload of a keepalive. */
    private static final byte[] EMPTY = new byte[0];

    DataPath(SessionTable table, TransmitRing ring, SessionCounters counters, Delivery delivery) {
        this.table = table;
        this.ring = ring;
        this.counters = counters;
        this.delivery = delivery;
    }

    int onTransport(long nowNs, NodeAddress from, byte[] buf, int off, int len) {
        if (len < WireGuardConstants.TRANSPORT_MIN_BYTES) {
            counters.tooShort++;
            return SessionManager.DROPPED;
        }
        Session s = table.session(WireGuardConstants.readIntLe(buf, off + DATA_RECEIVER));
        if (s == null) {
            counters.unknownReceiverIndex++;
            return SessionManager.DROPPED;
        }
        if (s.expired(nowNs) || nowNs - s.createdNs >= WireGuardConstants.REJECT_AFTER_TIME_NS) {
            counters.expiredSession++;
            return SessionManager.DROPPED;
        }
        if (len > SessionManager.MAX_DATAGRAM_BYTES) {
            counters.tooLong++;
            return SessionManager.DROPPED;
        }
        long counter = WireGuardConstants.readLongLe(buf, off + DATA_COUNTER);
        if (!s.replay.check(counter, WireGuardConstants.REJECT_AFTER_MESSAGES)) {
            counters.replayedCounter++;
            return SessionManager.DROPPED;
        }
        // In place: the plaintext overwrites the ciphertext it came from (authenticated first), no copy.
        int plain = aead.open(s.receiveKey, counter, buf, off + TRANSPORT_HEADER_BYTES,
                len - TRANSPORT_HEADER_BYTES, null, buf, off + TRANSPORT_HEADER_BYTES);
        if (plain < 0) {
            counters.badAead++;
            return SessionManager.DROPPED;
        }
        s.replay.accept(counter);
        authenticated = s.peer;
        s.lastReceivedNs = nowNs;
        s.unansweredSinceNs = Session.NEVER;
        s.packetsIn++;
        s.bytesIn += len;
        s.confirmed = true;
        Peer peer = s.peer;
        boolean confirmedNow = peer.next == s;
        if (confirmedNow) {
            table.promoteNext(peer); // the initiator proved the keys: its session, and its address, are now the peer's
        }
        if (s == peer.current && s.lastSentNs + WireGuardConstants.KEEPALIVE_TIMEOUT_NS < peer.scheduledNs) {
            table.schedule(peer, s.lastSentNs + WireGuardConstants.KEEPALIVE_TIMEOUT_NS); // a passive keepalive
        }
        if (!from.equals(peer.address)) {
            peer.address = from; // roaming: the newest authenticated address wins, as WireGuard does
            peer.contact = peer.contact.withAddress(from);
        }
        table.indexAddress(peer);
        if (plain == 0) {
            if (confirmedNow) {
                delivery.session = s;
                delivery.from = peer.contact;
                delivery.length = 0;
                return SessionManager.CONFIRMED;
            }
            return SessionManager.HANDLED; // keepalive
        }
        delivery.session = s;
        delivery.from = peer.contact;
        delivery.data = buf;
        delivery.offset = off + TRANSPORT_HEADER_BYTES;
        delivery.length = plain; // Molia data is not padded: a protobuf message cannot end in zero padding
        return SessionManager.DELIVERED;
    }

    /** Seals {@code plain[off, +len)} as transport data straight into a ring slot; false when dropped. */
    boolean seal(long nowNs, Session s, byte[] plain, int off, int len) {
        Transmit t = claimTransport(s, len);
        if (t == null) {
            return false;
        }
        sealInto(nowNs, s, t, plain, off, len);
        return true;
    }

    /** An empty data message: confirms the keys, or keeps a session alive. */
    void sendKeepalive(long nowNs, Session s) {
        if (seal(nowNs, s, EMPTY, 0, 0)) {
            counters.keepalivesSent++;
        }
    }

    /** A passive keepalive 10 s after the last received data with nothing sent since (WireGuard's rule). */
    void keepaliveIfDue(long nowNs, Session s) {
        if (s != null && s.confirmed && s.lastReceivedNs > s.lastSentNs
                && nowNs - s.lastSentNs >= WireGuardConstants.KEEPALIVE_TIMEOUT_NS) {
            sendKeepalive(nowNs, s);
        }
    }

    /** Sends an IP packet (or any payload) on a plain peer's session, padded to 16 as WireGuard pads. */
    boolean sendPadded(long nowNs, Session s, byte[] packet, int off, int len) {
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

    /** A slot for a transport message of {@code plainLen}, or null (too long or the ring is full: counted). */
    private Transmit claimTransport(Session s, int plainLen) {
        if (TRANSPORT_HEADER_BYTES + plainLen + ChaChaPoly.TAG_BYTES > SessionManager.MAX_DATAGRAM_BYTES) {
            counters.tooLongToSend++;
            return null;
        }
        return ring.claim(s.peer.address, TRANSPORT_HEADER_BYTES + plainLen + ChaChaPoly.TAG_BYTES);
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
}
