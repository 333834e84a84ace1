package io.molia.codec;

import java.util.List;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;
import io.molia.record.MutableRecord;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;
import io.molia.record.WriteOutcome;

/**
 * Encodes and decodes Molia's inner messages ({@code Envelope} of {@code molia.proto}) in protobuf wire format,
 * in place, with no object model between the bytes and the core.
 *
 * <pre>
 * Envelope   1: version (varint)   2: request_id (fixed64)   3: min_version (varint, only when below version)
 *            4: features (varint, only when any)             5: pow_nonce (varint, the sender's own, when any)
 *            10..39: oneof body (length-delimited)
 * Contact    1: public_key (32 B)  2: pow_nonce (varint)     3: address (6 B IPv4 | 18 B IPv6, port last)
 *            4: relay_public_key (32 B)  5: relay_address (as 3): both or neither, a peer reached through a relay
 * FindNode / FindValue   1: target/key (32 B)
 * Nodes      1: repeated Contact  2: write_token (fixed64)  Pong   1: observed_address  2: dial_back_sent (bool)
 * DialBack   1: nonce (fixed64)  2: mode (varint)
 * Value      1: value  2: ttl_seconds  3: write_token (fixed64)
 * Store      1: key  2: value  3: ttl_seconds  4: write_token (fixed64)
 * StoreAck   1: stored (bool)               Error  1: code  2: min_version  3: max_version
 * GetProviders / GetMutable   1: key (32 B)   the other record bodies: see {@link RecordBodies}
 * RelayReserve  1: nat_type   RelayConnect  1: target (32 B)  2: nat_type  3: for_requests (bool)
 * RelayIncoming  1: circuit  2: repeated Contact (one)  3: initiator_nat_type
 * RelayClose     1: circuit
 * RelayAnswer  1: circuit (varint)  2: refusal (varint)  3: expires_seconds (varint)  4: peer_address
 *              5: peer_nat_type
 * BlobFrame  1: frame (a BulkFrame, checked by its transfers)  2: write_token (fixed64)
 * </pre>
 * Unknown fields are skipped; an unknown body yields {@link DecodeStatus#UNKNOWN_BODY} with the envelope's
 * request id filled in so the core can answer with its supported version range.
 *
 * <p>Owned by one thread (it reuses a BLAKE3 digest and scratch space); not thread-safe.
 */
public final class MessageCodec {
    /** Largest inner message: 1280 on the wire minus IPv6+UDP (48) and WireGuard framing and padding (48). */
    public static final int MAX_DATAGRAM_BYTES = 1184;
    /**
     * Envelope fields kept for the body oneof: a length-delimited field in this range that this release does not know
     * is a newer body ({@link DecodeStatus#UNKNOWN_BODY}), anything else unknown is skipped. The protobuf reference
     * of the differential fuzzing reads the same range.
     */
    public static final int FIRST_BODY_FIELD = 10;
    public static final int LAST_BODY_FIELD = 39;
    public static final int ERROR_UNSUPPORTED = 1;

    private static final int F_VERSION = 1;
    private static final int F_REQUEST_ID = 2;
    private static final int F_MIN_VERSION = 3;
    private static final int F_FEATURES = 4;
    private static final int F_POW_NONCE = 5;
    private static final int F_NODES_TOKEN = 2;
    private static final int F_VALUE_TOKEN = 3;
    private static final int F_STORE_TOKEN = 4;
    private static final int F_BLOB_TOKEN = 2;
    /** A write token on the wire: tag and 8 bytes. */
    private static final int TOKEN_FIELD_BYTES = 9;
    private static final int F_CONTACT_KEY = 1;
    private static final int F_CONTACT_POW = 2;
    private static final int F_CONTACT_ADDRESS = 3;
    private static final int F_CONTACT_RELAY_KEY = 4;
    private static final int F_CONTACT_RELAY_ADDRESS = 5;

    private final ProtocolRange protocol;
    /** Feature bits added to the protocol's at run time (this node's DHT role). */
    private long extraFeatures;
    private final long powNonce;
    private final ProtoWriter writer = new ProtoWriter();
    private final ProtoReader reader = new ProtoReader();
    private final Blake3 blake3 = new Blake3();
    private final byte[] idScratch = new byte[NodeId.BYTES];
    private final byte[] addressScratch = new byte[NodeAddress.IPV6_WIRE_BYTES];
    private final RecordBodies records = new RecordBodies(writer);
    /** IDs of keys decoded before, or null: every contact's key is hashed. */
    private KnownIds knownIds;

    /** A codec writing {@code protocolVersion} and nothing more in its envelopes. */
    public MessageCodec(int protocolVersion) {
        this(new ProtocolRange(protocolVersion, protocolVersion, 0));
    }

    /** A codec writing {@code protocol}'s version, and its lowest version and feature bits when they say more. */
    public MessageCodec(ProtocolRange protocol) {
        this(protocol, 0);
    }

    /** As {@link #MessageCodec(ProtocolRange)}, and {@code powNonce}, the sender's own, in every envelope. */
    public MessageCodec(ProtocolRange protocol, long powNonce) {
        this.protocol = protocol;
        this.powNonce = powNonce;
    }

    /** Takes decoded contacts' IDs from {@code shared} when it knows their keys (see {@link KnownIds}). */
    public void knownIds(KnownIds shared) {
        this.knownIds = shared;
    }

