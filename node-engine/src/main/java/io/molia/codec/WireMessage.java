package io.molia.codec;

import java.util.ArrayList;
import java.util.List;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.record.MutableRecord;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;

/**
 * One decoded envelope, reused from datagram to datagram by its owner. Only the fields of {@link #kind()} are
 * meaningful; {@code value} is a slice of the datagram buffer and is valid until that buffer is reused.
 *
 * <p>Owned by one thread; not thread-safe.
 */
public final class WireMessage {
    MessageKind kind;
    int version;
    /** The envelope's min_version: 0 when absent (the sender speaks only {@link #version}). */
    int envelopeMinVersion;
    long features;
    long requestId;
    /** The envelope's pow_nonce: the sender's own proof of work (0 when absent). */
    long powNonce;
    /** The write token of a NODES, VALUE or STORE body (0 when absent). */
    long writeToken;
    /** The 32-byte target/key as four big-endian words, decoded in place: the hot path builds no NodeId. */
    boolean hasTarget;
    /** Where the last target/key field's bytes are; checked once the message is read (protobuf: last one wins). */
    int targetAt;
    int targetLen;
    int observedAt;
    int observedLen;
    long t0;
    long t1;
    long t2;
    long t3;
    byte[] valueBuf;
    int valueOff;
    int valueLen;
    long ttlSeconds;
    NodeAddress observedAddress;
    final List<Contact> contacts = new ArrayList<>();
    /** A contact without a 32-byte key or a valid address was seen in this body. */
    boolean badContact;
    boolean stored;
    long dialBackNonce;
    int dialBackMode;
    boolean dialBackSent;
    int relayCircuit;
    int relayRefusal;
    long relayExpiresSeconds;
    int relayNatType;
    boolean relayForRequests;
    int errorCode;
    int minVersion;
    int maxVersion;
    /** A MutableRecord body was seen; its fields merge in m* until the envelope ends, then become mutableRecord. */
    boolean hasMutable;
    byte[] mPublicKey;
    byte[] mSalt;
    long mSeq;
    byte[] mValue;
    byte[] mSignature;
    MutableRecord mutableRecord;
    boolean hasCas;
    long cas;
    /** ADD_PROVIDER's record as read so far; built into nodeRecord once the envelope ends. */
    RecordBodies.NodeRecordParts providerParts;
    SignedNodeRecord nodeRecord;
    ProvideAnnouncement announcement;
    final List<SignedNodeRecord> providers = new ArrayList<>();
    /** Parallel to {@link #providers}: each one's announcement, null where none came. */
    final List<ProvideAnnouncement> providerAnnouncements = new ArrayList<>();
    /** A provider record with an address of neither 6 nor 18 bytes was seen in this body. */
    boolean badRecord;
    int outcomeCode;
    long ackSeq;

    void clear() {
        version = 0;
        envelopeMinVersion = 0;
        features = 0;
        requestId = 0;
        powNonce = 0;
        clearBody();
    }

    /** Forgets the body, keeping the envelope's version and request id. */
    void clearBody() {
        kind = null;
        targetLen = 0;
        observedLen = 0;
        hasTarget = false;
        valueBuf = null;
        valueOff = 0;
        valueLen = 0;
        ttlSeconds = 0;
        writeToken = 0;
        observedAddress = null;
        contacts.clear();
        badContact = false;
        stored = false;
        dialBackNonce = 0;
        dialBackMode = 0;
        dialBackSent = false;
        relayCircuit = 0;
        relayRefusal = 0;
        relayExpiresSeconds = 0;
        relayNatType = 0;
        relayForRequests = false;
        errorCode = 0;
        minVersion = 0;
        maxVersion = 0;
        hasMutable = false;
        mPublicKey = null;
        mSalt = null;
        mSeq = 0;
        mValue = null;
        mSignature = null;
        mutableRecord = null;
        hasCas = false;
        cas = 0;
        providerParts = null;
        nodeRecord = null;
        announcement = null;
        providers.clear();
        providerAnnouncements.clear();
        badRecord = false;
        outcomeCode = 0;
        ackSeq = 0;
    }

    public MessageKind kind() {
        return kind;
    }

    public int version() {
        return version;
    }

    /** The lowest version the sender speaks: the envelope's min_version, or its version when it gave none. */
    public int senderMinVersion() {
        return envelopeMinVersion == 0 ? version : envelopeMinVersion;
    }

    /** The sender's feature bits; a node acts only on the bits it knows. */
    public long features() {
        return features;
    }

    public long requestId() {
        return requestId;
    }

    /** The sender's proof-of-work nonce on its own identity (0 when it sent none). */
    public long powNonce() {
        return powNonce;
    }

