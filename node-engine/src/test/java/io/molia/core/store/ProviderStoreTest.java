package io.molia.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.TestContacts;
import io.molia.crypto.Ed25519Identity;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;
import io.molia.record.WriteOutcome;
import org.junit.jupiter.api.Test;

/** Provider records: signed by the provider, added by it, bounded per key, per provider and in all. */
class ProviderStoreTest {
    private static final long TTL_NS = 1_000;
    private final SplittableRandom random = new SplittableRandom(7);
    private final NodeAddress address = NodeAddress.parseIpv4("127.0.0.1:4000");

    private SignedNodeRecord recordOf(Ed25519Identity id, long seq) {
        return SignedNodeRecord.sign(id, List.of(address), seq, 0);
    }

    @Test
    void providerAddsItselfAndIsFound() {
        ProviderStore store = new ProviderStore(4, 4, 100);
        Ed25519Identity p = Ed25519Identity.generate(random);
        NodeId key = TestContacts.randomId(random);
        SignedNodeRecord r = recordOf(p, 1);
        assertEquals(WriteOutcome.STORED, store.add(0, key, r, r.id(), TTL_NS));
        assertEquals(List.of(r), store.providers(1, key));
        assertEquals(WriteOutcome.STORED, store.add(2, key, recordOf(p, 2), r.id(), TTL_NS), "a refresh");
        assertEquals(1, store.size());
        assertEquals(WriteOutcome.STALE_SEQ, store.add(3, key, r, r.id(), TTL_NS));
        assertEquals(List.of(), store.providers(2 + TTL_NS, key), "expired");
        assertEquals(0, store.size());
    }

    @Test
    void refusalsAreNamedAndCounted() {
        ProviderStore store = new ProviderStore(2, 2, 100);
        NodeId key = TestContacts.randomId(random);
        Ed25519Identity a = Ed25519Identity.generate(random);
        Ed25519Identity b = Ed25519Identity.generate(random);
        Ed25519Identity c = Ed25519Identity.generate(random);
        SignedNodeRecord ra = recordOf(a, 1);
        assertEquals(WriteOutcome.NOT_THE_PROVIDER, store.add(0, key, ra, recordOf(b, 1).id(), TTL_NS));
        SignedNodeRecord forged = new SignedNodeRecord(ra.publicKey(), ra.addresses(), 9, 0, ra.signature());
        assertEquals(WriteOutcome.BAD_SIGNATURE, store.add(0, key, forged, ra.id(), TTL_NS));
        assertEquals(WriteOutcome.STORED, store.add(0, key, ra, ra.id(), TTL_NS));
        assertEquals(WriteOutcome.STORED, store.add(0, key, recordOf(b, 1), recordOf(b, 1).id(), TTL_NS));
        assertEquals(WriteOutcome.KEY_FULL, store.add(0, key, recordOf(c, 1), recordOf(c, 1).id(), TTL_NS));
        assertEquals(WriteOutcome.STORED, store.add(0, TestContacts.randomId(random), ra, ra.id(), TTL_NS));
        assertEquals(WriteOutcome.PROVIDER_FULL, store.add(0, TestContacts.randomId(random), ra, ra.id(), TTL_NS));
        assertEquals(1, store.outcomes(WriteOutcome.KEY_FULL));
        assertEquals(1, store.outcomes(WriteOutcome.PROVIDER_FULL));
        assertEquals(4, store.refused());
        assertEquals(3, store.size());
    }

    @Test
    void totalBoundRefuses() {
        ProviderStore store = new ProviderStore(4, 4, 1);
        Ed25519Identity a = Ed25519Identity.generate(random);
        SignedNodeRecord ra = recordOf(a, 1);
        assertEquals(WriteOutcome.STORED, store.add(0, TestContacts.randomId(random), ra, ra.id(), TTL_NS));
        assertEquals(WriteOutcome.STORE_FULL, store.add(0, TestContacts.randomId(random), ra, ra.id(), TTL_NS));
    }

    @Test
    void malformedRecordIsRefused() {
        ProviderStore store = new ProviderStore(4, 4, 10);
        Ed25519Identity a = Ed25519Identity.generate(random);
        SignedNodeRecord none = SignedNodeRecord.sign(a, List.of(), 1, 0);
        assertEquals(WriteOutcome.MALFORMED, store.add(0, TestContacts.randomId(random), none, none.id(), TTL_NS));
    }

    private static final long WALL_NS = 1_800_000_000L * 1_000_000_000L;

