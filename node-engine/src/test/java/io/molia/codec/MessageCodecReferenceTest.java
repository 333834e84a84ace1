package io.molia.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.TestContacts;
import io.molia.proto.Envelope;
import io.molia.proto.FindNode;
import io.molia.proto.Nodes;
import io.molia.proto.Store;
import org.junit.jupiter.api.Test;

/** The hand-written codec against protobuf-java generated from molia.proto, the schema of record. */
class MessageCodecReferenceTest {
    private final MessageCodec codec = new MessageCodec(1);
    private final WireMessage decoded = new WireMessage();
    private final byte[] buf = new byte[MessageCodec.MAX_DATAGRAM_BYTES];

    @Test
    void ourBytesAreProtobufJavasBytes() throws InvalidProtocolBufferException {
        SplittableRandom random = new SplittableRandom(31);
        for (int round = 0; round < 500; round++) {
            long requestId = random.nextLong();
            NodeId id = TestContacts.randomId(random);
            List<Contact> contacts = randomContacts(random, random.nextInt(21));
            byte[] value = new byte[random.nextInt(600)];
            random.nextBytes(value);
            long ttl = random.nextInt(86_400);
            long token = random.nextInt(4) == 0 ? 0 : random.nextLong();
            long senderNonce = random.nextInt(4) == 0 ? 0 : random.nextLong(1L << 34);
            MessageCodec codec = new MessageCodec(ProtocolRange.THIS_RELEASE, senderNonce);

            int len = codec.encodeNodes(buf, 0, requestId, contacts.toArray(new Contact[0]), contacts.size(), token);
            Envelope parsed = Envelope.parseFrom(Arrays.copyOf(buf, len));
            assertEquals(requestId, parsed.getRequestId());
            assertEquals(senderNonce, parsed.getPowNonce());
            assertEquals(token, parsed.getNodes().getWriteToken());
            assertEquals(contacts.size(), parsed.getNodes().getContactsCount());
            for (int i = 0; i < contacts.size(); i++) {
                assertEquals(ByteString.copyFrom(contacts.get(i).publicKeyBytes()),
                        parsed.getNodes().getContacts(i).getPublicKey());
                assertEquals(contacts.get(i).powNonce(), parsed.getNodes().getContacts(i).getPowNonce());
            }
            assertArrayEquals(parsed.toByteArray(), Arrays.copyOf(buf, len), "canonical proto3 encoding");

            len = codec.encodeStore(buf, 0, requestId, id, value, 0, value.length, ttl, token);
            parsed = Envelope.parseFrom(Arrays.copyOf(buf, len));
            assertEquals(token, parsed.getStore().getWriteToken());
            assertEquals(ByteString.copyFrom(id.toBytes()), parsed.getStore().getKey());
            assertEquals(ByteString.copyFrom(value), parsed.getStore().getValue());
            assertEquals(ttl, parsed.getStore().getTtlSeconds());
            assertArrayEquals(parsed.toByteArray(), Arrays.copyOf(buf, len));

            len = codec.encodeValue(buf, 0, requestId, value, 0, value.length, ttl, token);
            parsed = Envelope.parseFrom(Arrays.copyOf(buf, len));
            assertEquals(token, parsed.getValue().getWriteToken());
            assertArrayEquals(parsed.toByteArray(), Arrays.copyOf(buf, len));

            len = codec.encodeFindNode(buf, 0, requestId, id);
            assertArrayEquals(Envelope.parseFrom(Arrays.copyOf(buf, len)).toByteArray(), Arrays.copyOf(buf, len));
            len = codec.encodePing(buf, 0, requestId);
            assertArrayEquals(Envelope.parseFrom(Arrays.copyOf(buf, len)).toByteArray(), Arrays.copyOf(buf, len));
        }
    }

    @Test
    void weDecodeWhatProtobufJavaWrites() {
        SplittableRandom random = new SplittableRandom(32);
        for (int round = 0; round < 500; round++) {
            long requestId = random.nextLong();
            NodeId id = TestContacts.randomId(random);
            List<Contact> contacts = randomContacts(random, random.nextInt(21));
            Nodes.Builder nodes = Nodes.newBuilder();
            byte[] address = new byte[NodeAddress.IPV6_WIRE_BYTES];
            for (Contact c : contacts) {
                int n = c.address().writeTo(address, 0);
                nodes.addContacts(io.molia.proto.Contact.newBuilder()
                        .setPublicKey(ByteString.copyFrom(c.publicKeyBytes()))
                        .setPowNonce(c.powNonce())
                        .setAddress(ByteString.copyFrom(address, 0, n)));
            }
            long token = random.nextLong();
            long senderNonce = random.nextLong();
            byte[] wire = Envelope.newBuilder().setVersion(1).setRequestId(requestId).setPowNonce(senderNonce)
                    .setNodes(nodes.setWriteToken(token)).build().toByteArray();
            assertEquals(DecodeStatus.OK, codec.decode(wire, 0, wire.length, decoded));
            assertEquals(MessageKind.NODES, decoded.kind());
            assertEquals(requestId, decoded.requestId());
            assertEquals(senderNonce, decoded.powNonce());
            assertEquals(token, decoded.writeToken());
            assertEquals(contacts, decoded.contacts());

            wire = Envelope.newBuilder().setVersion(1).setRequestId(requestId)
                    .setFindNode(FindNode.newBuilder().setTarget(ByteString.copyFrom(id.toBytes()))).build()
                    .toByteArray();
            assertEquals(DecodeStatus.OK, codec.decode(wire, 0, wire.length, decoded));
            assertEquals(id, decoded.target());

            byte[] value = new byte[random.nextInt(700)];
            random.nextBytes(value);
            wire = Envelope.newBuilder().setVersion(1).setRequestId(requestId)
                    .setStore(Store.newBuilder().setKey(ByteString.copyFrom(id.toBytes()))
                            .setValue(ByteString.copyFrom(value)).setTtlSeconds(60).setWriteToken(token))
                    .build().toByteArray();
            assertEquals(DecodeStatus.OK, codec.decode(wire, 0, wire.length, decoded));
            assertEquals(token, decoded.writeToken());
            assertArrayEquals(value, decoded.copyValue());
            assertEquals(60, decoded.ttlSeconds());
        }
    }

    private static List<Contact> randomContacts(SplittableRandom random, int n) {
        List<Contact> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Contact c = TestContacts.random(random);
            byte[] key = c.publicKeyBytes();
            long nonce = random.nextInt(3) == 0 ? 0 : random.nextLong(1L << 40);
            NodeAddress address = random.nextBoolean() ? c.address()
                    : NodeAddress.ipv6(random.nextLong(), random.nextLong(), random.nextInt(65_536));
            out.add(new Contact(c.id(), key, nonce, address));
        }
        return out;
    }
}
