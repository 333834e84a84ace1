package io.molia.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.TestContacts;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
    private final MessageCodec codec = new MessageCodec(1);
    private final WireMessage message = new WireMessage();
    private final byte[] buf = new byte[MessageCodec.MAX_DATAGRAM_BYTES];

    @Test
    void pingHasTheGoldenProtobufBytes() {
        int len = codec.encodePing(buf, 0, 0x0102030405060708L);
        // 08 01: version=1; 11 + 8 bytes little-endian: request_id (fixed64); 52 00: field 10, empty Ping.
        assertEquals("0801110807060504030201" + "5200", HexFormat.of().formatHex(buf, 0, len));
    }

    @Test
    void everyMessageRoundTrips() {
        SplittableRandom random = new SplittableRandom(4);
        NodeId id = TestContacts.randomId(random);
        List<Contact> contacts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            contacts.add(TestContacts.random(random));
        }
        contacts.set(3, contacts.get(3).withAddress(NodeAddress.ipv6(0x20010db8_00000000L, 42, 9)));

        decode(codec.encodeFindNode(buf, 0, 7, id));
        assertEquals(MessageKind.FIND_NODE, message.kind());
        assertEquals(7, message.requestId());
        assertEquals(id, message.target());

        decode(codec.encodeNodes(buf, 0, 8, contacts));
        assertEquals(MessageKind.NODES, message.kind());
        assertEquals(contacts, message.contacts(), "20 contacts fit one datagram, IDs recomputed from keys");

        byte[] value = {1, 2, 3};
        decode(codec.encodeStore(buf, 0, 9, id, value, 0, 3, 3600));
        assertEquals(id, message.target());
        assertArrayEquals(value, message.copyValue());
        assertEquals(3600, message.ttlSeconds());

        decode(codec.encodePong(buf, 0, 10, NodeAddress.parseIpv4("203.0.113.9:4000")));
        assertEquals("203.0.113.9:4000", message.observedAddress().toString());

        decode(codec.encodeStoreAck(buf, 0, 11, true));
        assertTrue(message.stored());

        decode(codec.encodeError(buf, 0, 12, MessageCodec.ERROR_UNSUPPORTED, 1, 3));
        assertEquals(MessageKind.ERROR, message.kind());
        assertEquals(3, message.maxVersion());
    }

    @Test
    void nodesKeepsToOneDatagramByDroppingTheFarthestContacts() {
        SplittableRandom random = new SplittableRandom(6);
        List<Contact> contacts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            // IPv6 and a 6-byte proof-of-work nonce: 63 bytes a contact, 20 do not fit in 1184.
            Contact c = TestContacts.random(random);
            contacts.add(new Contact(c.id(), c.publicKeyBytes(), 1L << 40,
                    NodeAddress.ipv6(random.nextLong(), 1, 4000)));
        }
        int len = codec.encodeNodes(buf, 0, 1, contacts);
        assertTrue(len <= MessageCodec.MAX_DATAGRAM_BYTES);
        decode(len);
        int kept = message.contacts().size();
        assertTrue(kept >= 17 && kept < 20, "kept " + kept);
        assertEquals(contacts.subList(0, kept), message.contacts(), "the closest (first) ones are kept");
    }

    @Test
    void unknownFieldsAreSkippedAndUnknownBodiesReported() {
        int len = codec.encodePing(buf, 0, 5);
        // Append an unknown varint field 9 and an unknown fixed32 field 8 to the envelope.
        byte[] extended = HexFormat.of().parseHex(HexFormat.of().formatHex(buf, 0, len) + "4801" + "4501020304");
        assertEquals(DecodeStatus.OK, codec.decode(extended, 0, extended.length, message));
        assertEquals(MessageKind.PING, message.kind());

        byte[] unknownBody = HexFormat.of().parseHex("0802110500000000000000f20100"); // field 30, empty
        assertEquals(DecodeStatus.UNKNOWN_BODY, codec.decode(unknownBody, 0, unknownBody.length, message));
        assertEquals(5, message.requestId(), "the request id survives so the error can be matched");
    }

    @Test
    void everyTruncationIsRejectedWithoutThrowing() {
        SplittableRandom random = new SplittableRandom(8);
        List<Contact> contacts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            contacts.add(TestContacts.random(random));
        }
        int len = codec.encodeNodes(buf, 0, 3, contacts);
        int rejected = 0;
        for (int cut = 1; cut < len; cut++) {
            DecodeStatus status = codec.decode(buf, 0, cut, message);
            if (status != DecodeStatus.OK) {
                rejected++;
            }
        }
        assertEquals(len - 1, rejected, "no prefix of a NODES message decodes as a valid message");
        byte[] garbage = new byte[300];
        for (int i = 0; i < 10_000; i++) {
            random.nextBytes(garbage);
            codec.decode(garbage, 0, 1 + random.nextInt(garbage.length), message); // must not throw
        }
    }

    private void decode(int len) {
        assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, message));
    }
}