    /**
     * NODES and VALUE: the token a later STORE to the sender must carry; STORE and BLOB_FRAME: the token it carries;
     * else 0.
     */
    public long writeToken() {
        return writeToken;
    }

    /** FIND_NODE target, FIND_VALUE and STORE key, as an object (cold paths; allocates). */
    public NodeId target() {
        return hasTarget ? new NodeId(t0, t1, t2, t3) : null;
    }

    /** Word {@code i} (0 = most significant) of the target, without allocating. */
    public long targetWord(int i) {
        return switch (i) {
            case 0 -> t0;
            case 1 -> t1;
            case 2 -> t2;
            default -> t3;
        };
    }

    /** VALUE and STORE: the value; BLOB_FRAME: the bulk-transfer frame. */
    public byte[] valueBuffer() {
        return valueBuf;
    }

    public int valueOffset() {
        return valueOff;
    }

    public int valueLength() {
        return valueLen;
    }

    public byte[] copyValue() {
        byte[] v = new byte[valueLen];
        if (valueLen > 0) {
            System.arraycopy(valueBuf, valueOff, v, 0, valueLen);
        }
        return v;
    }

    public long ttlSeconds() {
        return ttlSeconds;
    }

    /** PONG: the address the answering peer saw this node's request come from (its reflexive address). */
    public NodeAddress observedAddress() {
        return observedAddress;
    }

    /** NODES: the contacts, IDs computed from their keys by the decoder. */
    public List<Contact> contacts() {
        return contacts;
    }

    public boolean stored() {
        return stored;
    }

    /** DIAL_BACK: the nonce the probe must carry. */
    public long dialBackNonce() {
        return dialBackNonce;
    }

    /** DIAL_BACK: what is asked ({@code io.molia.nat.DialBackMode} codes; unknown ones are refused). */
    public int dialBackMode() {
        return dialBackMode;
    }

    /** PONG answering a DIAL_BACK: whether the probe was sent. */
    public boolean dialBackSent() {
        return dialBackSent;
    }

    /** RELAY_ANSWER, RELAY_INCOMING: the circuit's number (0: none). */
    public int relayCircuit() {
        return relayCircuit;
    }

    /** RELAY_ANSWER: 0 granted, else 1 + {@code io.molia.relay.RelayRefusal}'s ordinal (unknown ones: refused). */
    public int relayRefusal() {
        return relayRefusal;
    }

    /**
     * The NAT type (as {@code io.molia.nat.NatType}'s ordinal; anything else: unknown) of the sender (RELAY_RESERVE,
     * RELAY_CONNECT), of the circuit's target (RELAY_ANSWER) or of its initiator (RELAY_INCOMING).
     */
    /** RELAY_CONNECT: a circuit for DHT requests to a relayed server (the relay's pool for those). */
    public boolean relayForRequests() {
        return relayForRequests;
    }

    public int relayNatType() {
        return relayNatType;
    }

    /** RELAY_ANSWER to a reservation: how long it lasts. */
    public long relayExpiresSeconds() {
        return relayExpiresSeconds;
    }

    public int errorCode() {
        return errorCode;
    }

    public int minVersion() {
        return minVersion;
    }

    public int maxVersion() {
        return maxVersion;
    }

    /** PUT_MUTABLE and MUTABLE_VALUE: the record as sent (not yet checked); null in a MUTABLE_VALUE without one. */
    public MutableRecord mutableRecord() {
        return mutableRecord;
    }

    /** PUT_MUTABLE: whether a compare-and-swap seq was sent (0 is a valid one: "none stored"). */
    public boolean hasCas() {
        return hasCas;
    }

    public long cas() {
        return cas;
    }

    /** ADD_PROVIDER: the provider's signed record as sent (not yet checked). */
    public SignedNodeRecord nodeRecord() {
        return nodeRecord;
    }

    /** ADD_PROVIDER: the provider's announcement for the key as sent (not yet checked), or null when none came. */
    public ProvideAnnouncement announcement() {
        return announcement;
    }

    /** PROVIDERS: the provider records (not yet checked); the closer contacts are in {@link #contacts()}. */
    public List<SignedNodeRecord> providers() {
        return providers;
    }

    /** PROVIDERS: the announcement of each of {@link #providers()}, same index, null where none came. */
    public List<ProvideAnnouncement> providerAnnouncements() {
        return providerAnnouncements;
    }

    /** RECORD_ACK: the write's outcome code ({@code io.molia.record.WriteOutcome}). */
    public int outcomeCode() {
        return outcomeCode;
    }

    /** RECORD_ACK: the seq the answering node holds after the write. */
    public long ackSeq() {
        return ackSeq;
    }
}
