package io.molia.fuzz;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.MessageKind;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.proto.Envelope;
import io.molia.record.MutableRecord;
import io.molia.record.SignedNodeRecord;

/**
 * What a decoder made of one datagram, in a form both decoders can be reduced to and compared: the outcome
 * (accepted, unknown body, no body, rejected) and, when accepted, every field the node acts on.
 *
 * <p>{@link #ofReference} is the specification: protobuf-java's parse of {@code molia.proto} plus Molia's own
 * rules (a datagram of at most {@link MessageCodec#MAX_DATAGRAM_BYTES}; 32-byte keys; 6- or 18-byte addresses;
 * every contact with a key and an address).
 */
record WireView(Outcome outcome, MessageKind kind, int version, long requestId, String fields) {
    enum Outcome { OK, UNKNOWN_BODY, NO_BODY, REJECTED }

    private static final HexFormat HEX = HexFormat.of();
    private static final WireView REJECTED = new WireView(Outcome.REJECTED, null, 0, 0, "");

    /**
     * Whether {@code data} holds nine bytes with the continuation bit followed by a byte above 1: a ten-byte
     * varint that carries more than 64 bits. protobuf-java accepts some of those (its fast path, depending on
     * where the varint sits in the buffer) and rejects others; Molia rejects them all.
     */
    static boolean mayHoldOverlongVarint(byte[] data) {
        int run = 0;
        for (byte b : data) {
            if (run >= 9 && (b & 0xff) > 1) {
                return true;
            }
            run = b < 0 ? run + 1 : 0;
        }
        return false;
    }

    /**
     * Whether a body returns after a different one (A, B, A at the top level). The protobuf specification keeps
     * only the last oneof member seen; protobuf-java reuses the first A's builder and so revives its contents.
     * Molia follows the specification, so the two legitimately differ on such input.
     */
    static boolean bodyReturnsAfterAnother(byte[] data) {
        java.util.Set<Integer> left = new java.util.HashSet<>();
        int current = -1;
        int groupDepth = 0;
        int p = 0;
        while (p < data.length) {
            long tag = 0;
            int shift = 0;
            byte b;
            do {
                if (p >= data.length || shift > 63) {
                    return false;
                }
                b = data[p++];
                tag |= (long) (b & 0x7f) << shift;
                shift += 7;
            } while (b < 0);
            int field = (int) (tag >>> 3);
            switch ((int) (tag & 7)) {
                case 0 -> {
                    while (p < data.length && data[p++] < 0) {
                        // skip the varint
                    }
                }
                case 1 -> p += 8;
                case 5 -> p += 4;
                case 2 -> {
                    long len = 0;
                    shift = 0;
                    do {
                        if (p >= data.length || shift > 63) {
                            return false;
                        }
                        b = data[p++];
                        len |= (long) (b & 0x7f) << shift;
                        shift += 7;
                    } while (b < 0);
                    if (len < 0 || len > data.length - p) {
                        return false;
                    }
                    p += (int) len;
                    if (groupDepth == 0 && field >= 10 && field <= 31 && field != current) {
                        if (left.contains(field)) {
                            return true;
                        }
                        if (current >= 0) {
                            left.add(current);
                        }
                        current = field;
                    }
                }
                case 3 -> groupDepth++;
                case 4 -> groupDepth--;
                default -> {
                    return false;
                }
            }
        }
        return false;
    }

    /** The view of Molia's hand-written codec. */
    static WireView ofCodec(DecodeStatus status, WireMessage m) {
        return switch (status) {
            case OK -> new WireView(Outcome.OK, m.kind(), m.version(), m.requestId(),
                    "pow=" + Long.toUnsignedString(m.powNonce()) + " " + codecFields(m));
            case UNKNOWN_BODY -> new WireView(Outcome.UNKNOWN_BODY, null, m.version(), m.requestId(), "");
            case NO_BODY -> new WireView(Outcome.NO_BODY, null, m.version(), m.requestId(), "");
            default -> REJECTED;
        };
    }