    /** Feature bits written beside the protocol's from now on (the node's DHT role changed). */
    public void extraFeatures(long features) {
        this.extraFeatures = features;
    }

    // ---- encoding: each returns the end offset of the message written at {@code off} ----

    public int encodePing(byte[] out, int off, long requestId) {
        header(out, off, requestId).messageHeader(MessageKind.PING.field(), 0);
        return writer.position();
    }

    public int encodePong(byte[] out, int off, long requestId, NodeAddress observed) {
        return encodePong(out, off, requestId, observed, false);
    }

    /** A PONG; {@code dialBackSent} when it answers a DIAL_BACK whose probe went out. */
    public int encodePong(byte[] out, int off, long requestId, NodeAddress observed, boolean dialBackSent) {
        int addrLen = observed.writeTo(addressScratch, 0);
        header(out, off, requestId).messageHeader(MessageKind.PONG.field(),
                ProtoWriter.bytesFieldSize(1, addrLen) + (dialBackSent ? 2 : 0));
        writer.bytesField(1, addressScratch, 0, addrLen);
        if (dialBackSent) {
            writer.uint64Field(2, 1);
        }
        return writer.position();
    }

    public int encodeDialBack(byte[] out, int off, long requestId, long nonce, int mode) {
        header(out, off, requestId).messageHeader(MessageKind.DIAL_BACK.field(),
                (nonce != 0 ? 9 : 0) + uint64FieldSize(2, mode));
        writer.fixed64Field(1, nonce);
        writer.uint64Field(2, mode);
        return writer.position();
    }

    /** RELAY_RESERVE: asks a reachable peer to relay for this node, behind a NAT of type {@code natType}. */
    public int encodeRelayReserve(byte[] out, int off, long requestId, int natType) {
        header(out, off, requestId).messageHeader(MessageKind.RELAY_RESERVE.field(), uint64FieldSize(1, natType));
        writer.uint64Field(1, natType);
        return writer.position();
    }

    /**
     * RELAY_CONNECT: asks a relay for a circuit to {@code target}, a client holding a reservation there, from a node
     * behind a NAT of type {@code natType}.
     */
    public int encodeRelayConnect(byte[] out, int off, long requestId, NodeId target, int natType) {
        return encodeRelayConnect(out, off, requestId, target, natType, false);
    }

    /** RELAY_CONNECT; {@code forRequests}: a circuit for DHT requests to a relayed server (field 3). */
    public int encodeRelayConnect(byte[] out, int off, long requestId, NodeId target, int natType,
            boolean forRequests) {
        header(out, off, requestId).messageHeader(MessageKind.RELAY_CONNECT.field(),
                ProtoWriter.bytesFieldSize(1, NodeId.BYTES) + uint64FieldSize(2, natType)
                        + uint64FieldSize(3, forRequests ? 1 : 0));
        target.writeTo(idScratch, 0);
        writer.bytesField(1, idScratch, 0, NodeId.BYTES);
        writer.uint64Field(2, natType);
        writer.uint64Field(3, forRequests ? 1 : 0);
        return writer.position();
    }

    /**
     * RELAY_ANSWER: {@code circuit} (0: none), {@code refusal} (0: granted), {@code expiresSeconds} (0: none), the
     * target's address as the relay sees it ({@code peer} null: none) and its NAT type as its reservation said.
     */
    public int encodeRelayAnswer(byte[] out, int off, long requestId, int circuit, int refusal, long expiresSeconds,
            NodeAddress peer, int peerNatType) {
        int addrLen = peer == null ? 0 : peer.writeTo(addressScratch, 0);
        long circuitBits = circuit & 0xffff_ffffL;
        header(out, off, requestId).messageHeader(MessageKind.RELAY_ANSWER.field(), uint64FieldSize(1, circuitBits)
                + uint64FieldSize(2, refusal) + uint64FieldSize(3, expiresSeconds)
                + (peer == null ? 0 : ProtoWriter.bytesFieldSize(4, addrLen)) + uint64FieldSize(5, peerNatType));
        writer.uint64Field(1, circuitBits);
        writer.uint64Field(2, refusal);
        writer.uint64Field(3, expiresSeconds);
        if (peer != null) {
            writer.bytesField(4, addressScratch, 0, addrLen);
        }
        writer.uint64Field(5, peerNatType);
        return writer.position();
    }

    /**
     * RELAY_INCOMING: tells a client a circuit to it opened, from {@code initiator} (seen at its address), behind a
     * NAT of type {@code initiatorNatType}.
     */
    public int encodeRelayIncoming(byte[] out, int off, long requestId, int circuit, Contact initiator,
            int initiatorNatType) {
        long circuitBits = circuit & 0xffff_ffffL;
        header(out, off, requestId).messageHeader(MessageKind.RELAY_INCOMING.field(), uint64FieldSize(1, circuitBits)
                + nestedSize(2, contactSize(initiator)) + uint64FieldSize(3, initiatorNatType));
        writer.uint64Field(1, circuitBits);
        writer.messageHeader(2, contactSize(initiator));
        writeContact(initiator);
        writer.uint64Field(3, initiatorNatType);
        return writer.position();
    }

    /** RELAY_CLOSE: ends circuit {@code circuit} (an end tells its relay, or the relay tells an end). */
    public int encodeRelayClose(byte[] out, int off, long requestId, int circuit) {
        long circuitBits = circuit & 0xffff_ffffL;
        header(out, off, requestId).messageHeader(MessageKind.RELAY_CLOSE.field(), uint64FieldSize(1, circuitBits));
        writer.uint64Field(1, circuitBits);
        return writer.position();
    }

