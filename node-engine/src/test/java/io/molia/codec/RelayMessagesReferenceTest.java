package io.molia.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.TestContacts;
import io.molia.proto.Envelope;
import io.molia.proto.RelayAnswer;
import io.molia.proto.RelayIncoming;
import org.junit.jupiter.api.Test;

/** The relay messages (envelope fields 32–35) against protobuf-java, both ways, and what the codec refuses. */
class RelayMessagesReferenceTest {
    private final MessageCodec codec = new MessageCodec(1);
    private final WireMessage m = new WireMessage();
    private final byte[] buf = new byte[MessageCodec.MAX_DATAGRAM_BYTES];

    private Envelope parsed(int len) throws InvalidProtocolBufferException {
        Envelope e = Envelope.parseFrom(Arrays.copyOf(buf, len));
        assertArrayEquals(e.toByteArray(), Arrays.copyOf(buf, len), "canonical proto3 encoding");
        return e;
    }

    @Test
    void ourRelayMessagesAreProtobufJavas() throws InvalidProtocolBufferException {
        SplittableRandom random = new SplittableRandom(35);
        for (int round = 0; round < 300; round++) {
            long requestId = random.nextLong();
            NodeId target = TestContacts.randomId(random);
            Contact initiator = TestContacts.random(random);
            int circuit = random.nextInt(4) == 0 ? 0 : random.nextInt();
            int refusal = random.nextInt(3) == 0 ? 0 : random.nextInt(12);
            long expires = random.nextInt(3) == 0 ? 0 : random.nextLong(1L << 32);
            NodeAddress peer = random.nextBoolean() ? null : TestContacts.random(random).address();
            int natType = random.nextInt(3) == 0 ? 0 : random.nextInt(6);

            int len = codec.encodeRelayReserve(buf, 0, requestId, natType);
            assertEquals(Envelope.BodyCase.RELAY_RESERVE, parsed(len).getBodyCase());
            assertEquals(natType, parsed(len).getRelayReserve().getNatType());
            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, m));
            assertEquals(MessageKind.RELAY_RESERVE, m.kind());
            assertEquals(requestId, m.requestId());
            assertEquals(natType, m.relayNatType());

