package io.molia.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.molia.session.SessionManager;
import io.molia.session.WireGuardConstants;
import org.junit.jupiter.api.Test;

class ShardSteeringTest {
    private static final int SHARDS = 4;
    private static final int BITS = 4;

    /** A datagram of {@code type} whose receiver index (at {@code receiverOffset}) names {@code shard}. */
    private static byte[] datagram(int type, int receiverOffset, int shard, int length) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) type);
        if (receiverOffset >= 0) {
            b.putInt(receiverOffset, 0x5a5a5a50 | shard); // random high bits, the shard in the low 4
        }
        return b.array();
    }

    private static int ownerOf(byte[] datagram, int receivedOn, int shards, int bits) {
        return ShardSteering.ownerOf(datagram, 0, datagram.length, receivedOn, shards, bits);
    }

    @Test
    void responsesCookiesAndDataGoToTheShardTheirReceiverIndexNames() {
        for (int shard = 0; shard < SHARDS; shard++) {
            assertEquals(shard, ownerOf(datagram(WireGuardConstants.TYPE_TRANSPORT,
                    WireGuardConstants.DATA_RECEIVER, shard, 32), 1, SHARDS, BITS), "transport data");
            assertEquals(shard, ownerOf(datagram(WireGuardConstants.TYPE_COOKIE_REPLY, 4, shard, 64), 1,
                    SHARDS, BITS), "cookie reply");
            assertEquals(shard, ownerOf(datagram(WireGuardConstants.TYPE_RESPONSE,
                    WireGuardConstants.RESP_RECEIVER, shard, 92), 1, SHARDS, BITS), "WireGuard response");
            assertEquals(shard, ownerOf(datagram(SessionManager.TYPE_MOLIA_RESPONSE,
                    WireGuardConstants.RESP_RECEIVER, shard, 400), 1, SHARDS, BITS), "Molia response");
        }
    }

    @Test
    void initiationsAndWhatNoShardIssuedStayWhereTheyLanded() {
        assertEquals(2, ownerOf(datagram(SessionManager.TYPE_MOLIA_INITIATION, -1, 0, 500), 2, SHARDS,
                BITS), "an initiation is answered where it landed");
        assertEquals(2, ownerOf(datagram(WireGuardConstants.TYPE_TRANSPORT,
                WireGuardConstants.DATA_RECEIVER, 9, 32), 2, SHARDS, BITS), "shard 9 does not exist");
        assertEquals(2, ownerOf(datagram(WireGuardConstants.TYPE_RESPONSE, -1, 0, 10), 2, SHARDS,
                BITS), "too short to hold a receiver index");
        assertEquals(2, ownerOf(datagram(WireGuardConstants.TYPE_TRANSPORT,
                WireGuardConstants.DATA_RECEIVER, 1, SessionManager.MAX_DATAGRAM_BYTES + 1), 2, SHARDS, BITS),
                "longer than a session accepts: not copied to another shard");
        assertEquals(2, ownerOf(new byte[0], 2, SHARDS, BITS), "empty");
        assertEquals(0, ownerOf(datagram(WireGuardConstants.TYPE_TRANSPORT,
                WireGuardConstants.DATA_RECEIVER, 3, 32), 0, 1, BITS), "one shard owns everything");
    }
}
