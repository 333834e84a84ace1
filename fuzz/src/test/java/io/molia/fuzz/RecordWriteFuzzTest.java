package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.MessageKind;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.store.RecordRequests;
import io.molia.core.store.RecordsConfig;
import io.molia.record.MutableRecord;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.WriteOutcome;

/**
 * Provider and mutable record writes from any bytes, through the codec and the one place each type is admitted
 * ({@link RecordRequests}): every write is answered with a RECORD_ACK whose outcome is the store's verdict; a record
 * is stored only when its signature and shape hold (and, for a provider, when its sender is the provider, or its
 * announcement for the key is signed by the provider and not expired: an odd request ID stands for a holder handing
 * the entry over); a refused write stores nothing. No exception for any input.
 */
class RecordWriteFuzzTest {
    private final MessageCodec codec = new MessageCodec(1);
    private final WireMessage in = new WireMessage();
    private final WireMessage ack = new WireMessage();
    private final byte[] out = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
    /** The wall clock the store checks announcement expiries against. */
    private static final long WALL_NOW_NS = 1_800_000_000L * 1_000_000_000L;

    @FuzzTest(maxDuration = "30s")
    void writesGetTheStoresNamedVerdict(byte[] data) {
        if (codec.decode(data, 0, data.length, in) != DecodeStatus.OK) {
            return;
        }
        RecordRequests records = new RecordRequests(RecordsConfig.defaults());
        int n;
        WriteOutcome expected;
        if (in.kind() == MessageKind.PUT_MUTABLE) {
            MutableRecord r = in.mutableRecord();
            WriteOutcome shape = r.check(MutableRecord.MAX_VALUE_BYTES);
            boolean casFails = in.hasCas() && in.cas() != 0; // nothing is stored yet: only cas 0 matches
            expected = !shape.stored() ? shape : casFails ? WriteOutcome.CAS_MISMATCH : WriteOutcome.STORED;
            n = records.putMutable(0, in, out, codec);
            assertEquals(expected.stored() ? 1 : 0, records.mutables().size());
        } else if (in.kind() == MessageKind.ADD_PROVIDER) {
            // Sent by the provider itself (even request ID) or by a holder handing it over (odd).
            boolean forwarded = (in.requestId() & 1) == 1;
            byte[] key = in.nodeRecord().publicKey();
            byte[] contactKey = key.length == Contact.PUBLIC_KEY_BYTES && !forwarded ? key
                    : new byte[Contact.PUBLIC_KEY_BYTES];
            NodeId sender = forwarded ? NodeId.ofPublicKey(contactKey) : in.nodeRecord().id();
            Contact from = new Contact(sender, contactKey, 0, NodeAddress.ipv4(1, 1));
            ProvideAnnouncement announcement = in.announcement();
            expected = in.nodeRecord().check();
            if (expected.stored() && announcement != null) {
                expected = announcement.check(in.nodeRecord(), in.target(), WALL_NOW_NS / 1_000_000_000L);
            } else if (expected.stored() && !sender.equals(in.nodeRecord().id())) {
                expected = WriteOutcome.NOT_THE_PROVIDER;
            }
            n = records.addProvider(0, WALL_NOW_NS, in, from, out, codec);
            assertEquals(expected.stored() ? 1 : 0, records.providers().size());
        } else {
            return;
        }
        assertEquals(DecodeStatus.OK, codec.decode(out, 0, n, ack));
        assertEquals(MessageKind.RECORD_ACK, ack.kind());
        assertEquals(in.requestId(), ack.requestId());
        assertEquals(expected, WriteOutcome.ofCode(ack.outcomeCode()), "the answer names the store's verdict");
        if (!expected.stored()) {
            assertEquals(1, records.mutables().refused() + records.providers().refused(), "a refusal is counted");
            assertEquals(0, records.mutables().size() + records.providers().size(), "a refusal stores nothing");
        }
    }
}
