package io.molia.session;

import java.util.ArrayDeque;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;

/**
 * What a shard keeps about one remote static key: its sessions (current, the one before a rekey, and one answered
 * but not yet confirmed), a handshake in progress, a cookie for mac2, and the few messages waiting for a session.
 * The replay rule's timestamps are node-wide ({@link InitiationTimestamps}). Owned by the shard thread; not
 * thread-safe.
 */
final class Peer {
    static final int MAX_QUEUED = 8;

    final byte[] remoteStatic;
    /** Allowed explicitly (a plain WireGuard peer): never forgotten when idle. */
    boolean pinned;
    /** The DHT identity behind the key; for a plain WireGuard peer, a contact keyed by its X25519 key. */
    Contact contact;
    NodeAddress address;
    /** The address {@link SessionTable#provenAt} finds this peer under; null until it sent authenticated data. */
    NodeAddress indexedAddress;
    /** When a limiter hit of this peer was last reported for its behaviour score ({@link Responder}). */
    long limiterHitReportedNs = Long.MIN_VALUE / 2;
    Session current;
    Session previous;
    /** A session answered to an initiation, until the initiator's first data message confirms it. */
    Session next;
    WireGuardHandshake.State handshake;
    /** The request the handshake carries, so a retransmitted initiation still carries it. */
    byte[] handshakeInner;
    long handshakeStartedNs;
    long lastInitiationSentNs;
    final byte[] lastMac1Sent = new byte[WireGuardHandshake.MAC_BYTES];
    /** Whether the last initiation sent carried a mac2: a cookie reply to one without gets an immediate retry. */
    boolean lastInitiationHadMac2;
    long lastInitiationAcceptedNs = Long.MIN_VALUE / 2;
    byte[] cookie;
    long cookieReceivedNs;
    /** The last puzzle the peer asked of us ({@link AdmissionPuzzle}): its token, difficulty and when it came. */
    byte[] puzzleToken;
    int puzzleBits;
    long puzzleReceivedNs;
    /** Whether the last initiation sent carried a solved puzzle: a puzzle reply to one without gets a retry. */
    boolean lastInitiationHadPuzzle;
    /** A Molia initiation from this peer waits for the core's answer to ride in the response. */
    WireGuardHandshake.State pendingResponse;
    NodeAddress pendingResponseTo;
    int pendingResponseBudget;
    final ArrayDeque<byte[]> queued = new ArrayDeque<>();
    /** When this peer next needs a visit ({@link PeerDeadlines}); Long.MAX_VALUE: never. */
    long scheduledNs = Long.MAX_VALUE;
    /** Where this peer sits in {@link PeerDeadlines}; -1 when it has no deadline. */
    int deadlineSlot = -1;

    Peer(byte[] remoteStatic, Contact contact, NodeAddress address) {
        this.remoteStatic = remoteStatic.clone();
        this.contact = contact;
        this.address = address;
    }
}
