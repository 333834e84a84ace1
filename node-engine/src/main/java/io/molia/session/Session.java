package io.molia.session;

import io.molia.contact.Contact;

/**
 * One established WireGuard session (a pair of transport keys) with a peer: indices, counters, replay window and
 * the times the rekey and reject rules need. Owned by the shard whose local index it carries; not thread-safe.
 */
public final class Session {
    final int localIndex;
    final int remoteIndex;
    final byte[] sendKey;
    final byte[] receiveKey;
    final boolean initiator;
    final long createdNs;
    final ReplayWindow replay = new ReplayWindow();
    final Peer peer;
    long sendCounter;
    long lastSentNs;
    long lastReceivedNs;
    /** When the core first sent on this session since it last received anything; NEVER when nothing waits. */
    long unansweredSinceNs = NEVER;
    static final long NEVER = Long.MIN_VALUE;
    long bytesIn;
    long bytesOut;
    long packetsIn;
    long packetsOut;
    /** The responder may send only after the initiator's first data message proved it holds the keys. */
    boolean confirmed;
    /** When the driver last told the routing table's owner (another shard) that this peer is alive. */
    private long aliveReportedNs;
    private boolean aliveReported;

    Session(Peer peer, WireGuardHandshake.State hs, boolean initiator, long nowNs) {
        this.peer = peer;
        this.localIndex = hs.localIndex;
        this.remoteIndex = hs.remoteIndex;
        this.sendKey = hs.sendKey.clone();
        this.receiveKey = hs.receiveKey.clone();
        this.initiator = initiator;
        this.createdNs = nowNs;
        this.confirmed = initiator;
        this.lastSentNs = nowNs;
        this.lastReceivedNs = nowNs;
    }

    /**
     * WireGuard's rule (paper §6.2): data sent and nothing received for KEEPALIVE_TIMEOUT + REKEY_TIMEOUT (15 s; a
     * live peer sends at least a keepalive 10 s after our data) means the peer lost the session, e.g. it restarted:
     * the next message goes in a new handshake instead of into a session nobody can open.
     */
    boolean unansweredTooLong(long nowNs) {
        return unansweredSinceNs != NEVER
                && nowNs - unansweredSinceNs >= WireGuardConstants.KEEPALIVE_TIMEOUT_NS + WireGuardConstants.REKEY_TIMEOUT_NS;
    }

    /**
     * Whether the driver should report this peer alive to the routing table's owner now: at the first request on
     * this session, then at most once per {@code everyNs}. Records the report when it answers true.
     */
    public boolean aliveReportDue(long nowNs, long everyNs) {
        if (aliveReported && nowNs - aliveReportedNs < everyNs) {
            return false;
        }
        aliveReported = true;
        aliveReportedNs = nowNs;
        return true;
    }

    /** The peer as the core knows it: Ed25519 key, ID and the address it last spoke from. */
    public Contact contact() {
        return peer.contact;
    }

    public int localIndex() {
        return localIndex;
    }

    public int remoteIndex() {
        return remoteIndex;
    }

    public boolean isInitiator() {
        return initiator;
    }

    public long createdNs() {
        return createdNs;
    }

    public long bytesIn() {
        return bytesIn;
    }

    public long bytesOut() {
        return bytesOut;
    }

    public long packetsIn() {
        return packetsIn;
    }

    public long packetsOut() {
        return packetsOut;
    }

    public long lastSentNs() {
        return lastSentNs;
    }

    public long lastReceivedNs() {
        return lastReceivedNs;
    }

    /** Whether the peer proved it holds the keys (the responder may send only then). */
    public boolean isConfirmed() {
        return confirmed;
    }

    /** When the initiator rekeys (REKEY_AFTER_TIME after creation); -1 on the responder side, which never does. */
    public long rekeyDueNs() {
        return initiator ? createdNs + WireGuardConstants.REKEY_AFTER_TIME_NS : -1;
    }

    /** When the session stops being accepted (REJECT_AFTER_TIME after creation). */
    public long rejectAfterNs() {
        return createdNs + WireGuardConstants.REJECT_AFTER_TIME_NS;
    }

    boolean expired(long nowNs) {
        return nowNs - createdNs >= WireGuardConstants.REJECT_AFTER_TIME_NS
                || Long.compareUnsigned(sendCounter, WireGuardConstants.REJECT_AFTER_MESSAGES) >= 0;
    }

    boolean dueForRekey(long nowNs) {
        return initiator && (nowNs - createdNs >= WireGuardConstants.REKEY_AFTER_TIME_NS
                || Long.compareUnsigned(sendCounter, WireGuardConstants.REKEY_AFTER_MESSAGES) >= 0);
    }
}