    public int encodeFindNode(byte[] out, int off, long requestId, NodeId target) {
        return encodeKeyed(out, off, requestId, MessageKind.FIND_NODE, target);
    }

    public int encodeFindValue(byte[] out, int off, long requestId, NodeId key) {
        return encodeKeyed(out, off, requestId, MessageKind.FIND_VALUE, key);
    }

    /** Writes as many of {@code contacts} as fit in one datagram, in order (callers pass closest first). */
    public int encodeNodes(byte[] out, int off, long requestId, List<Contact> contacts) {
        return encodeNodes(out, off, requestId, contacts.toArray(new Contact[0]), contacts.size());
    }

    /** {@link #encodeNodes(byte[], int, long, List)} over {@code contacts[0, available)}, allocation-free. */
    public int encodeNodes(byte[] out, int off, long requestId, Contact[] contacts, int available) {
        return encodeNodes(out, off, requestId, contacts, available, 0);
    }

    /** As {@link #encodeNodes(byte[], int, long, Contact[], int)}, with the asker's write token (0: none). */
    public int encodeNodes(byte[] out, int off, long requestId, Contact[] contacts, int available, long writeToken) {
        header(out, off, requestId);
        int tokenBytes = writeToken == 0 ? 0 : TOKEN_FIELD_BYTES;
        int budget = MAX_DATAGRAM_BYTES - (writer.position() - off) - 4 - tokenBytes;
        int count = 0;
        int bodySize = 0;
        for (int i = 0; i < available; i++) {
            int size = nestedSize(1, contactSize(contacts[i]));
            if (bodySize + size > budget) {
                break;
            }
            bodySize += size;
            count++;
        }
        writer.messageHeader(MessageKind.NODES.field(), bodySize + tokenBytes);
        for (int i = 0; i < count; i++) {
            Contact c = contacts[i];
            writer.messageHeader(1, contactSize(c));
            writeContact(c);
        }
        writer.fixed64Field(F_NODES_TOKEN, writeToken);
        return writer.position();
    }

    public int encodeValue(byte[] out, int off, long requestId, byte[] value, int valueOff, int valueLen,
            long ttlSeconds) {
        return encodeValue(out, off, requestId, value, valueOff, valueLen, ttlSeconds, 0);
    }

    /** A VALUE with the asker's write token (0: none). */
    public int encodeValue(byte[] out, int off, long requestId, byte[] value, int valueOff, int valueLen,
            long ttlSeconds, long writeToken) {
        int body = ProtoWriter.bytesFieldSize(1, valueLen) + uint64FieldSize(2, ttlSeconds) + tokenSize(writeToken);
        header(out, off, requestId).messageHeader(MessageKind.VALUE.field(), body);
        writer.bytesField(1, value, valueOff, valueLen);
        writer.uint64Field(2, ttlSeconds);
        writer.fixed64Field(F_VALUE_TOKEN, writeToken);
        return writer.position();
    }

    public int encodeStore(byte[] out, int off, long requestId, NodeId key, byte[] value, int valueOff, int valueLen,
            long ttlSeconds) {
        return encodeStore(out, off, requestId, key, value, valueOff, valueLen, ttlSeconds, 0);
    }

    /** A STORE carrying {@code writeToken}, the one the storer issued to this node (0: none). */
    public int encodeStore(byte[] out, int off, long requestId, NodeId key, byte[] value, int valueOff, int valueLen,
            long ttlSeconds, long writeToken) {
        int body = ProtoWriter.bytesFieldSize(1, NodeId.BYTES) + ProtoWriter.bytesFieldSize(2, valueLen)
                + uint64FieldSize(3, ttlSeconds) + tokenSize(writeToken);
        header(out, off, requestId).messageHeader(MessageKind.STORE.field(), body);
        key.writeTo(idScratch, 0);
        writer.bytesField(1, idScratch, 0, NodeId.BYTES);
        writer.bytesField(2, value, valueOff, valueLen);
        writer.uint64Field(3, ttlSeconds);
        writer.fixed64Field(F_STORE_TOKEN, writeToken);
        return writer.position();
    }

    /**
     * BLOB_FRAME: the bulk-transfer frame {@code frame[frameOff, frameOff + frameLen)} with the receiver's write token
     * (0: none). No request id: the frame carries its transfer's.
     */
    public int encodeBlobFrame(byte[] out, int off, byte[] frame, int frameOff, int frameLen, long writeToken) {
        header(out, off, 0).messageHeader(MessageKind.BLOB_FRAME.field(),
                ProtoWriter.bytesFieldSize(1, frameLen) + tokenSize(writeToken));
        writer.bytesField(1, frame, frameOff, frameLen);
        writer.fixed64Field(F_BLOB_TOKEN, writeToken);
        return writer.position();
    }

    public int encodeStoreAck(byte[] out, int off, long requestId, boolean stored) {
        header(out, off, requestId).messageHeader(MessageKind.STORE_ACK.field(), stored ? 2 : 0);
        writer.uint64Field(1, stored ? 1 : 0);
        return writer.position();
    }