    /** The view the specification gives for {@code data}. */
    static WireView ofReference(byte[] data) {
        if (data.length > MessageCodec.MAX_DATAGRAM_BYTES) {
            return REJECTED;
        }
        Envelope e;
        try {
            e = Envelope.parseFrom(data);
        } catch (InvalidProtocolBufferException bad) {
            return REJECTED;
        }
        MessageKind kind = kindOf(e);
        if (kind == null) {
            boolean unknownBody = false;
            for (var field : e.getUnknownFields().asMap().entrySet()) {
                unknownBody |= field.getKey() >= MessageCodec.FIRST_BODY_FIELD
                        && field.getKey() <= MessageCodec.LAST_BODY_FIELD
                        && !field.getValue().getLengthDelimitedList().isEmpty();
            }
            return new WireView(unknownBody ? Outcome.UNKNOWN_BODY : Outcome.NO_BODY, null, e.getVersion(),
                    e.getRequestId(), "");
        }
        String fields = referenceFields(e, kind);
        return fields == null ? REJECTED : new WireView(Outcome.OK, kind, e.getVersion(), e.getRequestId(),
                "pow=" + Long.toUnsignedString(e.getPowNonce()) + " " + fields);
    }

    private static MessageKind kindOf(Envelope e) {
        return switch (e.getBodyCase()) {
            case PING -> MessageKind.PING;
            case PONG -> MessageKind.PONG;
            case FIND_NODE -> MessageKind.FIND_NODE;
            case NODES -> MessageKind.NODES;
            case FIND_VALUE -> MessageKind.FIND_VALUE;
            case VALUE -> MessageKind.VALUE;
            case STORE -> MessageKind.STORE;
            case STORE_ACK -> MessageKind.STORE_ACK;
            case ERROR -> MessageKind.ERROR;
            case ADD_PROVIDER -> MessageKind.ADD_PROVIDER;
            case GET_PROVIDERS -> MessageKind.GET_PROVIDERS;
            case PROVIDERS -> MessageKind.PROVIDERS;
            case PUT_MUTABLE -> MessageKind.PUT_MUTABLE;
            case GET_MUTABLE -> MessageKind.GET_MUTABLE;
            case MUTABLE_VALUE -> MessageKind.MUTABLE_VALUE;
            case RECORD_ACK -> MessageKind.RECORD_ACK;
            case DIAL_BACK -> MessageKind.DIAL_BACK;
            case RELAY_RESERVE -> MessageKind.RELAY_RESERVE;
            case RELAY_CONNECT -> MessageKind.RELAY_CONNECT;
            case RELAY_ANSWER -> MessageKind.RELAY_ANSWER;
            case RELAY_INCOMING -> MessageKind.RELAY_INCOMING;
            case RELAY_CLOSE -> MessageKind.RELAY_CLOSE;
            case BLOB_FRAME -> MessageKind.BLOB_FRAME;
            case BODY_NOT_SET -> null;
        };
    }

