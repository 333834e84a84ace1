package io.molia.codec;

import java.util.ArrayList;
import java.util.List;

import io.molia.contact.NodeAddress;
import io.molia.record.MutableRecord;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;

/**
 * The record bodies of {@code molia.proto} (provider and mutable records), written and read for
 * {@link MessageCodec}. These are cold paths: decoding builds record objects (copies of the datagram's bytes).
 *
 * <pre>
 * NodeRecord     1: public_key  2: addresses (repeated, 6 | 18 B)  3: seq  4: features  5: signature
 *                6: announcement (ProvideAnnouncement; only in AddProvider and Providers)
 * ProvideAnnouncement  1: expires_seconds  2: signature
 * MutableRecord  1: public_key  2: salt  3: seq  4: value  5: signature
 * AddProvider    1: key  2: provider (NodeRecord)  3: ttl_seconds
 * Providers      1: providers (repeated NodeRecord)  2: closer (repeated Contact)
 * PutMutable     1: record  2: cas (optional: present even when 0)  3: ttl_seconds
 * MutableValue   1: record  2: ttl_seconds  3: closer (repeated Contact)
 * RecordAck      1: outcome  2: seq
 * </pre>
 * Owned by its codec's thread; not thread-safe.
 */
final class RecordBodies {
    static final int F_PUBLIC_KEY = 1;
    static final int F_ADDRESSES = 2;
    static final int F_NODE_SEQ = 3;
    static final int F_FEATURES = 4;
    static final int F_NODE_SIGNATURE = 5;
    static final int F_ANNOUNCEMENT = 6;
    static final int F_ANNOUNCEMENT_EXPIRES = 1;
    static final int F_ANNOUNCEMENT_SIGNATURE = 2;
    static final int F_SALT = 2;
    static final int F_MUTABLE_SEQ = 3;
    static final int F_VALUE = 4;
    static final int F_MUTABLE_SIGNATURE = 5;

    private final ProtoWriter writer;
    private final byte[] addressScratch = new byte[NodeAddress.IPV6_WIRE_BYTES];

    RecordBodies(ProtoWriter writer) {
        this.writer = writer;
    }

    // ---- sizes and writers of the nested records ----

    /** Bytes of a NodeRecord body with {@code announcement} (null: none). */
    int nodeRecordSize(SignedNodeRecord r, ProvideAnnouncement announcement) {
        int n = ProtoWriter.bytesFieldSize(F_PUBLIC_KEY, r.publicKey().length);
        for (NodeAddress a : r.addresses()) {
            n += ProtoWriter.tagSize(F_ADDRESSES) + ProtoWriter.varintSize(a.wireLength()) + a.wireLength();
        }
        n += varintFieldSize(F_NODE_SEQ, r.seq()) + varintFieldSize(F_FEATURES, r.features())
                + ProtoWriter.bytesFieldSize(F_NODE_SIGNATURE, r.signature().length);
        return announcement == null ? n : n + nestedSize(F_ANNOUNCEMENT, announcementSize(announcement));
    }

    private static int announcementSize(ProvideAnnouncement a) {
        return varintFieldSize(F_ANNOUNCEMENT_EXPIRES, a.expiresSeconds())
                + ProtoWriter.bytesFieldSize(F_ANNOUNCEMENT_SIGNATURE, a.signature().length);
    }

    void writeNodeRecord(int field, SignedNodeRecord r, ProvideAnnouncement announcement) {
        writer.messageHeader(field, nodeRecordSize(r, announcement));
        writer.bytesField(F_PUBLIC_KEY, r.publicKey(), 0, r.publicKey().length);
        for (NodeAddress a : r.addresses()) {
            int n = a.writeTo(addressScratch, 0);
            writer.tag(F_ADDRESSES, ProtoWriter.LENGTH_DELIMITED); // repeated: written even if empty (never is)
            writer.varint(n);
            for (int i = 0; i < n; i++) {
                writer.rawByte(addressScratch[i]);
            }
        }
        writer.uint64Field(F_NODE_SEQ, r.seq());
        writer.uint64Field(F_FEATURES, r.features());
        writer.bytesField(F_NODE_SIGNATURE, r.signature(), 0, r.signature().length);
        if (announcement != null) {
            writer.messageHeader(F_ANNOUNCEMENT, announcementSize(announcement));
            writer.uint64Field(F_ANNOUNCEMENT_EXPIRES, announcement.expiresSeconds());
            writer.bytesField(F_ANNOUNCEMENT_SIGNATURE, announcement.signature(), 0, announcement.signature().length);
        }
    }

    static int mutableRecordSize(MutableRecord r) {
        return ProtoWriter.bytesFieldSize(F_PUBLIC_KEY, r.publicKey().length)
                + ProtoWriter.bytesFieldSize(F_SALT, r.salt().length) + varintFieldSize(F_MUTABLE_SEQ, r.seq())
                + ProtoWriter.bytesFieldSize(F_VALUE, r.value().length)
                + ProtoWriter.bytesFieldSize(F_MUTABLE_SIGNATURE, r.signature().length);
    }

    void writeMutableRecord(int field, MutableRecord r) {
        writer.messageHeader(field, mutableRecordSize(r));
        writer.bytesField(F_PUBLIC_KEY, r.publicKey(), 0, r.publicKey().length);
        writer.bytesField(F_SALT, r.salt(), 0, r.salt().length);
        writer.uint64Field(F_MUTABLE_SEQ, r.seq());
        writer.bytesField(F_VALUE, r.value(), 0, r.value().length);
        writer.bytesField(F_MUTABLE_SIGNATURE, r.signature(), 0, r.signature().length);
    }

