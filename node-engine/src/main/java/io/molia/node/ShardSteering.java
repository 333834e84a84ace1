package io.molia.node;

import io.molia.session.SessionManager;
import io.molia.session.WireGuardConstants;
import io.netty.buffer.ByteBuf;

/**
 * Which shard a datagram belongs to: a handshake response, cookie reply or transport message to the shard whose
 * receiver index it names (the index's low bits, DESIGN §3.2); an initiation, or anything malformed, to the shard
 * whose socket received it (its session layer drops what is malformed, and counts it). A datagram longer than a
 * session layer accepts also stays where it landed: only what may be valid is copied into another shard's inbox,
 * so a full inbox holds at most {@link ShardInbox#CAPACITY} datagrams of {@link SessionManager#MAX_DATAGRAM_BYTES}.
 */
final class ShardSteering {
    private ShardSteering() {
    }

    static int ownerOf(ByteBuf datagram, int receivedOn, int shards, int shardBits) {
        if (shards == 1 || datagram.readableBytes() < 4
                || datagram.readableBytes() > SessionManager.MAX_DATAGRAM_BYTES) {
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