            len = codec.encodeRelayConnect(buf, 0, requestId, target, natType);
            assertEquals(ByteString.copyFrom(target.toBytes()), parsed(len).getRelayConnect().getTarget());
            assertEquals(natType, parsed(len).getRelayConnect().getNatType());
            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, m));
            assertEquals(target, m.target());
            assertEquals(natType, m.relayNatType());

            len = codec.encodeRelayAnswer(buf, 0, requestId, circuit, refusal, expires, peer, natType);
            RelayAnswer a = parsed(len).getRelayAnswer();
            assertEquals(natType, a.getPeerNatType());
            assertEquals(circuit, a.getCircuit());
            assertEquals(refusal, a.getRefusal());
            assertEquals(expires, a.getExpiresSeconds() & 0xffff_ffffL);
            assertEquals(peer == null ? 0 : peer.wireLength(), a.getPeerAddress().size());
            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, m));
            assertEquals(circuit, m.relayCircuit());
            assertEquals(refusal, m.relayRefusal());
            assertEquals(expires, m.relayExpiresSeconds());
            assertEquals(peer, m.observedAddress());
            assertEquals(natType, m.relayNatType());

            len = codec.encodeRelayIncoming(buf, 0, requestId, circuit, initiator, natType);
            RelayIncoming in = parsed(len).getRelayIncoming();
            assertEquals(circuit, in.getCircuit());
            assertEquals(natType, in.getInitiatorNatType());
            assertEquals(1, in.getInitiatorCount());
            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, m));
            assertEquals(circuit, m.relayCircuit());
            assertEquals(initiator.id(), m.contacts().get(0).id());
            assertEquals(initiator.address(), m.contacts().get(0).address());
            assertEquals(natType, m.relayNatType());
        }
    }

    @Test
    void malformedRelayBodiesAreRefused() {
        byte[] wire = Envelope.newBuilder().setVersion(1).setRequestId(7)
                .setRelayConnect(io.molia.proto.RelayConnect.newBuilder().setTarget(ByteString.copyFrom(new byte[31])))
                .build().toByteArray();
        assertEquals(DecodeStatus.BAD_FIELD_LENGTH, codec.decode(wire, 0, wire.length, m), "a 31-byte target");
        wire = Envelope.newBuilder().setVersion(1).setRequestId(7)
                .setRelayAnswer(RelayAnswer.newBuilder().setCircuit(5).setPeerAddress(ByteString.copyFrom(new byte[5])))
                .build().toByteArray();
        assertEquals(DecodeStatus.BAD_FIELD_LENGTH, codec.decode(wire, 0, wire.length, m), "a 5-byte address");
        wire = Envelope.newBuilder().setVersion(1).setRequestId(7)
                .setRelayIncoming(RelayIncoming.newBuilder().setCircuit(5).addInitiator(io.molia.proto.Contact
                        .newBuilder().setPublicKey(ByteString.copyFrom(new byte[3]))))
                .build().toByteArray();
        assertEquals(DecodeStatus.BAD_FIELD_LENGTH, codec.decode(wire, 0, wire.length, m), "a contact without a key");
        wire = Envelope.newBuilder().setVersion(1).setRequestId(7).setRelayAnswer(RelayAnswer.newBuilder())
                .build().toByteArray();
        assertEquals(DecodeStatus.OK, codec.decode(wire, 0, wire.length, m));
        assertNull(m.observedAddress(), "no address: none");
        assertEquals(0, m.relayCircuit());
    }

    @Test
    void relayedContactsAreProtobufJavas() throws InvalidProtocolBufferException {
        SplittableRandom random = new SplittableRandom(45);
        for (int round = 0; round < 200; round++) {
            Contact[] contacts = new Contact[1 + random.nextInt(20)];
            for (int i = 0; i < contacts.length; i++) {
                Contact c = TestContacts.random(random);
                contacts[i] = random.nextBoolean() ? c : c.withRelay(TestContacts.random(random).withPowNonce(0));
            }
            int len = codec.encodeNodes(buf, 0, random.nextLong(), contacts, contacts.length, 0);
            io.molia.proto.Nodes nodes = parsed(len).getNodes();
            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, m));
            assertEquals(nodes.getContactsCount(), m.contacts().size());
            for (int i = 0; i < nodes.getContactsCount(); i++) {
                Contact relay = contacts[i].relay();
                io.molia.proto.Contact p = nodes.getContacts(i);
                assertEquals(relay == null ? 0 : Contact.PUBLIC_KEY_BYTES, p.getRelayPublicKey().size());
                assertEquals(relay == null ? 0 : relay.address().wireLength(), p.getRelayAddress().size());
                assertEquals(contacts[i], m.contacts().get(i), "decoded as encoded, relay and all");
            }
        }
        Contact[] relayed = new Contact[20];
        for (int i = 0; i < relayed.length; i++) {
            relayed[i] = TestContacts.random(random).withRelay(TestContacts.random(random));
        }
        int len = codec.encodeNodes(buf, 0, 1, relayed, relayed.length, 0);
        assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, m));
        assertTrue(m.contacts().size() >= 10, "IPv4 relayed contacts, one datagram: " + m.contacts().size());
    }

    @Test
    void aRelayNamedByHalfIsRefused() {
        io.molia.proto.Contact.Builder c = io.molia.proto.Contact.newBuilder()
                .setPublicKey(ByteString.copyFrom(TestContacts.random(new SplittableRandom(1)).publicKeyBytes()))
                .setAddress(ByteString.copyFrom(new byte[] {10, 0, 0, 1, 0, 80}));
        byte[] wire = Envelope.newBuilder().setVersion(1).setRequestId(7)
                .setNodes(io.molia.proto.Nodes.newBuilder().addContacts(c.clone()
                        .setRelayPublicKey(ByteString.copyFrom(new byte[32])))).build().toByteArray();
        assertEquals(DecodeStatus.BAD_FIELD_LENGTH, codec.decode(wire, 0, wire.length, m), "a relay key, no address");
        wire = Envelope.newBuilder().setVersion(1).setRequestId(7)
                .setNodes(io.molia.proto.Nodes.newBuilder().addContacts(c.clone()
                        .setRelayPublicKey(ByteString.copyFrom(new byte[31]))
                        .setRelayAddress(ByteString.copyFrom(new byte[] {10, 0, 0, 2, 0, 80})))).build().toByteArray();
        assertEquals(DecodeStatus.BAD_FIELD_LENGTH, codec.decode(wire, 0, wire.length, m), "a 31-byte relay key");
    }
}
