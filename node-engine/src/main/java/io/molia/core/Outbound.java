package io.molia.core;

import io.molia.contact.Contact;

/**
 * A datagram the core asks its driver to send: to whom, and the inner message bytes {@code data()[0, length())}.
 * Slots are reused: an Outbound returned by {@link NodeCore#pollTransmit} is valid until the next call into that
 * core; a driver that keeps the bytes longer copies them.
 */
public final class Outbound {
    private Contact to;
    private byte[] data;
    private int length;
    private boolean reply;

    Outbound() {
    }

    public Contact to() {
        return to;
    }

    public byte[] data() {
        return data;
    }

    public int length() {
        return length;
    }

    /**
     * An answer to a request {@code to} sent: sealed on the session the request came on. Otherwise a request of this
     * core, sealed on the session this node opens to the peer.
     */
    public boolean reply() {
        return reply;
    }

    /** Gives the slot a buffer borrowed from a {@link TransmitBuffers}. */
    void lend(byte[] buffer) {
        data = buffer;
    }

    /** Takes the slot's buffer back (the slot holds none until the next {@link #lend}). */
    byte[] takeBack() {
        byte[] buffer = data;
        data = null;
        return buffer;
    }

    /** The slot's buffer, allocated on the slot's first use only. */
    byte[] buffer() {
        if (data == null) {
            data = new byte[io.molia.codec.MessageCodec.MAX_DATAGRAM_BYTES];
        }
        return data;
    }

    void set(Contact destination, int len, boolean isReply) {
        to = destination;
        length = len;
        reply = isReply;
    }
}
