package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.core.PeerScores.Reason;
import org.junit.jupiter.api.Test;

/** Behaviour scores in the routing table: low scorers leave, stay out, are never handed out; table-wide caps. */
class RoutingTableScoresTest {
    private static final CoreConfig CONFIG = CoreConfig.defaults();
    private final SplittableRandom random = new SplittableRandom(5);
    private final RoutingTable table = new RoutingTable(TestContacts.randomId(random), CONFIG, 0);

    private void makeLow(NodeId id) {
        for (int i = 0; i < 3; i++) {
            if (table.scores().record(1, id, Reason.TIMED_OUT)) {
                table.onLowScore(id);
            }
        }
        assertTrue(table.scores().isLow(id));
    }

    /** Fills bucket 0 (a random ID falls in it half the time) and its replacement cache; returns its contacts. */
    private List<Contact> fillBucketZero() {
        List<Contact> inBucket = new ArrayList<>();
        while (table.bucketEntries(0).size() < CONFIG.k() || table.bucketReplacements(0).size() < 3) {
            Contact c = TestContacts.random(random);
            table.onContactSeen(1, c);
            if (table.bucketIndexOf(c.id()) == 0) {
                inBucket.add(c);
            }
        }
        return inBucket;
    }

    @Test
    void aLowScorerLeavesItsBucketForAReplacementThatIsNotLowItself() {
        fillBucketZero();
        List<Contact> replacements = table.bucketReplacements(0);
        Contact freshest = replacements.get(replacements.size() - 1); // the one a promotion takes first
        Contact next = replacements.get(replacements.size() - 2);
        makeLow(freshest.id());
        assertFalse(table.bucketReplacements(0).contains(freshest), "a low scorer leaves the replacement cache too");
        NodeId evicted = table.bucketEntries(0).get(5).contact().id();
        makeLow(evicted);
        assertNull(table.entry(evicted), "evicted");
        assertNotNull(table.entry(next.id()), "the next replacement took its place");
        assertNull(table.entry(freshest.id()), "a low replacement is never promoted");
        assertEquals(CONFIG.k(), table.bucketEntries(0).size());
        assertEquals(1, table.lowScoreEvictions());

        table.onContactSeen(2, freshest);
        assertNull(table.entry(freshest.id()), "a low scorer that answers is refused");
        assertTrue(table.lowScoreRefusals() >= 1);
        assertFalse(table.wouldChangeIfAnswered(2, freshest), "not even pinged as a candidate");
        List<Contact> closest = new ArrayList<>();
        table.closest(evicted, CONFIG.k(), true, null, closest);
        assertFalse(closest.stream().anyMatch(c -> c.id().equals(evicted) || c.id().equals(freshest.id())),
                "never handed out");
    }

    @Test
    void decayLetsAReformedPeerBackIn() {
        Contact c = TestContacts.random(random);
        makeLow(c.id());
        table.onContactSeen(2, c);
        assertNull(table.entry(c.id()));
        table.scores().advance(PeerScores.Config.defaults().halfLifeNs() * 2); // -6 decays to -1.5
        table.onContactSeen(PeerScores.Config.defaults().halfLifeNs() * 2, c);
        assertNotNull(table.entry(c.id()));
    }

    @Test
    void oneSubnetHoldsAtMostItsTableWideShare() {
        int cap = PeerScores.Config.defaults().maxPerSubnetInTable();
        for (int i = 0; i < 2_000; i++) {
            // one /24 (10.1.2.0/24) against the rest of the Internet
            int ip = i % 2 == 0 ? 0x0a010200 | (i & 0xff) : random.nextInt();
            table.onContactSeen(i, TestContacts.random(random, ip));
        }
        assertEquals(cap, countWhere(e -> e.contact().address().subnetKey() == 0x0a0102L));
        assertTrue(table.tableCapRejections() > 0);
        // the count follows departures: one leaves, one more of the /24 may enter
        NodeId leaving = entries().stream().filter(e -> e.contact().address().subnetKey() == 0x0a0102L)
                .findFirst().orElseThrow().contact().id();
        table.remove(leaving);
        Contact again;
        do {
            again = TestContacts.random(random, 0x0a0102ff);
        } while (table.bucketEntries(Math.max(0, table.bucketIndexOf(again.id()))).size() >= CONFIG.k());
        table.onContactSeen(3_000, again);
        assertNotNull(table.entry(again.id()));
    }

    @Test
    void oneAutonomousSystemHoldsAtMostItsShareWhenTheTableKnowsIt() {
        int cap = PeerScores.Config.defaults().maxPerAsnInTable();
        table.asnOf(a -> a.isIpv4() && (a.ipv4() >>> 24) == 10 ? 64_500 : 0); // all of 10/8 in one AS
        for (int i = 0; i < 4_000; i++) {
            int ip = i % 2 == 0 ? 0x0a000000 | random.nextInt(1 << 24) : random.nextInt();
            table.onContactSeen(i, TestContacts.random(random, ip));
        }
        assertEquals(cap, countWhere(e -> (e.contact().address().ipv4() >>> 24) == 10));
    }

    private List<RoutingEntry> entries() {
        List<RoutingEntry> all = new ArrayList<>();
        for (int b = 0; b < NodeId.BITS; b++) {
            all.addAll(table.bucketEntries(b));
        }
        return all;
    }

    private long countWhere(java.util.function.Predicate<RoutingEntry> p) {
        Map<Boolean, Integer> n = new HashMap<>();
        entries().forEach(e -> n.merge(p.test(e), 1, Integer::sum));
        return n.getOrDefault(true, 0);
    }
}
