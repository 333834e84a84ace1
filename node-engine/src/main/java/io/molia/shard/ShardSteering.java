package io.molia.shard;

import io.molia.session.SessionManager;
import io.molia.session.WireGuardConstants;

/**
 * Which shard a datagram belongs to: a handshake response, cookie reply or transport message to the shard whose
 * receiver index it names (the index's low bits, DESIGN §3.2); an initiation, or anything malformed, to the shard
 * whose socket received it (its session layer drops what is malformed, and counts it). A datagram longer than a
 * session layer accepts also stays where it landed: only what may be valid is copied into another shard's inbox,
 * so a full inbox holds at most its capacity in datagrams of {@link SessionManager#MAX_DATAGRAM_BYTES}.
 */
final class ShardSteering {
    private ShardSteering() {
    }

    static int ownerOf(byte[] buf, int off, int len, int receivedOn, int shards, int shardBits) {
        if (shards == 1 || len < 4 || len > SessionManager.MAX_DATAGRAM_BYTES) {
            return receivedOn;
        }
        int receiverOffset = switch (buf[off] & 0xff) {
            case WireGuardConstants.TYPE_TRANSPORT, WireGuardConstants.TYPE_COOKIE_REPLY ->
                    WireGuardConstants.DATA_RECEIVER;
            case WireGuardConstants.TYPE_RESPONSE, SessionManager.TYPE_MOLIA_RESPONSE ->
                    WireGuardConstants.RESP_RECEIVER;
            default -> -1;
        };
        if (receiverOffset < 0 || len < receiverOffset + Integer.BYTES) {
            return receivedOn;
        }
        int at = off + receiverOffset;
        int index = (buf[at] & 0xff) | (buf[at + 1] & 0xff) << 8 | (buf[at + 2] & 0xff) << 16
                | (buf[at + 3] & 0xff) << 24; // little-endian, as WireGuard writes it
        int owner = SessionManager.shardOf(index, shardBits);
        return owner < shards ? owner : receivedOn; // an index no shard issued: dropped where it landed
    }
}