    @Test
    void anEntryForwardedWithItsAnnouncementIsStoredUntilTheSignedExpiry() {
        ProviderStore store = new ProviderStore(4, 4, 100);
        Ed25519Identity p = Ed25519Identity.generate(random);
        NodeId holder = TestContacts.randomId(random);
        NodeId key = TestContacts.randomId(random);
        SignedNodeRecord r = recordOf(p, 1);
        long wallSeconds = WALL_NS / 1_000_000_000L;
        ProvideAnnouncement signed = ProvideAnnouncement.sign(p, key, 1, wallSeconds + 60);
        assertEquals(WriteOutcome.STORED, store.add(0, WALL_NS, key, r, signed, holder, 3_600_000_000_000L));
        assertEquals(1, store.forwarded());
        assertEquals(signed, store.entries(0, key).get(0).announcement(), "kept, so it can be handed on");
        assertEquals(60_000_000_000L, store.entries(0, key).get(0).expiresNs(), "the signed expiry, not the TTL");
        assertEquals(List.of(r), store.providers(59_999_999_999L, key));
        assertEquals(List.of(), store.providers(60_000_000_000L, key), "gone at the signed expiry");
    }

    @Test
    void aForgedOrExpiredForwardedEntryIsRefusedCountedAndNeverStored() {
        ProviderStore store = new ProviderStore(4, 4, 100);
        Ed25519Identity p = Ed25519Identity.generate(random);
        Ed25519Identity forger = Ed25519Identity.generate(random);
        NodeId holder = TestContacts.randomId(random);
        NodeId key = TestContacts.randomId(random);
        NodeId other = TestContacts.randomId(random);
        SignedNodeRecord r = recordOf(p, 2);
        long wallSeconds = WALL_NS / 1_000_000_000L;
        assertEquals(WriteOutcome.NOT_THE_PROVIDER, store.add(0, WALL_NS, key, r, null, holder, TTL_NS),
                "no announcement: only the provider itself");
        assertEquals(WriteOutcome.BAD_SIGNATURE, store.add(0, WALL_NS, key, r,
                ProvideAnnouncement.sign(forger, key, 2, wallSeconds + 60), holder, TTL_NS), "signed by another key");
        assertEquals(WriteOutcome.BAD_SIGNATURE, store.add(0, WALL_NS, key, r,
                ProvideAnnouncement.sign(p, other, 2, wallSeconds + 60), holder, TTL_NS), "for another key");
        assertEquals(WriteOutcome.BAD_SIGNATURE, store.add(0, WALL_NS, key, r,
                ProvideAnnouncement.sign(p, key, 1, wallSeconds + 60), holder, TTL_NS), "for another record seq");
        ProvideAnnouncement late = ProvideAnnouncement.sign(p, key, 2, wallSeconds + 60);
        assertEquals(WriteOutcome.BAD_SIGNATURE, store.add(0, WALL_NS, key, r,
                new ProvideAnnouncement(late.expiresSeconds() + 3_600, late.signature()), holder, TTL_NS),
                "an expiry moved on");
        assertEquals(WriteOutcome.EXPIRED, store.add(0, WALL_NS, key, r,
                ProvideAnnouncement.sign(p, key, 2, wallSeconds), holder, TTL_NS), "expired");
        assertEquals(WriteOutcome.MALFORMED, store.add(0, WALL_NS, key, r,
                new ProvideAnnouncement(wallSeconds + 60, new byte[3]), holder, TTL_NS));
        assertEquals(0, store.size());
        assertEquals(0, store.forwarded());
        assertEquals(4, store.outcomes(WriteOutcome.BAD_SIGNATURE));
        assertEquals(1, store.outcomes(WriteOutcome.EXPIRED));
        assertEquals(7, store.refused());
    }

    @Test
    void forwardedEntriesKeepTheBoundsAndNeverShortenOrOutliveWhatIsHeld() {
        ProviderStore store = new ProviderStore(1, 4, 100);
        Ed25519Identity a = Ed25519Identity.generate(random);
        Ed25519Identity b = Ed25519Identity.generate(random);
        NodeId holder = TestContacts.randomId(random);
        NodeId key = TestContacts.randomId(random);
        long wallSeconds = WALL_NS / 1_000_000_000L;
        SignedNodeRecord ra = recordOf(a, 1);
        assertEquals(WriteOutcome.STORED, store.add(0, WALL_NS, key, ra,
                ProvideAnnouncement.sign(a, key, 1, wallSeconds + 100), ra.id(), TTL_NS * 1_000_000_000L));
        assertEquals(WriteOutcome.KEY_FULL, store.add(0, WALL_NS, key, recordOf(b, 1),
                ProvideAnnouncement.sign(b, key, 1, wallSeconds + 100), holder, TTL_NS * 1_000_000_000L));
        assertEquals(WriteOutcome.STORED, store.add(0, WALL_NS, key, ra,
                ProvideAnnouncement.sign(a, key, 1, wallSeconds + 10), holder, TTL_NS * 1_000_000_000L),
                "an older copy of the same entry");
        assertEquals(100_000_000_000L, store.entries(0, key).get(0).expiresNs(), "is not shortened by it");
        assertEquals(0, store.forwarded(), "and nothing was written");
    }