    public int encodeError(byte[] out, int off, long requestId, int code, int minVersion, int maxVersion) {
        int body = uint64FieldSize(1, code) + uint64FieldSize(2, minVersion) + uint64FieldSize(3, maxVersion);
        header(out, off, requestId).messageHeader(MessageKind.ERROR.field(), body);
        writer.uint64Field(1, code);
        writer.uint64Field(2, minVersion);
        writer.uint64Field(3, maxVersion);
        return writer.position();
    }

    /**
     * ADD_PROVIDER: {@code provider} provides {@code key}, for {@code ttlSeconds}, with its {@code announcement} for
     * the key (null: none, as a provider that predates them sends).
     */
    public int encodeAddProvider(byte[] out, int off, long requestId, NodeId key, SignedNodeRecord provider,
            ProvideAnnouncement announcement, long ttlSeconds) {
        int recordSize = records.nodeRecordSize(provider, announcement);
        int body = ProtoWriter.bytesFieldSize(1, NodeId.BYTES) + RecordBodies.nestedSize(2, recordSize)
                + uint64FieldSize(3, ttlSeconds);
        header(out, off, requestId).messageHeader(MessageKind.ADD_PROVIDER.field(), body);
        key.writeTo(idScratch, 0);
        writer.bytesField(1, idScratch, 0, NodeId.BYTES);
        records.writeNodeRecord(2, provider, announcement);
        writer.uint64Field(3, ttlSeconds);
        return writer.position();
    }

    public int encodeGetProviders(byte[] out, int off, long requestId, NodeId key) {
        return encodeKeyed(out, off, requestId, MessageKind.GET_PROVIDERS, key);
    }

    /**
     * PROVIDERS: as many of {@code providers} as fit one datagram, each with its announcement of the same index in
     * {@code announcements} (an entry may be null; a shorter list: none for the rest), then as many of
     * {@code closer[0, available)} as still fit (callers pass them closest first).
     */
    public int encodeProviders(byte[] out, int off, long requestId, List<SignedNodeRecord> providers,
            List<ProvideAnnouncement> announcements, Contact[] closer, int available) {
        header(out, off, requestId);
        int budget = MAX_DATAGRAM_BYTES - (writer.position() - off) - 4;
        int body = 0;
        int providerCount = 0;
        for (int i = 0; i < providers.size(); i++) {
            int size = RecordBodies.nestedSize(1, records.nodeRecordSize(providers.get(i),
                    announcementAt(announcements, i)));
            if (body + size > budget) {
                break;
            }
            body += size;
            providerCount++;
        }
        int contactCount = 0;
        for (int i = 0; i < available; i++) {
            int size = nestedSize(2, contactSize(closer[i]));
            if (body + size > budget) {
                break;
            }
            body += size;
            contactCount++;
        }
        writer.messageHeader(MessageKind.PROVIDERS.field(), body);
        for (int i = 0; i < providerCount; i++) {
            records.writeNodeRecord(1, providers.get(i), announcementAt(announcements, i));
        }
        for (int i = 0; i < contactCount; i++) {
            writer.messageHeader(2, contactSize(closer[i]));
            writeContact(closer[i]);
        }
        return writer.position();
    }

    private static ProvideAnnouncement announcementAt(List<ProvideAnnouncement> announcements, int i) {
        return i < announcements.size() ? announcements.get(i) : null;
    }

    /** PUT_MUTABLE; {@code cas} < 0 sends none. Fits one datagram for any value of at most 1,000 bytes. */
    public int encodePutMutable(byte[] out, int off, long requestId, MutableRecord record, long cas, long ttlSeconds) {
        int recordSize = RecordBodies.mutableRecordSize(record);
        int casSize = cas < 0 ? 0 : ProtoWriter.tagSize(2) + ProtoWriter.varintSize(cas);
        int body = RecordBodies.nestedSize(1, recordSize) + casSize + uint64FieldSize(3, ttlSeconds);
        header(out, off, requestId).messageHeader(MessageKind.PUT_MUTABLE.field(), body);
        records.writeMutableRecord(1, record);
        if (cas >= 0) {
            writer.tag(2, ProtoWriter.VARINT); // proto3 optional: written when present, even as 0
            writer.varint(cas);
        }
        writer.uint64Field(3, ttlSeconds);
        return writer.position();
    }

    public int encodeGetMutable(byte[] out, int off, long requestId, NodeId key) {
        return encodeKeyed(out, off, requestId, MessageKind.GET_MUTABLE, key);
    }

    /** MUTABLE_VALUE: the record, then as many of {@code closer[0, available)} as still fit. */
    public int encodeMutableValue(byte[] out, int off, long requestId, MutableRecord record, long ttlSeconds,
            Contact[] closer, int available) {
        header(out, off, requestId);
        int body = RecordBodies.nestedSize(1, RecordBodies.mutableRecordSize(record)) + uint64FieldSize(2, ttlSeconds);
        int budget = MAX_DATAGRAM_BYTES - (writer.position() - off) - 4;
        int contactCount = 0;
        for (int i = 0; i < available; i++) {
            int size = nestedSize(3, contactSize(closer[i]));
            if (body + size > budget) {
                break;
            }
            body += size;
            contactCount++;
        }
        writer.messageHeader(MessageKind.MUTABLE_VALUE.field(), body);
        records.writeMutableRecord(1, record);
        writer.uint64Field(2, ttlSeconds);
        for (int i = 0; i < contactCount; i++) {
            writer.messageHeader(3, contactSize(closer[i]));
            writeContact(closer[i]);
        }
        return writer.position();
    }

