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
    /** Nested messages and groups around the current position; protobuf-java refuses more than 100. */
    private int depth;
    private int lastTag;
    private static final int MAX_DEPTH = 100;

    ProtoReader reset(byte[] b, int off, int end) {
        this.buf = b;
        this.pos = off;
        this.limit = end;
        this.status = DecodeStatus.OK;
        this.depth = 0;
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
        depth++;
        return outer;
    }

    void pop(int outerLimit) {
        pos = limit;
        limit = outerLimit;
        depth--;
    }

    void fail(DecodeStatus s) {
        if (status == DecodeStatus.OK) {
            status = s;
        }
        pos = limit;
    }

    /**
     * Reads a field tag as protobuf-java does: a varint truncated to 32 bits; field number 0 is invalid. Returns
     * the tag (0 after an error).
     */
    int tag() {
        int tag = varint32();
        lastTag = tag;
        if (ok() && tag >>> 3 == 0) {
            fail(DecodeStatus.BAD_TAG);
            return 0;
        }
        return tag;
    }

    /**
     * A 64-bit varint: at most ten bytes, the tenth 0 or 1 (all it can still carry is bit 63). protobuf-java's
     * fast path accepts some longer tenth bytes depending on where the varint sits in its buffer; Molia rejects
     * them all.
     */
    long varint() {
        return varint(1);
    }

    /** A 32-bit varint (tags, lengths, uint32 fields), read as protobuf-java does: a tenth byte must end it. */
    int varint32() {
        return (int) varint(0x7F);
    }

    private long varint(int maxTenthByte) {
        long result = 0;
        for (int shift = 0; shift < 63; shift += 7) {
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
        if (pos >= limit) {
            fail(DecodeStatus.TRUNCATED);
            return 0;
        }
        int tenth = buf[pos++] & 0xff;
        if (tenth > maxTenthByte) {
            fail(DecodeStatus.MALFORMED_VARINT);
            return 0;
        }
        return result | (long) tenth << 63;
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
        int len = varint32();
        if (!ok()) {
            return 0;
        }
        if (len < 0 || len > limit - pos) {
            fail(DecodeStatus.TRUNCATED);
            return 0;
        }
        return len;
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
            case ProtoWriter.START_GROUP -> skipGroup();
            default -> fail(DecodeStatus.BAD_WIRE_TYPE); // a stray end-group, or wire types 6 and 7
        }
    }

    /** Skips a deprecated group up to its matching end-group tag, as protobuf-java does with unknown groups. */
    private void skipGroup() {
        if (depth >= MAX_DEPTH) {
            fail(DecodeStatus.TOO_DEEP);
            return;
        }
        int field = lastTag >>> 3;
        depth++;
        while (ok()) {
            int tag = tag();
            if (ok() && (tag & 7) == ProtoWriter.END_GROUP) {
                if (tag >>> 3 != field) {
                    fail(DecodeStatus.BAD_WIRE_TYPE);
                }
                break;
            }
            skipField(tag & 7);
        }
        depth--;
    }
}
