package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
    private static final CoreConfig CONFIG = CoreConfig.defaults();

    @Test
    void bucketsRespectKAndTheSubnetLimitAndClosestMatchesBruteForce() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            RoutingTable table = new RoutingTable(TestContacts.randomId(random), CONFIG, 0);
            List<Contact> offered = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                // A few crowded /24s so the subnet rule has something to refuse.
                int ip = random.nextInt(4) == 0 ? (0x0a000000 | random.nextInt(8) << 8 | random.nextInt(256))
                        : random.nextInt();
                Contact c = TestContacts.random(random, ip);
                offered.add(c);
                table.onContactSeen(i, c);
            }
            List<Contact> all = new ArrayList<>();
            for (int b = 0; b < NodeId.BITS; b++) {
                List<RoutingEntry> entries = table.bucketEntries(b);
                assertTrue(entries.size() <= CONFIG.k(), "bucket " + b + " over K");
                Map<Long, Integer> perSubnet = new HashMap<>();
                for (RoutingEntry e : entries) {
                    assertEquals(b, table.bucketIndexOf(e.contact().id()), "contact in the wrong bucket");
                    perSubnet.merge(e.contact().address().subnetKey(), 1, Integer::sum);
                    all.add(e.contact());
                }
                perSubnet.values().forEach(n -> assertTrue(n <= CONFIG.maxPerSubnetInBucket(), "subnet limit"));
                assertTrue(table.bucketReplacements(b).size() <= CONFIG.replacementCacheSize());
            }
            assertEquals(all.size(), table.size());
            assertTrue(table.subnetRejections() > 0, "the crowded /24s must have been refused somewhere");

            for (int q = 0; q < 80; q++) {
                // Random targets (the closest bucket is full), and targets that share 1-30 bits with this node
                // (the closest bucket is sparse, so deeper and shallower buckets are searched too).
                NodeId target = q < 50 ? TestContacts.randomId(random) : nearSelf(table.self(), q - 49, random);
                List<Contact> got = new ArrayList<>();
                table.closest(target, CONFIG.k(), false, null, got);
                List<Contact> expected = new ArrayList<>(all);
                expected.sort((x, y) -> target.compareDistance(x.id(), y.id()));
                assertEquals(expected.subList(0, Math.min(CONFIG.k(), expected.size())), got);
            }
        }
    }

    @Test
    void theSnapshotAnswersAsTheTableDoesAndFollowsItsChanges() {
        SplittableRandom random = new SplittableRandom(7);
        RoutingTable table = new RoutingTable(TestContacts.randomId(random), CONFIG, 0);
        List<Contact> offered = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Contact c = TestContacts.random(random);
            offered.add(c);
            table.onContactSeen(i, c);
        }
        long before = table.changes();
        for (int i = 0; i < 200; i++) {
            table.onFailure(offered.get(random.nextInt(offered.size())).id()); // some fail, some leave the table
        }
        assertTrue(table.changes() > before, "failures and evictions are changes a snapshot shows");
        RoutingSnapshot snapshot = table.snapshot();
        int answerable = 0;
        for (int b = 0; b < NodeId.BITS; b++) {
            answerable += (int) table.bucketEntries(b).stream().filter(e -> e.failures() == 0).count();
        }
        assertEquals(answerable, snapshot.size());
        Contact[] fromTable = new Contact[CONFIG.k()];
        Contact[] fromSnapshot = new Contact[CONFIG.k()];
        for (int q = 0; q < 200; q++) {
            NodeId target = q % 2 == 0 ? TestContacts.randomId(random) : nearSelf(table.self(), q % 40 + 1, random);
            NodeId exclude = offered.get(random.nextInt(offered.size())).id();
            int n = table.closest(target.word(0), target.word(1), target.word(2), target.word(3), true, exclude,
                    fromTable, fromTable.length);
            int m = snapshot.closest(target.word(0), target.word(1), target.word(2), target.word(3), true, exclude,
                    fromSnapshot, fromSnapshot.length);
            assertEquals(Arrays.asList(fromTable).subList(0, n), Arrays.asList(fromSnapshot).subList(0, m),
                    "target " + target);
            n = table.closest(target.word(0), target.word(1), target.word(2), target.word(3), false, exclude,
                    fromTable, fromTable.length);
            m = snapshot.closest(target.word(0), target.word(1), target.word(2), target.word(3), false, exclude,
                    fromSnapshot, fromSnapshot.length);
            assertEquals(Arrays.asList(fromTable).subList(0, n), Arrays.asList(fromSnapshot).subList(0, m),
                    "target " + target + ", failing contacts included (where a lookup starts)");
        }
        long unchanged = table.changes();
        table.onContactSeen(5_000, table.bucketEntries(table.deepestNonEmptyBucket()).get(0).contact());
        assertEquals(unchanged, table.changes(), "hearing again from a healthy contact changes no snapshot");
    }

    @Test
    void fullBucketPingsItsOldestEntryAndAFailurePromotesTheReplacement() {
        SplittableRandom random = new SplittableRandom(5);
        NodeId self = TestContacts.randomId(random);
        RoutingTable table = new RoutingTable(self, CONFIG, 0);
        List<Contact> bucket0 = bucketZeroContacts(table, random, CONFIG.k() + 2);
        for (int i = 0; i < CONFIG.k(); i++) {
            assertNull(table.onContactSeen(0, bucket0.get(i)));
        }
        Contact newcomer = bucket0.get(CONFIG.k());
        long later = RoutingTable.LIVENESS_CHECK_AFTER_NS + 1;
        Contact toPing = table.onContactSeen(later, newcomer);
        assertEquals(bucket0.get(0), toPing, "the least recently seen entry is the one checked");
        assertNull(table.entry(newcomer.id()), "the newcomer waits in the replacement cache");
        assertEquals(List.of(newcomer), table.bucketReplacements(0));
        assertNull(table.onContactSeen(later, bucket0.get(CONFIG.k() + 1)),
                "no second ping while one is out for the bucket");

        assertTrue(table.onFailure(toPing.id()), "a failure with a replacement waiting evicts at once");
        assertNull(table.entry(toPing.id()));
        assertNotNull(table.entry(bucket0.get(CONFIG.k() + 1).id()), "the freshest replacement took its place");
        assertEquals(CONFIG.k(), table.bucketEntries(0).size());
    }

    @Test
    void aLiveEntryThatAnswersItsPingStays() {
        SplittableRandom random = new SplittableRandom(9);
        RoutingTable table = new RoutingTable(TestContacts.randomId(random), CONFIG, 0);
        Contact c = TestContacts.random(random);
        table.onContactSeen(0, c);
        assertFalse(table.onFailure(c.id()), "one failure without a replacement is tolerated");
        table.onContactSeen(1, c);
        assertEquals(0, table.entry(c.id()).failures(), "an answer clears the failure count");
        table.onFailure(c.id());
        assertTrue(table.onFailure(c.id()), "consecutive failures evict");
    }

    @Test
    void aMuchNearerNewcomerTakesTheSlowestEntrysPlace() {
        SplittableRandom random = new SplittableRandom(13);
        RoutingTable table = new RoutingTable(TestContacts.randomId(random), CONFIG, 0);
        List<Contact> bucket0 = bucketZeroContacts(table, random, CONFIG.k() + 2);
        for (int i = 0; i < CONFIG.k(); i++) {
            table.onContactSeen(0, bucket0.get(i), (100 + i) * 1_000_000L); // the last one is the slowest: 119 ms
        }
        Contact notNearEnough = bucket0.get(CONFIG.k());
        table.onContactSeen(1, notNearEnough, 95_000_000L);
        assertNull(table.entry(notNearEnough.id()), "95 ms is not under three quarters of 119 ms");
        Contact near = bucket0.get(CONFIG.k() + 1);
        table.onContactSeen(1, near, 80_000_000L); // under 3/4 of 119 ms: wins the place (under 1/2 it would not)
        assertNotNull(table.entry(near.id()));
        assertNull(table.entry(bucket0.get(CONFIG.k() - 1).id()), "the slowest entry left the bucket");
        assertTrue(table.bucketReplacements(0).contains(bucket0.get(CONFIG.k() - 1)), "but stays a replacement");
        assertEquals(CONFIG.k(), table.bucketEntries(0).size());
        assertEquals(1, table.proximitySwaps());
    }

    @Test
    void randomIdInBucketLandsInThatBucket() {
        SplittableRandom random = new SplittableRandom(3);
        RoutingTable table = new RoutingTable(TestContacts.randomId(random), CONFIG, 0);
        for (int b = 0; b < NodeId.BITS; b++) {
            assertEquals(b, table.bucketIndexOf(table.randomIdInBucket(b, random)));
        }
    }

    /** {@code n} random contacts that fall in bucket 0 (their first bit differs from the table's own ID). */
    private static List<Contact> bucketZeroContacts(RoutingTable table, SplittableRandom random, int n) {
        List<Contact> out = new ArrayList<>();
        while (out.size() < n) {
            Contact c = TestContacts.random(random);
            if (table.bucketIndexOf(c.id()) == 0) {
                out.add(c);
            }
        }
        return out;
    }

    /** A random ID sharing exactly its first {@code bits} (< 64) bits with {@code self}. */
    private static NodeId nearSelf(NodeId self, int bits, SplittableRandom random) {
        long low = -1L >>> bits; // the bits after the shared prefix
        long w0 = (self.word(0) & ~low) | (random.nextLong() & low);
        w0 = (w0 & ~(1L << (63 - bits))) | (~self.word(0) & (1L << (63 - bits))); // differs at bit `bits`
        return new NodeId(w0, random.nextLong(), random.nextLong(), random.nextLong());
    }
}
