package io.molia.codec;

/**
 * Reads protobuf wire format in place over {@code buf[off, limit)}, never past {@code limit}. Errors do not throw:
 * the first one sticks in {@link #status()} and every later read returns 0, so a decoder checks once per field.
 *
 * <p>Reusable; not thread-safe.
 */
final class ProtoReader {
    private byte[] buf;
    private int pos;
    private int limit;
    private DecodeStatus status = DecodeStatus.OK;

    ProtoReader reset(byte[] b, int off, int end) {
        this.buf = b;
        this.pos = off;
        this.limit = end;
        this.status = DecodeStatus.OK;
        return this;
    }

    DecodeStatus status() {
        return status;
    }

    boolean ok() {
        return status == DecodeStatus.OK;
    }

    boolean hasMore() {
        return ok() && pos < limit;
    }

    byte[] buffer() {
        return buf;
    }

    int position() {
        return pos;
    }

    int limit() {
        return limit;
    }

    /** Narrows the readable window to a nested message; returns the outer limit to restore with {@link #pop}. */
    int push(int length) {
        int outer = limit;
        limit = pos + length;
        return outer;
    }

    void pop(int outerLimit) {
        pos = limit;
        limit = outerLimit;
    }

    void fail(DecodeStatus s) {
        if (status == DecodeStatus.OK) {
            status = s;
        }
        pos = limit;
    }

    long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                fail(DecodeStatus.TRUNCATED);
                return 0;
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        fail(DecodeStatus.MALFORMED_VARINT);
        return 0;
    }

    long fixed64() {
        if (limit - pos < 8) {
            fail(DecodeStatus.TRUNCATED);
            return 0;
        }
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (buf[pos + i] & 0xff);
        }
        pos += 8;
        return v;
    }

    /** Reads a length prefix and checks the bytes are there; returns the length (0 after an error). */
    int lengthPrefix() {
        long len = varint();
        if (!ok()) {
            return 0;
        }
        if (len < 0 || len > limit - pos) {
            fail(DecodeStatus.TRUNCATED);
            return 0;
        }
        return (int) len;
    }

    /** Skips {@code n} bytes already known to be present (after {@link #lengthPrefix}). */
    void skip(int n) {
        pos += n;
    }

    /** Skips a field of unknown number: proto3 readers ignore what they do not know. */
    void skipField(int wireType) {
        switch (wireType) {
            case ProtoWriter.VARINT -> varint();
            case ProtoWriter.FIXED64 -> {
                if (limit - pos < 8) {
                    fail(DecodeStatus.TRUNCATED);
                } else {
                    pos += 8;
                }
            }
            case ProtoWriter.LENGTH_DELIMITED -> skip(lengthPrefix());
            case 5 -> {
                if (limit - pos < 4) {
                    fail(DecodeStatus.TRUNCATED);
                } else {
                    pos += 4;
                }
            }
            default -> fail(DecodeStatus.BAD_WIRE_TYPE);
        }
    }
}
