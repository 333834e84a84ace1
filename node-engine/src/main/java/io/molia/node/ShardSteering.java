package io.molia.node;

import io.molia.session.SessionManager;
import io.molia.session.WireGuardConstants;
import io.netty.buffer.ByteBuf;

/**
 * Which shard a datagram belongs to: a handshake response, cookie reply or transport message to the shard whose
 * receiver index it names (the index's low bits, DESIGN §3.2); an initiation, or anything malformed, to the shard
 * whose socket received it (its session layer drops what is malformed, and counts it).
 */
final class ShardSteering {
    private ShardSteering() {
    }

    static int ownerOf(ByteBuf datagram, int receivedOn, int shards, int shardBits) {
        if (shards == 1 || datagram.readableBytes() < 4) {
            return receivedOn;
        }
        int at = datagram.readerIndex();
        int receiverOffset = switch (datagram.getUnsignedByte(at)) {
            case WireGuardConstants.TYPE_TRANSPORT, WireGuardConstants.TYPE_COOKIE_REPLY ->
                    WireGuardConstants.DATA_RECEIVER;
            case WireGuardConstants.TYPE_RESPONSE, SessionManager.TYPE_MOLIA_RESPONSE ->
                    WireGuardConstants.RESP_RECEIVER;
            default -> -1;
        };
        if (receiverOffset < 0 || datagram.readableBytes() < receiverOffset + Integer.BYTES) {
            return receivedOn;
        }
        int owner = SessionManager.shardOf(datagram.getIntLE(at + receiverOffset), shardBits);
        return owner < shards ? owner : receivedOn; // an index no shard issued: dropped where it landed
    }
}
