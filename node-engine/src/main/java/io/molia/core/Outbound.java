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

    void fill(Contact destination, byte[] source, int len) {
        if (data == null) {
            data = new byte[io.molia.codec.MessageCodec.MAX_DATAGRAM_BYTES]; // first use of this slot only
        }
        System.arraycopy(source, 0, data, 0, len);
        to = destination;
        length = len;
    }

    void clear() {
        to = null;
    }
}