    /** RECORD_ACK: what became of an ADD_PROVIDER or PUT_MUTABLE, and the seq held after it. */
    public int encodeRecordAck(byte[] out, int off, long requestId, WriteOutcome outcome, long seq) {
        int body = uint64FieldSize(1, outcome.code()) + uint64FieldSize(2, seq);
        header(out, off, requestId).messageHeader(MessageKind.RECORD_ACK.field(), body);
        writer.uint64Field(1, outcome.code());
        writer.uint64Field(2, seq);
        return writer.position();
    }

    // ---- decoding ----

    /** Decodes {@code buf[off, off + len)} into {@code out}; anything but OK means drop and count. */
    public DecodeStatus decode(byte[] buf, int off, int len, WireMessage out) {
        out.clear();
        if (len > MAX_DATAGRAM_BYTES) {
            return DecodeStatus.TOO_LARGE;
        }
        ProtoReader r = reader.reset(buf, off, off + len);
        boolean unknownBody = false;
        while (r.hasMore()) {
            int tag = r.tag();
            int field = tag >>> 3;
            int wireType = tag & 7;
            if (!r.ok()) {
                break;
            }
            if (field == F_VERSION && wireType == ProtoWriter.VARINT) {
                out.version = r.varint32();
            } else if (field == F_REQUEST_ID && wireType == ProtoWriter.FIXED64) {
                out.requestId = r.fixed64();
            } else if (field == F_MIN_VERSION && wireType == ProtoWriter.VARINT) {
                out.envelopeMinVersion = r.varint32();
            } else if (field == F_FEATURES && wireType == ProtoWriter.VARINT) {
                out.features = r.varint();
            } else if (field == F_POW_NONCE && wireType == ProtoWriter.VARINT) {
                out.powNonce = r.varint();
            } else if (field >= FIRST_BODY_FIELD && field <= LAST_BODY_FIELD
                    && wireType == ProtoWriter.LENGTH_DELIMITED) {
                MessageKind kind = MessageKind.ofField(field);
                int bodyLen = r.lengthPrefix();
                if (kind == null) {
                    r.skip(bodyLen);
                    unknownBody = true;
                    continue;
                }
                if (out.kind != kind) {
                    // A oneof keeps the last body seen, as protobuf-java does; the same body twice merges.
                    out.clearBody();
                }
                out.kind = kind;
                int outer = r.push(bodyLen);
                decodeBody(r, kind, out);
                if (r.ok()) {
                    r.pop(outer);
                }
            } else {
                r.skipField(wireType);
            }
        }
        if (!r.ok()) {
            return r.status();
        }
        if (out.kind == null) {
            return unknownBody ? DecodeStatus.UNKNOWN_BODY : DecodeStatus.NO_BODY;
        }
        return validate(out);
    }

    private void decodeBody(ProtoReader r, MessageKind kind, WireMessage out) {
        while (r.hasMore()) {
            int tag = r.tag();
            int field = tag >>> 3;
            int wireType = tag & 7;
            if (!r.ok()) {
                return;
            }
            boolean handled = switch (kind) {
                case FIND_NODE, FIND_VALUE, GET_PROVIDERS, GET_MUTABLE ->
                        field == 1 && wireType == ProtoWriter.LENGTH_DELIMITED && readId(r, out);
                case PONG -> (field == 1 && wireType == ProtoWriter.LENGTH_DELIMITED && readObserved(r, out))
                        || (field == 2 && wireType == ProtoWriter.VARINT && readDialBackSent(r, out));
                case DIAL_BACK -> (field == 1 && wireType == ProtoWriter.FIXED64 && readNonce(r, out))
                        || (field == 2 && wireType == ProtoWriter.VARINT && readMode(r, out));
                case NODES -> (field == 1 && wireType == ProtoWriter.LENGTH_DELIMITED && readContact(r, out))
                        || (field == F_NODES_TOKEN && wireType == ProtoWriter.FIXED64 && readToken(r, out));
                case VALUE -> (field == 1 && wireType == ProtoWriter.LENGTH_DELIMITED && readValue(r, out))
                        || (field == 2 && wireType == ProtoWriter.VARINT && readTtl(r, out))
                        || (field == F_VALUE_TOKEN && wireType == ProtoWriter.FIXED64 && readToken(r, out));
                case STORE -> (field == 1 && wireType == ProtoWriter.LENGTH_DELIMITED && readId(r, out))
                        || (field == 2 && wireType == ProtoWriter.LENGTH_DELIMITED && readValue(r, out))
                        || (field == 3 && wireType == ProtoWriter.VARINT && readTtl(r, out))
                        || (field == F_STORE_TOKEN && wireType == ProtoWriter.FIXED64 && readToken(r, out));
                case STORE_ACK -> field == 1 && wireType == ProtoWriter.VARINT && readStored(r, out);
                case ERROR -> wireType == ProtoWriter.VARINT && field >= 1 && field <= 3 && readError(r, field, out);
                case ADD_PROVIDER -> (field == 1 && wireType == ProtoWriter.LENGTH_DELIMITED && readId(r, out))
                        || (field == 2 && wireType == ProtoWriter.LENGTH_DELIMITED && readProvider(r, out))
                        || (field == 3 && wireType == ProtoWriter.VARINT && readTtl(r, out));
                case PROVIDERS -> (field == 1 && wireType == ProtoWriter.LENGTH_DELIMITED && readProviders(r, out))
                        || (field == 2 && wireType == ProtoWriter.LENGTH_DELIMITED && readContact(r, out));
                case PUT_MUTABLE -> (field == 1 && wireType == ProtoWriter.LENGTH_DELIMITED && readMutable(r, out))
                        || (field == 2 && wireType == ProtoWriter.VARINT && readCas(r, out))
                        || (field == 3 && wireType == ProtoWriter.VARINT && readTtl(r, out));
                case MUTABLE_VALUE -> (field == 1 && wireType == ProtoWriter.LENGTH_DELIMITED && readMutable(r, out))
                        || (field == 2 && wireType == ProtoWriter.VARINT && readTtl(r, out))
                        || (field == 3 && wireType == ProtoWriter.LENGTH_DELIMITED && readContact(r, out));
                case RECORD_ACK -> wireType == ProtoWriter.VARINT && (field == 1 || field == 2)
                        && readAck(r, field, out);
                case RELAY_RESERVE -> field == 1 && wireType == ProtoWriter.VARINT && readRelayNatType(r, out);
                case RELAY_CONNECT -> (field == 1 && wireType == ProtoWriter.LENGTH_DELIMITED && readId(r, out))
                        || (field == 2 && wireType == ProtoWriter.VARINT && readRelayNatType(r, out))
                        || (field == 3 && wireType == ProtoWriter.VARINT && readRelayForRequests(r, out));
                case RELAY_ANSWER -> (wireType == ProtoWriter.VARINT && field >= 1 && field <= 3
                        && readRelayAnswer(r, field, out))
                        || (field == 4 && wireType == ProtoWriter.LENGTH_DELIMITED && readObserved(r, out))
                        || (field == 5 && wireType == ProtoWriter.VARINT && readRelayNatType(r, out));
                case RELAY_CLOSE -> field == 1 && wireType == ProtoWriter.VARINT && readRelayAnswer(r, 1, out);
                case RELAY_INCOMING -> (field == 1 && wireType == ProtoWriter.VARINT && readRelayAnswer(r, 1, out))
                        || (field == 2 && wireType == ProtoWriter.LENGTH_DELIMITED && readContact(r, out))
                        || (field == 3 && wireType == ProtoWriter.VARINT && readRelayNatType(r, out));
                case BLOB_FRAME -> (field == 1 && wireType == ProtoWriter.LENGTH_DELIMITED && readValue(r, out))
                        || (field == F_BLOB_TOKEN && wireType == ProtoWriter.FIXED64 && readToken(r, out));
                case PING -> false;
            };
            if (!handled) {
                r.skipField(wireType);
            }
        }
    }

