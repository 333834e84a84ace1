package io.molia.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.molia.crypto.Ed25519Identity;
import io.molia.proto.Envelope;
import io.molia.proto.NodeRecord;
import io.molia.proto.PutMutable;
import io.molia.record.MutableRecord;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;
import io.molia.record.WriteOutcome;
import org.junit.jupiter.api.Test;

/** The provider and mutable record bodies of the hand-written codec against protobuf-java (molia.proto). */
class RecordBodiesReferenceTest {
    private final MessageCodec codec = new MessageCodec(1);
    private final WireMessage decoded = new WireMessage();
    private final byte[] buf = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
    private final SplittableRandom random = new SplittableRandom(44);
    private final Ed25519Identity identity = Ed25519Identity.generate(random);

    private byte[] wire(int len) {
        return Arrays.copyOf(buf, len);
    }

    private SignedNodeRecord nodeRecord() {
        List<NodeAddress> addresses = new ArrayList<>();
        for (int i = 0, n = 1 + random.nextInt(SignedNodeRecord.MAX_ADDRESSES); i < n; i++) {
            addresses.add(random.nextBoolean() ? NodeAddress.ipv4(random.nextInt(), random.nextInt(65_536))
                    : NodeAddress.ipv6(random.nextLong(), random.nextLong(), random.nextInt(65_536)));
        }
        return SignedNodeRecord.sign(identity, addresses, random.nextInt(3) == 0 ? 0 : random.nextLong(1L << 40),
                random.nextInt(3) == 0 ? 0 : random.nextLong(1L << 20));
    }

    private MutableRecord mutableRecord(int maxValue) {
        byte[] salt = new byte[random.nextInt(MutableRecord.MAX_SALT_BYTES + 1)];
        random.nextBytes(salt);
        byte[] value = new byte[random.nextInt(maxValue + 1)];
        random.nextBytes(value);
        return MutableRecord.sign(identity, salt, random.nextInt(3) == 0 ? 0 : random.nextLong(1L << 50), value);
    }

    @Test
    void recordBodiesRoundTripAsProtobufJavaCanonicalBytes() throws InvalidProtocolBufferException {
        for (int round = 0; round < 100; round++) {
            long requestId = random.nextLong();
            NodeId key = TestContacts.randomId(random);
            SignedNodeRecord provider = nodeRecord();

            ProvideAnnouncement announcement = random.nextBoolean() ? null
                    : ProvideAnnouncement.sign(identity, key, provider.seq(), random.nextLong(1L << 34));
            int len = codec.encodeAddProvider(buf, 0, requestId, key, provider, announcement, 3_600);
            Envelope parsed = Envelope.parseFrom(wire(len));
            assertEquals(announcement != null, parsed.getAddProvider().getProvider().hasAnnouncement());
            if (announcement != null) {
                assertEquals(announcement.expiresSeconds(),
                        parsed.getAddProvider().getProvider().getAnnouncement().getExpiresSeconds());
            }
            assertEquals(ByteString.copyFrom(key.toBytes()), parsed.getAddProvider().getKey());
            assertEquals(provider.addresses().size(), parsed.getAddProvider().getProvider().getAddressesCount());
            assertEquals(provider.seq(), parsed.getAddProvider().getProvider().getSeq());
            assertArrayEquals(parsed.toByteArray(), wire(len), "canonical proto3 encoding");
            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, decoded));
            assertEquals(key, decoded.target());
            assertEquals(provider, decoded.nodeRecord());
            assertEquals(WriteOutcome.STORED, decoded.nodeRecord().check());
            assertEquals(announcement, decoded.announcement());

