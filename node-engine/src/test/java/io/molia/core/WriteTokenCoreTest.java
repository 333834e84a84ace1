package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.MessageKind;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;
import org.junit.jupiter.api.Test;

/** STOREs and their write tokens on a core driven by hand: only a token the storer gave the same writer stores. */
class WriteTokenCoreTest {
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    private final SplittableRandom random = new SplittableRandom(16);
    private final MessageCodec codec = new MessageCodec(1);
    private final byte[] value = "a value worth a token".getBytes(StandardCharsets.UTF_8);
    private final NodeId key = NodeId.fromBytes(new Blake3().hash(value));
    private final byte[] buf = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
    private long now = 1_000 * MINUTE;

    /** The write token {@code storer} gives {@code writer} in its answer to a FIND_NODE at {@code nowNs}. */
    static long tokenFor(NodeCore storer, Contact writer, long nowNs) {
        MessageCodec codec = new MessageCodec(1);
        byte[] buf = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
        int len = codec.encodeFindNode(buf, 0, 5, writer.id());
        storer.onDatagram(nowNs, writer, buf, 0, len);
        Outbound answer = storer.pollTransmit();
        WireMessage m = new WireMessage();
        assertEquals(DecodeStatus.OK, codec.decode(answer.data(), 0, answer.length(), m));
        assertEquals(MessageKind.NODES, m.kind());
        assertNotEquals(0, m.writeToken(), "a FIND_NODE answer carries a write token");
        return m.writeToken();
    }

    private NodeCore core() {
        return new NodeCore(CoreConfig.defaults(), TestContacts.random(random, 0x0a000001), random.split(), now);
    }

    /** Sends a STORE of {@link #value} from {@code writer} carrying {@code token}: whether it was acknowledged. */
    private boolean store(NodeCore storer, Contact writer, long token) {
        int len = codec.encodeStore(buf, 0, 9, key, value, 0, value.length, 60, token);
        storer.onDatagram(now, writer, buf, 0, len);
        Outbound ack = storer.pollTransmit();
        if (ack == null) {
            return false;
        }
        WireMessage m = new WireMessage();
        assertEquals(DecodeStatus.OK, codec.decode(ack.data(), 0, ack.length(), m));
        assertTrue(m.stored(), "an acknowledged STORE with a valid token is stored");
        return true;
    }

    @Test
    void aStoreWithTheTokenTheStorerGaveThisWriterIsStored() {
        NodeCore storer = core();
        Contact writer = TestContacts.random(random, 0x0a000002);
        assertTrue(store(storer, writer, tokenFor(storer, writer, now)));
        assertEquals(1, storer.records().size());
        assertEquals(1, storer.counters().storesAccepted);
    }

    @Test
    void aStoreWithoutATokenIsDroppedUnansweredAndCounted() {
        NodeCore storer = core();
        Contact writer = TestContacts.random(random, 0x0a000002);
        assertTrue(!store(storer, writer, 0));
        assertEquals(1, storer.counters().writeTokenRejected[WriteTokens.Check.MISSING.ordinal()]);
        assertEquals(0, storer.records().size());
        assertEquals(0, storer.counters().storesRefused, "not even refused: no answer at all");
    }

    @Test
    void aTokenReplayedFromAnotherAddressOrByAnotherWriterIsInvalid() {
        NodeCore storer = core();
        Contact writer = TestContacts.random(random, 0x0a000002);
        long token = tokenFor(storer, writer, now);
        assertTrue(!store(storer, writer.withAddress(NodeAddress.ipv4(0x0a000003, 4000)), token), "other address");
        assertTrue(!store(storer, TestContacts.random(random, 0x0a000002), token), "other writer, same address");
        assertTrue(!store(storer, writer, token ^ 1), "a forged bit");
        assertEquals(3, storer.counters().writeTokenRejected[WriteTokens.Check.INVALID.ordinal()]);
        assertEquals(0, storer.records().size());
        assertTrue(store(storer, writer, token), "the writer it was issued to still stores with it");
    }

    @Test
    void aTokenIsValidForTwoRotationsAndThenExpired() {
        NodeCore storer = core();
        Contact writer = TestContacts.random(random, 0x0a000002);
        long token = tokenFor(storer, writer, now);
        now += 5 * MINUTE + 1;
        assertTrue(store(storer, writer, token), "one rotation later: the previous secret's token still counts");
        now += 5 * MINUTE;
        assertTrue(!store(storer, writer, token));
        assertEquals(1, storer.counters().writeTokenRejected[WriteTokens.Check.EXPIRED.ordinal()]);
    }

    @Test
    void shardsOfOneNodeShareTheSecretSoAnyChecksAnothersToken() {
        WriteTokens.Secret secret = new WriteTokens.Secret(new byte[32]);
        NodeCore issuing = core();
        NodeCore owning = core();
        NodeCore stranger = core();
        issuing.writeTokenSecret(secret);
        owning.writeTokenSecret(secret);
        Contact writer = TestContacts.random(random, 0x0a000002);
        long token = tokenFor(issuing, writer, now);
        assertTrue(!store(stranger, writer, token), "another node's secret");
        assertTrue(store(owning, writer, token), "the shard owning the key takes the token the other shard gave");
        assertNull(owning.pollTransmit());
    }
}