    /**
     * The attack: a peer signs announcements for identities it made up a moment before and hands them over as if it
     * held them. They fill the key, and real providers announcing themselves would meet KEY_FULL at every holder.
     */
    @Test
    void madeUpProvidersHandedOverGiveWayToRealOnesAnnouncingThemselves() {
        ProviderStore store = new ProviderStore(3, 4, 100);
        NodeId attacker = TestContacts.randomId(random);
        NodeId key = TestContacts.randomId(random);
        List<Ed25519Identity> fakes = new ArrayList<>();
        List<SignedNodeRecord> madeUp = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Ed25519Identity fake = Ed25519Identity.generate(random);
            SignedNodeRecord r = recordOf(fake, 1);
            fakes.add(fake);
            madeUp.add(r);
            assertEquals(WriteOutcome.STORED, handOver(store, i, key, fake, r, attacker));
        }
        Ed25519Identity another = Ed25519Identity.generate(random);
        assertEquals(WriteOutcome.KEY_FULL, handOver(store, 3, key, another, recordOf(another, 1), attacker),
                "a handed-over entry never displaces another");

        SignedNodeRecord real = recordOf(Ed25519Identity.generate(random), 1);
        assertEquals(WriteOutcome.STORED, store.add(4, key, real, real.id(), TTL_NS * 1_000_000_000L));
        assertEquals(List.of(madeUp.get(1), madeUp.get(2), real), store.providers(5, key),
                "the oldest made-up one went");
        assertEquals(1, store.displaced());
        assertEquals(3, store.size());
        assertEquals(WriteOutcome.KEY_FULL, handOver(store, 6, key, fakes.get(0), madeUp.get(0), attacker),
                "handing the dropped one over again does not push the real one out");
        assertEquals(WriteOutcome.KEY_FULL, handOver(store, 6, key, another, recordOf(another, 1), attacker));
        assertEquals(List.of(madeUp.get(1), madeUp.get(2), real), store.providers(7, key));
    }

    @Test
    void aKeyFullOfProvidersThatAnnouncedThemselvesStillRefuses() {
        ProviderStore store = new ProviderStore(2, 4, 100);
        NodeId key = TestContacts.randomId(random);
        NodeId holder = TestContacts.randomId(random);
        Ed25519Identity handedOver = Ed25519Identity.generate(random);
        SignedNodeRecord h = recordOf(handedOver, 1);
        assertEquals(WriteOutcome.STORED, handOver(store, 0, key, handedOver, h, holder));
        SignedNodeRecord a = recordOf(Ed25519Identity.generate(random), 1);
        assertEquals(WriteOutcome.STORED, store.add(1, key, a, a.id(), TTL_NS));
        assertEquals(WriteOutcome.STORED, store.add(2, key, h, h.id(), TTL_NS),
                "the handed-over provider announcing itself makes its entry its own");
        SignedNodeRecord b = recordOf(Ed25519Identity.generate(random), 1);
        assertEquals(WriteOutcome.KEY_FULL, store.add(3, key, b, b.id(), TTL_NS),
                "nothing handed over is left to drop");
        assertEquals(0, store.displaced());
        assertEquals(List.of(h, a), store.providers(4, key));
    }

    /** {@code record} of {@code provider} for {@code key}, handed over by {@code from} with an hour's announcement. */
    private static WriteOutcome handOver(ProviderStore store, long nowNs, NodeId key, Ed25519Identity provider,
            SignedNodeRecord record, NodeId from) {
        ProvideAnnouncement announcement = ProvideAnnouncement.sign(provider, key, record.seq(),
                WALL_NS / 1_000_000_000L + 3_600);
        return store.add(nowNs, WALL_NS, key, record, announcement, from, 3_600_000_000_000L);
    }
}
