package io.molia.session;

import io.molia.contact.NodeAddress;
import io.molia.session.SessionManager.Transmit;

/**
 * The session layer's bounded, pre-sized ring of datagrams to send: a slot's buffer is allocated at its first use
 * and then kept, so sealing data into a slot allocates nothing. Beyond its size (a power of two) in undrained
 * datagrams the newest is dropped and counted. Owned by the shard thread; not thread-safe.
 */
final class TransmitRing {
    private final Transmit[] ring;
    private final int mask;
    private final SessionCounters counters;
    private long head; // next to poll
    private long tail; // next to fill

    TransmitRing(int slots, SessionCounters counters) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("a ring of " + slots + " slots: a power of two is needed");
        }
        this.ring = new Transmit[slots];
        this.mask = slots - 1;
        this.counters = counters;
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new Transmit();
        }
    }

    int slots() {
        return ring.length;
    }

    /** The next datagram to send, or null. */
    Transmit poll() {
        if (head == tail) {
            return null;
        }
        return ring[(int) (head++ & mask)];
    }

    /** A free slot whose buffer holds at least {@code length} bytes, or null (full: dropped, counted). */
    Transmit claim(NodeAddress to, int length) {
        if (tail - head == ring.length) {
            counters.transmitRingFull++;
            return null;
        }
        Transmit t = ring[(int) (tail++ & mask)];
        if (t.data == null) {
            t.data = new byte[SessionManager.MAX_DATAGRAM_BYTES]; // first use of this slot: warm-up, not steady state
        }
        t.to = to;
        t.length = length;
        return t;
    }

    /** Queues a copy of {@code data[0, len)} (handshake messages, cookie replies). */
    void queueCopy(NodeAddress to, byte[] data, int len) {
        Transmit t = claim(to, len);
        if (t != null) {
            System.arraycopy(data, 0, t.data, 0, len);
        }
    }
}