    static int nestedSize(int field, int size) {
        return ProtoWriter.tagSize(field) + ProtoWriter.varintSize(size) + size;
    }

    static int varintFieldSize(int field, long v) {
        return v == 0 ? 0 : ProtoWriter.tagSize(field) + ProtoWriter.varintSize(v);
    }

    // ---- readers: each reads one length-delimited nested record at the reader's position ----

    /**
     * Merges a MutableRecord body into {@code out}'s pending mutable fields (protobuf merges a nested message seen
     * twice: later fields win, absent ones stay).
     */
    static void readMutableRecord(ProtoReader r, WireMessage out) {
        int len = r.lengthPrefix();
        if (!r.ok()) {
            return;
        }
        int outer = r.push(len);
        out.hasMutable = true;
        while (r.hasMore()) {
            int tag = r.tag();
            int field = tag >>> 3;
            int wireType = tag & 7;
            if (!r.ok()) {
                return;
            }
            if (wireType == ProtoWriter.LENGTH_DELIMITED && field == F_PUBLIC_KEY) {
                out.mPublicKey = bytes(r);
            } else if (wireType == ProtoWriter.LENGTH_DELIMITED && field == F_SALT) {
                out.mSalt = bytes(r);
            } else if (wireType == ProtoWriter.VARINT && field == F_MUTABLE_SEQ) {
                out.mSeq = r.varint();
            } else if (wireType == ProtoWriter.LENGTH_DELIMITED && field == F_VALUE) {
                out.mValue = bytes(r);
            } else if (wireType == ProtoWriter.LENGTH_DELIMITED && field == F_MUTABLE_SIGNATURE) {
                out.mSignature = bytes(r);
            } else {
                r.skipField(wireType);
            }
        }
        if (r.ok()) {
            r.pop(outer);
        }
    }

    /** Merges a NodeRecord body into {@code into} (addresses append, as protobuf's repeated fields do). */
    static void readNodeRecord(ProtoReader r, NodeRecordParts into) {
        int len = r.lengthPrefix();
        if (!r.ok()) {
            return;
        }
        int outer = r.push(len);
        while (r.hasMore()) {
            int tag = r.tag();
            int field = tag >>> 3;
            int wireType = tag & 7;
            if (!r.ok()) {
                return;
            }
            if (wireType == ProtoWriter.LENGTH_DELIMITED && field == F_PUBLIC_KEY) {
                into.publicKey = bytes(r);
            } else if (wireType == ProtoWriter.LENGTH_DELIMITED && field == F_ADDRESSES) {
                int n = r.lengthPrefix();
                if (!r.ok()) {
                    return;
                }
                NodeAddress a = NodeAddress.readFrom(r.buffer(), r.position(), n);
                r.skip(n);
                if (a == null) {
                    into.badAddress = true;
                } else {
                    into.addresses.add(a);
                }
            } else if (wireType == ProtoWriter.VARINT && field == F_NODE_SEQ) {
                into.seq = r.varint();
            } else if (wireType == ProtoWriter.VARINT && field == F_FEATURES) {
                into.features = r.varint();
            } else if (wireType == ProtoWriter.LENGTH_DELIMITED && field == F_NODE_SIGNATURE) {
                into.signature = bytes(r);
            } else if (wireType == ProtoWriter.LENGTH_DELIMITED && field == F_ANNOUNCEMENT) {
                readAnnouncement(r, into);
            } else {
                r.skipField(wireType);
            }
        }
        if (r.ok()) {
            r.pop(outer);
        }
    }

    /** Merges a ProvideAnnouncement body into {@code into} (a second one merges field by field, as protobuf does). */
    private static void readAnnouncement(ProtoReader r, NodeRecordParts into) {
        int len = r.lengthPrefix();
        if (!r.ok()) {
            return;
        }
        int outer = r.push(len);
        into.announced = true;
        while (r.hasMore()) {
            int tag = r.tag();
            int field = tag >>> 3;
            int wireType = tag & 7;
            if (!r.ok()) {
                return;
            }
            if (wireType == ProtoWriter.VARINT && field == F_ANNOUNCEMENT_EXPIRES) {
                into.announcementExpiresSeconds = r.varint();
            } else if (wireType == ProtoWriter.LENGTH_DELIMITED && field == F_ANNOUNCEMENT_SIGNATURE) {
                into.announcementSignature = bytes(r);
            } else {
                r.skipField(wireType);
            }
        }
        if (r.ok()) {
            r.pop(outer);
        }
    }

    private static byte[] bytes(ProtoReader r) {
        int n = r.lengthPrefix();
        if (!r.ok()) {
            return EMPTY;
        }
        byte[] b = new byte[n];
        System.arraycopy(r.buffer(), r.position(), b, 0, n);
        r.skip(n);
        return b;
    }

    private static final byte[] EMPTY = new byte[0];

    /** A NodeRecord as read so far (fields merge until the body ends). */
    static final class NodeRecordParts {
        byte[] publicKey = EMPTY;
        final List<NodeAddress> addresses = new ArrayList<>(2);
        long seq;
        long features;
        byte[] signature = EMPTY;
        /** An address of neither 6 nor 18 bytes: the record is rejected. */
        boolean badAddress;
        boolean announced;
        long announcementExpiresSeconds;
        byte[] announcementSignature = EMPTY;

        SignedNodeRecord build() {
            return new SignedNodeRecord(publicKey, addresses, seq, features, signature);
        }

        /** The announcement sent with the record (not yet checked), or null when none was. */
        ProvideAnnouncement announcement() {
            return announced ? new ProvideAnnouncement(announcementExpiresSeconds, announcementSignature) : null;
        }
    }
}
