package io.molia.codec;

/**
 * Writes protobuf wire format (proto3) into a caller's array: the same bytes protobuf-java produces for the
 * schema in {@code molia.proto}, without its object model. Bounds are the caller's contract (a datagram buffer of
 * at least {@link MessageCodec#MAX_DATAGRAM_BYTES}); overruns throw, they are programming errors.
 *
 * <p>Reusable; not thread-safe.
 */
final class ProtoWriter {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;

    private byte[] buf;
    private int pos;

    ProtoWriter reset(byte[] out, int off) {
        this.buf = out;
        this.pos = off;
        return this;
    }

    int position() {
        return pos;
    }

    void tag(int field, int wireType) {
        varint((field << 3) | wireType);
    }

    void varint(long v) {
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    void rawByte(byte b) {
        buf[pos++] = b;
    }

    void fixed64(long v) {
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) v;
            v >>>= 8;
        }
    }

    void uint64Field(int field, long v) {
        if (v != 0) { // proto3 leaves default values out
            tag(field, VARINT);
            varint(v);
        }
    }

    void fixed64Field(int field, long v) {
        if (v != 0) {
            tag(field, FIXED64);
            fixed64(v);
        }
    }

    void bytesField(int field, byte[] src, int off, int len) {
        if (len != 0) {
            tag(field, LENGTH_DELIMITED);
            varint(len);
            System.arraycopy(src, off, buf, pos, len);
            pos += len;
        }
    }

    /** Starts a nested message of known encoded size (proto3 writes even an empty nested message). */
    void messageHeader(int field, int size) {
        tag(field, LENGTH_DELIMITED);
        varint(size);
    }

    static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    static int tagSize(int field) {
        return varintSize(field << 3);
    }

    static int bytesFieldSize(int field, int len) {
        return len == 0 ? 0 : tagSize(field) + varintSize(len) + len;
    }
}