    /** Molia's rules on the decoded fields, checked on their final values as protobuf's last-one-wins leaves them. */
    private DecodeStatus validate(WireMessage m) {
        byte[] b = reader.buffer();
        switch (m.kind) {
            case FIND_NODE, FIND_VALUE, STORE, GET_PROVIDERS, GET_MUTABLE, ADD_PROVIDER, RELAY_CONNECT -> {
                if (m.targetLen != NodeId.BYTES) {
                    return DecodeStatus.BAD_FIELD_LENGTH;
                }
                m.t0 = NodeId.readLong(b, m.targetAt);
                m.t1 = NodeId.readLong(b, m.targetAt + 8);
                m.t2 = NodeId.readLong(b, m.targetAt + 16);
                m.t3 = NodeId.readLong(b, m.targetAt + 24);
                m.hasTarget = true;
                if (m.kind == MessageKind.ADD_PROVIDER) {
                    RecordBodies.NodeRecordParts parts =
                            m.providerParts == null ? new RecordBodies.NodeRecordParts() : m.providerParts;
                    if (parts.badAddress) {
                        return DecodeStatus.BAD_FIELD_LENGTH;
                    }
                    m.nodeRecord = parts.build(); // an absent or malformed record is refused by the store, named
                    m.announcement = parts.announcement();
                }
            }
            case PUT_MUTABLE, MUTABLE_VALUE -> {
                if (m.badContact) {
                    return DecodeStatus.BAD_FIELD_LENGTH;
                }
                if (m.hasMutable || m.kind == MessageKind.PUT_MUTABLE) {
                    m.mutableRecord = new MutableRecord(orEmpty(m.mPublicKey), orEmpty(m.mSalt), m.mSeq,
                            orEmpty(m.mValue), orEmpty(m.mSignature));
                }
                if (m.kind == MessageKind.PUT_MUTABLE) {
                    // The key the record lives under routes the write to its shard, as STORE's key does.
                    byte[] in = new byte[m.mutableRecord.publicKey().length + m.mutableRecord.salt().length];
                    System.arraycopy(m.mutableRecord.publicKey(), 0, in, 0, m.mutableRecord.publicKey().length);
                    System.arraycopy(m.mutableRecord.salt(), 0, in, m.mutableRecord.publicKey().length,
                            m.mutableRecord.salt().length);
                    blake3.hash(in, 0, in.length, idScratch, 0);
                    m.t0 = NodeId.readLong(idScratch, 0);
                    m.t1 = NodeId.readLong(idScratch, 8);
                    m.t2 = NodeId.readLong(idScratch, 16);
                    m.t3 = NodeId.readLong(idScratch, 24);
                    m.hasTarget = true;
                }
            }
            case PROVIDERS -> {
                if (m.badContact || m.badRecord) {
                    return DecodeStatus.BAD_FIELD_LENGTH;
                }
            }
            case PONG -> {
                m.observedAddress = NodeAddress.readFrom(b, m.observedAt, m.observedLen);
                if (m.observedAddress == null) {
                    return DecodeStatus.BAD_FIELD_LENGTH;
                }
            }
            case NODES, RELAY_INCOMING -> {
                if (m.badContact) {
                    return DecodeStatus.BAD_FIELD_LENGTH;
                }
            }
            case RELAY_ANSWER -> {
                if (m.observedLen > 0) {
                    m.observedAddress = NodeAddress.readFrom(b, m.observedAt, m.observedLen);
                    if (m.observedAddress == null) {
                        return DecodeStatus.BAD_FIELD_LENGTH;
                    }
                }
            }
            default -> {
            }
        }
        return DecodeStatus.OK;
    }

