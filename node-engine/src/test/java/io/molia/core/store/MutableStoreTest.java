package io.molia.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeId;
import io.molia.crypto.Ed25519Identity;
import io.molia.record.MutableRecord;
import io.molia.record.WriteOutcome;
import org.junit.jupiter.api.Test;

/** BEP 44 rules of the mutable store: each refusal reason, counted, and what an accepted write changes. */
class MutableStoreTest {
    private static final long TTL_NS = TimeUnit.HOURS.toNanos(24);
    private final Ed25519Identity owner = Ed25519Identity.generate(new SplittableRandom(1));
    private final Ed25519Identity other = Ed25519Identity.generate(new SplittableRandom(2));
    private final byte[] salt = "profile".getBytes(StandardCharsets.UTF_8);
    private final MutableStore store = new MutableStore(100, 1 << 20, MutableRecord.MAX_VALUE_BYTES);

    private MutableRecord record(long seq, String value) {
        return MutableRecord.sign(owner, salt, seq, value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keyIsBlake3OfPublicKeyAndSalt() {
        MutableRecord r = record(1, "a");
        assertEquals(MutableRecord.keyOf(owner.publicKey(), salt), r.key());
        assertEquals(false, r.key().equals(MutableRecord.keyOf(owner.publicKey(), new byte[0])),
                "another salt is another key");
    }

    @Test
    void higherSeqReplacesAndSameSeqSameValueRefreshes() {
        assertEquals(WriteOutcome.STORED, store.put(0, record(1, "one"), MutableStore.NO_CAS, TTL_NS));
        assertEquals(WriteOutcome.STORED, store.put(5, record(2, "two"), MutableStore.NO_CAS, TTL_NS));
        assertEquals(2, store.get(5, record(2, "two").key()).record().seq());
        assertEquals(WriteOutcome.STORED, store.put(9, record(2, "two"), MutableStore.NO_CAS, TTL_NS));
        assertEquals(9 + TTL_NS, store.get(9, record(2, "two").key()).expiresNs(), "an equal put refreshes the TTL");
        assertEquals(1, store.size());
        assertEquals(3, store.outcomes(WriteOutcome.STORED));
    }

    @Test
    void lowerSeqAndSameSeqOtherValueAreStale() {
        store.put(0, record(5, "five"), MutableStore.NO_CAS, TTL_NS);
        assertEquals(WriteOutcome.STALE_SEQ, store.put(1, record(4, "four"), MutableStore.NO_CAS, TTL_NS));
        assertEquals(WriteOutcome.STALE_SEQ, store.put(1, record(5, "other"), MutableStore.NO_CAS, TTL_NS));
        assertEquals("five", new String(store.get(1, record(5, "five").key()).record().value(),
                StandardCharsets.UTF_8));
        assertEquals(2, store.outcomes(WriteOutcome.STALE_SEQ));
        assertEquals(2, store.refused());
    }

    @Test
    void badSignatureIsRefused() {
        MutableRecord good = record(1, "v");
        MutableRecord forged = new MutableRecord(good.publicKey(), good.salt(), 2, good.value(), good.signature());
        assertEquals(WriteOutcome.BAD_SIGNATURE, store.put(0, forged, MutableStore.NO_CAS, TTL_NS));
        MutableRecord othersKey = MutableRecord.sign(other, salt, 3, good.value());
        MutableRecord stolen = new MutableRecord(owner.publicKey(), salt, 3, good.value(), othersKey.signature());
        assertEquals(WriteOutcome.BAD_SIGNATURE, store.put(0, stolen, MutableStore.NO_CAS, TTL_NS));
        assertEquals(0, store.size());
        assertEquals(2, store.outcomes(WriteOutcome.BAD_SIGNATURE));
    }

    @Test
    void casMustNameTheStoredSeq() {
        assertEquals(WriteOutcome.CAS_MISMATCH, store.put(0, record(1, "a"), 3, TTL_NS), "nothing stored: cas 0");
        assertEquals(WriteOutcome.STORED, store.put(0, record(1, "a"), 0, TTL_NS));
        assertEquals(WriteOutcome.CAS_MISMATCH, store.put(0, record(2, "b"), 0, TTL_NS));
        assertEquals(WriteOutcome.STORED, store.put(0, record(2, "b"), 1, TTL_NS));
        assertEquals(2, store.outcomes(WriteOutcome.CAS_MISMATCH));
    }

    @Test
    void oversizeAndMalformedAreRefused() {
        MutableRecord big = MutableRecord.sign(owner, salt, 1, new byte[MutableRecord.MAX_VALUE_BYTES + 1]);
        assertEquals(WriteOutcome.OVERSIZE, store.put(0, big, MutableStore.NO_CAS, TTL_NS));
        MutableRecord longSalt = MutableRecord.sign(owner, new byte[MutableRecord.MAX_SALT_BYTES + 1], 1, new byte[1]);
        assertEquals(WriteOutcome.MALFORMED, store.put(0, longSalt, MutableStore.NO_CAS, TTL_NS));
        MutableRecord shortSig = new MutableRecord(owner.publicKey(), salt, 1, new byte[1], new byte[10]);
        assertEquals(WriteOutcome.MALFORMED, store.put(0, shortSig, MutableStore.NO_CAS, TTL_NS));
        assertEquals(0, store.size());
    }

    @Test
    void fullStoreRefusesNewKeysButAcceptsUpdates() {
        MutableStore small = new MutableStore(1, 1 << 20, MutableRecord.MAX_VALUE_BYTES);
        assertEquals(WriteOutcome.STORED, small.put(0, record(1, "a"), MutableStore.NO_CAS, TTL_NS));
        MutableRecord another = MutableRecord.sign(other, salt, 1, new byte[1]);
        assertEquals(WriteOutcome.STORE_FULL, small.put(0, another, MutableStore.NO_CAS, TTL_NS));
        assertEquals(WriteOutcome.STORED, small.put(0, record(2, "b"), MutableStore.NO_CAS, TTL_NS));
    }

    @Test
    void journalRefusalMeansNotStored() {
        store.journal(new StoreJournal() {
            @Override
            public boolean onRecordPut(NodeId key, byte[] value, long storedNs, long expiresNs) {
                return true;
            }

            @Override
            public boolean onMutablePut(NodeId key, MutableRecord record, long storedNs, long expiresNs) {
                return false;
            }

            @Override
            public void onRecordRemoved(NodeId key, Removal why) {
            }

            @Override
            public void onPeerAdded(io.molia.contact.Contact contact) {
            }

            @Override
            public void onPeerRemoved(NodeId id) {
            }

            @Override
            public void onPeerScore(NodeId id, int failures) {
            }
        });
        assertEquals(WriteOutcome.NOT_DURABLE, store.put(0, record(1, "a"), MutableStore.NO_CAS, TTL_NS));
        assertEquals(0, store.size());
    }

    @Test
    void expiredRecordsLeaveAndTheirSeqNoLongerBinds() {
        store.put(0, record(7, "a"), MutableStore.NO_CAS, 10);
        assertNull(store.get(10, record(7, "a").key()));
        assertEquals(0, store.bytes());
        assertEquals(WriteOutcome.STORED, store.put(11, record(1, "b"), MutableStore.NO_CAS, TTL_NS));
        assertEquals(1, store.expired());
    }
}