    /** The body's fields as text, or null when a Molia rule rejects them. */
    private static String referenceFields(Envelope e, MessageKind kind) {
        return switch (kind) {
            case PING -> "";
            case VALUE -> "value=" + hex(e.getValue().getValue()) + " ttl=" + e.getValue().getTtlSeconds()
                    + token(e.getValue().getWriteToken());
            case STORE_ACK -> "stored=" + e.getStoreAck().getStored();
            case DIAL_BACK -> "nonce=" + e.getDialBack().getNonce() + " mode=" + e.getDialBack().getMode();
            case BLOB_FRAME -> "frame=" + hex(e.getBlobFrame().getFrame()) + token(e.getBlobFrame().getWriteToken());
            case RELAY_RESERVE -> "nat=" + e.getRelayReserve().getNatType();
            case RELAY_CONNECT -> {
                String key = key(e.getRelayConnect().getTarget());
                yield key == null ? null : key + " nat=" + e.getRelayConnect().getNatType();
            }
            case RELAY_ANSWER -> {
                ByteString wire = e.getRelayAnswer().getPeerAddress();
                NodeAddress a = wire.isEmpty() ? null : address(wire);
                yield !wire.isEmpty() && a == null ? null
                        : relayAnswer(e.getRelayAnswer().getCircuit(), e.getRelayAnswer().getRefusal(),
                                e.getRelayAnswer().getExpiresSeconds() & 0xffff_ffffL, a)
                                + " nat=" + e.getRelayAnswer().getPeerNatType();
            }
            case RELAY_INCOMING -> {
                String initiator = contacts(e.getRelayIncoming().getInitiatorList());
                yield initiator == null ? null : "circuit=" + e.getRelayIncoming().getCircuit() + " " + initiator
                        + " nat=" + e.getRelayIncoming().getInitiatorNatType();
            }
            case RELAY_CLOSE -> "circuit=" + e.getRelayClose().getCircuit();
            case ERROR -> error(e.getError().getCode(), e.getError().getMinVersion(), e.getError().getMaxVersion());
            case FIND_NODE -> key(e.getFindNode().getTarget());
            case FIND_VALUE -> key(e.getFindValue().getKey());
            case STORE -> e.getStore().getKey().size() != 32 ? null
                    : key(e.getStore().getKey()) + " value=" + hex(e.getStore().getValue()) + " ttl="
                            + e.getStore().getTtlSeconds() + token(e.getStore().getWriteToken());
            case PONG -> {
                NodeAddress a = address(e.getPong().getObservedAddress());
                yield a == null ? null : "observed=" + a + " dial_back_sent=" + e.getPong().getDialBackSent();
            }
            case NODES -> {
                String contacts = contacts(e.getNodes().getContactsList());
                yield contacts == null ? null : contacts + token(e.getNodes().getWriteToken());
            }
            case GET_PROVIDERS -> key(e.getGetProviders().getKey());
            case GET_MUTABLE -> key(e.getGetMutable().getKey());
            case RECORD_ACK -> "outcome=" + e.getRecordAck().getOutcome() + " seq=" + e.getRecordAck().getSeq();
            case ADD_PROVIDER -> {
                String key = key(e.getAddProvider().getKey());
                String provider = nodeRecord(e.getAddProvider().getProvider());
                yield key == null || provider == null ? null
                        : key + " provider=" + provider + " ttl=" + e.getAddProvider().getTtlSeconds();
            }
            case PROVIDERS -> {
                List<String> providers = new ArrayList<>();
                for (io.molia.proto.NodeRecord r : e.getProviders().getProvidersList()) {
                    String one = nodeRecord(r);
                    if (one == null) {
                        yield null;
                    }
                    providers.add(one);
                }
                String closer = contacts(e.getProviders().getCloserList());
                yield closer == null ? null : "providers=" + providers + " " + closer;
            }
            case PUT_MUTABLE -> {
                io.molia.proto.MutableRecord r = e.getPutMutable().getRecord();
                byte[] keyInput = r.getPublicKey().concat(r.getSalt()).toByteArray();
                yield "key=" + HEX.formatHex(new io.molia.crypto.Blake3().hash(keyInput)) + " " + mutable(r)
                        + " cas=" + (e.getPutMutable().hasCas() ? e.getPutMutable().getCas() : "none")
                        + " ttl=" + e.getPutMutable().getTtlSeconds();
            }
            case MUTABLE_VALUE -> {
                String closer = contacts(e.getMutableValue().getCloserList());
                String record = e.getMutableValue().hasRecord() ? mutable(e.getMutableValue().getRecord()) : "none";
                yield closer == null ? null : record + " ttl=" + e.getMutableValue().getTtlSeconds() + " " + closer;
            }
        };
    }

    private static String relayAnswer(int circuit, int refusal, long expiresSeconds, NodeAddress peer) {
        return "circuit=" + circuit + " refusal=" + refusal + " expires=" + expiresSeconds + " peer=" + peer;
    }

    private static String contacts(List<io.molia.proto.Contact> list) {
        List<String> contacts = new ArrayList<>();
        for (io.molia.proto.Contact c : list) {
            NodeAddress a = address(c.getAddress());
            if (c.getPublicKey().size() != Contact.PUBLIC_KEY_BYTES || a == null) {
                return null;
            }
            contacts.add(hex(c.getPublicKey()) + "/" + c.getPowNonce() + "@" + a);
        }
        return "contacts=" + contacts;
    }

    private static String nodeRecord(io.molia.proto.NodeRecord r) {
        List<NodeAddress> addresses = new ArrayList<>();
        for (ByteString wire : r.getAddressesList()) {
            NodeAddress a = address(wire);
            if (a == null) {
                return null;
            }
            addresses.add(a);
        }
        return nodeRecordText(r.getPublicKey().toByteArray(), addresses, r.getSeq(), r.getFeatures(),
                r.getSignature().toByteArray());
    }

    private static String nodeRecordText(byte[] key, List<NodeAddress> addresses, long seq, long features,
            byte[] signature) {
        return HEX.formatHex(key) + addresses + "/" + seq + "/" + features + "/" + HEX.formatHex(signature);
    }

    private static String mutable(io.molia.proto.MutableRecord r) {
        return mutableText(r.getPublicKey().toByteArray(), r.getSalt().toByteArray(), r.getSeq(),
                r.getValue().toByteArray(), r.getSignature().toByteArray());
    }