    private static byte[] orEmpty(byte[] b) {
        return b == null ? new byte[0] : b;
    }

    private boolean readProvider(ProtoReader r, WireMessage out) {
        if (out.providerParts == null) {
            out.providerParts = new RecordBodies.NodeRecordParts();
        }
        RecordBodies.readNodeRecord(r, out.providerParts);
        return true;
    }

    private boolean readProviders(ProtoReader r, WireMessage out) {
        RecordBodies.NodeRecordParts parts = new RecordBodies.NodeRecordParts();
        RecordBodies.readNodeRecord(r, parts);
        if (parts.badAddress) {
            out.badRecord = true; // rejected in validate(), unless a later body replaces this one
        } else {
            out.providers.add(parts.build());
            out.providerAnnouncements.add(parts.announcement());
        }
        return true;
    }

    private boolean readMutable(ProtoReader r, WireMessage out) {
        RecordBodies.readMutableRecord(r, out);
        return true;
    }

    private boolean readCas(ProtoReader r, WireMessage out) {
        out.cas = r.varint();
        out.hasCas = true;
        return true;
    }

    private boolean readAck(ProtoReader r, int field, WireMessage out) {
        if (field == 1) {
            out.outcomeCode = r.varint32();
        } else {
            out.ackSeq = r.varint();
        }
        return true;
    }

    private boolean readId(ProtoReader r, WireMessage out) {
        out.targetLen = r.lengthPrefix();
        out.targetAt = r.position();
        r.skip(out.targetLen);
        return true;
    }

    private boolean readObserved(ProtoReader r, WireMessage out) {
        out.observedLen = r.lengthPrefix();
        out.observedAt = r.position();
        r.skip(out.observedLen);
        return true;
    }

    private boolean readRelayAnswer(ProtoReader r, int field, WireMessage out) {
        int v = r.varint32(); // uint32, as protobuf-java's int holds it
        switch (field) {
            case 1 -> out.relayCircuit = v;
            case 2 -> out.relayRefusal = v;
            default -> out.relayExpiresSeconds = v & 0xffff_ffffL;
        }
        return true;
    }

    private boolean readRelayNatType(ProtoReader r, WireMessage out) {
        out.relayNatType = r.varint32(); // uint32, as protobuf-java's int holds it
        return true;
    }

    private boolean readDialBackSent(ProtoReader r, WireMessage out) {
        out.dialBackSent = r.varint() != 0;
        return true;
    }

    private boolean readNonce(ProtoReader r, WireMessage out) {
        out.dialBackNonce = r.fixed64();
        return true;
    }

    private boolean readMode(ProtoReader r, WireMessage out) {
        out.dialBackMode = r.varint32();
        return true;
    }

    private boolean readValue(ProtoReader r, WireMessage out) {
        int len = r.lengthPrefix();
        out.valueBuf = reader.buffer();
        out.valueOff = r.position();
        out.valueLen = len;
        r.skip(len);
        return true;
    }

    private boolean readTtl(ProtoReader r, WireMessage out) {
        out.ttlSeconds = r.varint();
        return true;
    }

    private boolean readToken(ProtoReader r, WireMessage out) {
        out.writeToken = r.fixed64();
        return true;
    }

    private boolean readStored(ProtoReader r, WireMessage out) {
        out.stored = r.varint() != 0;
        return true;
    }

    private boolean readError(ProtoReader r, int field, WireMessage out) {
        int v = r.varint32();
        switch (field) {
            case 1 -> out.errorCode = v;
            case 2 -> out.minVersion = v;
            default -> out.maxVersion = v;
        }
        return true;
    }

    private boolean readRelayForRequests(ProtoReader r, WireMessage out) {
        out.relayForRequests = r.varint() != 0;
        return true;
    }