            List<SignedNodeRecord> providers = new ArrayList<>();
            List<ProvideAnnouncement> announcements = new ArrayList<>();
            for (int i = 0, n = random.nextInt(6); i < n; i++) {
                providers.add(nodeRecord());
                announcements.add(random.nextBoolean() ? null : ProvideAnnouncement.sign(identity, key,
                        providers.get(i).seq(), random.nextLong(1L << 34)));
            }
            Contact[] closer = new Contact[random.nextInt(21)];
            for (int i = 0; i < closer.length; i++) {
                closer[i] = TestContacts.random(random);
            }
            len = codec.encodeProviders(buf, 0, requestId, providers, announcements, closer, closer.length);
            parsed = Envelope.parseFrom(wire(len));
            assertEquals(providers.size(), parsed.getProviders().getProvidersCount());
            for (int i = 0; i < providers.size(); i++) {
                assertEquals(announcements.get(i) != null, parsed.getProviders().getProviders(i).hasAnnouncement());
            }
            assertArrayEquals(parsed.toByteArray(), wire(len));
            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, decoded));
            assertEquals(providers, decoded.providers());
            assertEquals(announcements, decoded.providerAnnouncements());
            assertEquals(Arrays.asList(closer).subList(0, decoded.contacts().size()), decoded.contacts());

            MutableRecord record = mutableRecord(MutableRecord.MAX_VALUE_BYTES);
            long cas = random.nextInt(3) == 0 ? -1 : random.nextInt(2) == 0 ? 0 : random.nextLong(1L << 50);
            len = codec.encodePutMutable(buf, 0, requestId, record, cas, 86_400);
            parsed = Envelope.parseFrom(wire(len));
            assertEquals(cas >= 0, parsed.getPutMutable().hasCas());
            assertEquals(record.seq(), parsed.getPutMutable().getRecord().getSeq());
            assertArrayEquals(parsed.toByteArray(), wire(len));
            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, decoded));
            assertEquals(record, decoded.mutableRecord());
            assertEquals(record.key(), decoded.target(), "a put is routed by the record's key");
            assertEquals(cas >= 0, decoded.hasCas());
            if (cas >= 0) {
                assertEquals(cas, decoded.cas());
            }

            MutableRecord small = mutableRecord(400);
            len = codec.encodeMutableValue(buf, 0, requestId, small, 120, closer, closer.length);
            parsed = Envelope.parseFrom(wire(len));
            assertArrayEquals(parsed.toByteArray(), wire(len));
            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, decoded));
            assertEquals(small, decoded.mutableRecord());
            assertEquals(120, decoded.ttlSeconds());

            WriteOutcome outcome = WriteOutcome.values()[random.nextInt(WriteOutcome.values().length)];
            len = codec.encodeRecordAck(buf, 0, requestId, outcome, 7);
            parsed = Envelope.parseFrom(wire(len));
            assertEquals(outcome.code(), parsed.getRecordAck().getOutcome());
            assertArrayEquals(parsed.toByteArray(), wire(len));
            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, decoded));
            assertEquals(outcome, WriteOutcome.ofCode(decoded.outcomeCode()));
            assertEquals(7, decoded.ackSeq());

            len = codec.encodeGetMutable(buf, 0, requestId, key);
            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, decoded));
            assertEquals(MessageKind.GET_MUTABLE, decoded.kind());
            assertEquals(key, decoded.target());
            len = codec.encodeGetProviders(buf, 0, requestId, key);
            assertEquals(DecodeStatus.OK, codec.decode(buf, 0, len, decoded));
            assertEquals(MessageKind.GET_PROVIDERS, decoded.kind());
        }
    }

    @Test
    void theLargestMutablePutFitsOneDatagram() {
        byte[] salt = new byte[MutableRecord.MAX_SALT_BYTES];
        MutableRecord r = MutableRecord.sign(identity, salt, Long.MAX_VALUE, new byte[MutableRecord.MAX_VALUE_BYTES]);
        MessageCodec allFeatures = new MessageCodec(new ProtocolRange(1, 2, -1L));
        int len = allFeatures.encodePutMutable(buf, 0, -1L, r, Long.MAX_VALUE, 86_400);
        assertTrue(len <= MessageCodec.MAX_DATAGRAM_BYTES, len + " bytes");
        assertEquals(DecodeStatus.OK, allFeatures.decode(buf, 0, len, decoded));
    }

    @Test
    void aProviderRecordWithABadAddressIsRejectedAndAMissingOneIsRefusedByTheStore() {
        NodeId key = TestContacts.randomId(random);
        byte[] bad = Envelope.newBuilder().setVersion(1).setAddProvider(io.molia.proto.AddProvider.newBuilder()
                .setKey(ByteString.copyFrom(key.toBytes()))
                .setProvider(NodeRecord.newBuilder().addAddresses(ByteString.copyFrom(new byte[5])))).build()
                .toByteArray();
        assertEquals(DecodeStatus.BAD_FIELD_LENGTH, codec.decode(bad, 0, bad.length, decoded));
        byte[] none = Envelope.newBuilder().setVersion(1).setAddProvider(io.molia.proto.AddProvider.newBuilder()
                .setKey(ByteString.copyFrom(key.toBytes()))).build().toByteArray();
        assertEquals(DecodeStatus.OK, codec.decode(none, 0, none.length, decoded));
        assertEquals(WriteOutcome.MALFORMED, decoded.nodeRecord().check());
        byte[] emptyPut = Envelope.newBuilder().setVersion(1).setPutMutable(PutMutable.newBuilder().setCas(0)).build()
                .toByteArray();
        assertEquals(DecodeStatus.OK, codec.decode(emptyPut, 0, emptyPut.length, decoded));
        assertTrue(decoded.hasCas());
        assertFalse(decoded.mutableRecord().check(MutableRecord.MAX_VALUE_BYTES).stored());
    }
}