    private static String mutableText(byte[] key, byte[] salt, long seq, byte[] value, byte[] signature) {
        return "record=" + HEX.formatHex(key) + "/" + HEX.formatHex(salt) + "/" + seq + "/" + HEX.formatHex(value)
                + "/" + HEX.formatHex(signature);
    }

    private static String codecContacts(List<Contact> list) {
        List<String> contacts = new ArrayList<>();
        for (Contact c : list) {
            contacts.add(HEX.formatHex(c.publicKeyBytes()) + "/" + c.powNonce() + "@" + c.address());
        }
        return "contacts=" + contacts;
    }

    private static String codecNodeRecord(SignedNodeRecord r) {
        return nodeRecordText(r.publicKey(), r.addresses(), r.seq(), r.features(), r.signature());
    }

    private static String codecMutable(MutableRecord r) {
        return mutableText(r.publicKey(), r.salt(), r.seq(), r.value(), r.signature());
    }

    private static String codecFields(WireMessage m) {
        return switch (m.kind()) {
            case PING -> "";
            case VALUE -> "value=" + HEX.formatHex(m.copyValue()) + " ttl=" + m.ttlSeconds() + token(m.writeToken());
            case STORE_ACK -> "stored=" + m.stored();
            case ERROR -> error(m.errorCode(), m.minVersion(), m.maxVersion());
            case FIND_NODE, FIND_VALUE -> "key=" + m.target().toHex();
            case STORE -> "key=" + m.target().toHex() + " value=" + HEX.formatHex(m.copyValue()) + " ttl="
                    + m.ttlSeconds() + token(m.writeToken());
            case PONG -> "observed=" + m.observedAddress() + " dial_back_sent=" + m.dialBackSent();
            case DIAL_BACK -> "nonce=" + m.dialBackNonce() + " mode=" + m.dialBackMode();
            case BLOB_FRAME -> "frame=" + HEX.formatHex(m.copyValue()) + token(m.writeToken());
            case RELAY_RESERVE -> "nat=" + m.relayNatType();
            case RELAY_CONNECT -> "key=" + m.target().toHex() + " nat=" + m.relayNatType();
            case RELAY_ANSWER -> relayAnswer(m.relayCircuit(), m.relayRefusal(), m.relayExpiresSeconds(),
                    m.observedAddress()) + " nat=" + m.relayNatType();
            case RELAY_INCOMING -> "circuit=" + m.relayCircuit() + " " + codecContacts(m.contacts()) + " nat="
                    + m.relayNatType();
            case RELAY_CLOSE -> "circuit=" + m.relayCircuit();
            case NODES -> codecContacts(m.contacts()) + token(m.writeToken());
            case GET_PROVIDERS, GET_MUTABLE -> "key=" + m.target().toHex();
            case RECORD_ACK -> "outcome=" + m.outcomeCode() + " seq=" + m.ackSeq();
            case ADD_PROVIDER -> "key=" + m.target().toHex() + " provider=" + codecNodeRecord(m.nodeRecord())
                    + " ttl=" + m.ttlSeconds();
            case PROVIDERS -> {
                List<String> providers = new ArrayList<>();
                for (SignedNodeRecord r : m.providers()) {
                    providers.add(codecNodeRecord(r));
                }
                yield "providers=" + providers + " " + codecContacts(m.contacts());
            }
            case PUT_MUTABLE -> "key=" + m.target().toHex() + " " + codecMutable(m.mutableRecord()) + " cas="
                    + (m.hasCas() ? m.cas() : "none") + " ttl=" + m.ttlSeconds();
            case MUTABLE_VALUE -> (m.mutableRecord() != null ? codecMutable(m.mutableRecord()) : "none") + " ttl="
                    + m.ttlSeconds() + " " + codecContacts(m.contacts());
        };
    }

    /** A write token as both views show it: absent, or its 16 hex digits. */
    private static String token(long writeToken) {
        return writeToken == 0 ? "" : " token=" + String.format("%016x", writeToken);
    }

    private static String error(int code, int min, int max) {
        return "code=" + code + " min=" + min + " max=" + max;
    }

    private static String key(ByteString key) {
        return key.size() == 32 ? "key=" + hex(key) : null;
    }

    private static NodeAddress address(ByteString wire) {
        return NodeAddress.readFrom(wire.toByteArray(), 0, wire.size());
    }

    private static String hex(ByteString b) {
        return HEX.formatHex(b.toByteArray());
    }
}