    private boolean readContact(ProtoReader r, WireMessage out) {
        int len = r.lengthPrefix();
        if (!r.ok()) {
            return true;
        }
        int outer = r.push(len);
        int keyAt = 0;
        int keyLen = 0;
        long nonce = 0;
        int addressAt = 0;
        int addressLen = 0;
        int relayKeyAt = 0;
        int relayKeyLen = -1;
        int relayAddressAt = 0;
        int relayAddressLen = -1;
        while (r.hasMore()) {
            int tag = r.tag();
            int field = tag >>> 3;
            int wireType = tag & 7;
            if (!r.ok()) {
                break;
            }
            if (field == F_CONTACT_KEY && wireType == ProtoWriter.LENGTH_DELIMITED) {
                keyLen = r.lengthPrefix();
                keyAt = r.position();
                r.skip(keyLen);
            } else if (field == F_CONTACT_POW && wireType == ProtoWriter.VARINT) {
                nonce = r.varint();
            } else if (field == F_CONTACT_ADDRESS && wireType == ProtoWriter.LENGTH_DELIMITED) {
                addressLen = r.lengthPrefix();
                addressAt = r.position();
                r.skip(addressLen);
            } else if (field == F_CONTACT_RELAY_KEY && wireType == ProtoWriter.LENGTH_DELIMITED) {
                relayKeyLen = r.lengthPrefix();
                relayKeyAt = r.position();
                r.skip(relayKeyLen);
            } else if (field == F_CONTACT_RELAY_ADDRESS && wireType == ProtoWriter.LENGTH_DELIMITED) {
                relayAddressLen = r.lengthPrefix();
                relayAddressAt = r.position();
                r.skip(relayAddressLen);
            } else {
                r.skipField(wireType);
            }
        }
        if (!r.ok()) {
            return true;
        }
        r.pop(outer);
        NodeAddress address = NodeAddress.readFrom(reader.buffer(), addressAt, addressLen);
        if (keyLen != Contact.PUBLIC_KEY_BYTES || address == null) {
            out.badContact = true; // rejected in validate(), unless a later body replaces this one
            return true;
        }
        Contact relay = null;
        if (relayKeyLen >= 0 || relayAddressLen >= 0) {
            NodeAddress relayAddress = relayAddressLen < 0 ? null
                    : NodeAddress.readFrom(reader.buffer(), relayAddressAt, relayAddressLen);
            if (relayKeyLen != Contact.PUBLIC_KEY_BYTES || relayAddress == null) {
                out.badContact = true; // a relay is named by both its key and its address
                return true;
            }
            byte[] relayKey = new byte[Contact.PUBLIC_KEY_BYTES];
            System.arraycopy(reader.buffer(), relayKeyAt, relayKey, 0, relayKey.length);
            relay = new Contact(idOf(relayKey), relayKey, 0, relayAddress);
        }
        byte[] key = new byte[Contact.PUBLIC_KEY_BYTES];
        System.arraycopy(reader.buffer(), keyAt, key, 0, key.length);
        Contact contact = new Contact(idOf(key), key, nonce, address);
        out.contacts.add(relay == null ? contact : contact.withRelay(relay));
        return true;
    }

    private NodeId idOf(byte[] key) {
        return knownIds == null ? NodeId.ofPublicKey(blake3, key, 0, idScratch)
                : knownIds.idOf(blake3, key, 0, idScratch);
    }

    private ProtoWriter header(byte[] out, int off, long requestId) {
        writer.reset(out, off);
        writer.uint64Field(F_VERSION, protocol.max());
        writer.fixed64Field(F_REQUEST_ID, requestId);
        if (protocol.min() < protocol.max()) {
            writer.uint64Field(F_MIN_VERSION, protocol.min());
        }
        writer.uint64Field(F_FEATURES, protocol.features() | extraFeatures);
        writer.uint64Field(F_POW_NONCE, powNonce);
        return writer;
    }

    private int encodeKeyed(byte[] out, int off, long requestId, MessageKind kind, NodeId id) {
        header(out, off, requestId).messageHeader(kind.field(), ProtoWriter.bytesFieldSize(1, NodeId.BYTES));
        id.writeTo(idScratch, 0);
        writer.bytesField(1, idScratch, 0, NodeId.BYTES);
        return writer.position();
    }

    private void writeContact(Contact c) {
        writer.bytesField(F_CONTACT_KEY, c.publicKeyBytes(), 0, Contact.PUBLIC_KEY_BYTES);
        writer.uint64Field(F_CONTACT_POW, c.powNonce());
        int n = c.address().writeTo(addressScratch, 0);
        writer.bytesField(F_CONTACT_ADDRESS, addressScratch, 0, n);
        Contact relay = c.relay();
        if (relay != null) {
            writer.bytesField(F_CONTACT_RELAY_KEY, relay.publicKeyBytes(), 0, Contact.PUBLIC_KEY_BYTES);
            n = relay.address().writeTo(addressScratch, 0);
            writer.bytesField(F_CONTACT_RELAY_ADDRESS, addressScratch, 0, n);
        }
    }

    private static int contactSize(Contact c) {
        int size = ProtoWriter.bytesFieldSize(F_CONTACT_KEY, Contact.PUBLIC_KEY_BYTES)
                + uint64FieldSize(F_CONTACT_POW, c.powNonce())
                + ProtoWriter.bytesFieldSize(F_CONTACT_ADDRESS, c.address().wireLength());
        Contact relay = c.relay();
        return relay == null ? size : size + ProtoWriter.bytesFieldSize(F_CONTACT_RELAY_KEY, Contact.PUBLIC_KEY_BYTES)
                + ProtoWriter.bytesFieldSize(F_CONTACT_RELAY_ADDRESS, relay.address().wireLength());
    }

    private static int tokenSize(long writeToken) {
        return writeToken == 0 ? 0 : TOKEN_FIELD_BYTES;
    }

    private static int nestedSize(int field, int size) {
        return ProtoWriter.tagSize(field) + ProtoWriter.varintSize(size) + size;
    }

    private static int uint64FieldSize(int field, long v) {
        return v == 0 ? 0 : ProtoWriter.tagSize(field) + ProtoWriter.varintSize(v);
    }
}
