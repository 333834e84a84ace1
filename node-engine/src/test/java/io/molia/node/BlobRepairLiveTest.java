package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeId;
import io.molia.testing.LiveNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The periodic stripe repair between real nodes on loopback (docs/blobs.md "Repair"): a one-stripe blob put on 18
 * nodes, three of its holders stopped; a round of {@link BlobRepairCheck} on a surviving holder finds the three
 * missing, rebuilds them and places them on three nodes that held none, so 14 live nodes hold the stripe again; a
 * second round finds it intact; then four more of the original holders stop (seven of fourteen gone, beyond what the
 * code alone survives) and the blob still reads byte-identical.
 */
class BlobRepairLiveTest {
    private static final int NODES = 18;

    @RegisterExtension
    final LiveNodes live = new LiveNodes();

    /** Stripe-0 fragment indices each node holds. */
    private static Set<Integer> held(MoliaNode n) throws Exception {
        return n.onLoop(s -> {
            Set<Integer> indices = new HashSet<>();
            s.core().blobTransfers().store().forEach((key, object) -> {
                if (object[1] == 'F') {
                    indices.add(object[3] & 0xFF);
                }
            });
            return indices;
        }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aHolderRebuildsThreeLostFragmentsOnNewNodesSoTheBlobOutlivesSevenLostHolders() throws Exception {
        List<MoliaNode> nodes = joined(NODES);

        byte[] blob = oneStripe(6);
        NodeId key = nodes.get(1).putBlob(blob).get(30, TimeUnit.SECONDS);

        List<MoliaNode> holders = holders(nodes);
        MoliaNode checker = holders.get(0);
        List<MoliaNode> gone = new ArrayList<>(holders.subList(1, 4));
        for (MoliaNode n : gone) {
            n.close();
        }
        nodes.removeAll(gone);

        BlobRepairCheck check = checker.blobRepair();
        check.round().get(120, TimeUnit.SECONDS);
        assertEquals(1, check.stripesChecked());
        assertEquals(1, check.stripesRepaired(), "the stripe was repaired");
        assertEquals(3, check.fragmentsRebuilt(), "its three missing fragments");

        Set<Integer> indices = new HashSet<>();
        int liveHolders = 0;
        for (MoliaNode n : nodes) {
            Set<Integer> h = held(n);
            assertTrue(h.size() <= 1, "at most one fragment of the stripe per node: " + h);
            liveHolders += h.isEmpty() ? 0 : 1;
            indices.addAll(h);
        }
        assertEquals(14, indices.size(), "every fragment is held again");
        assertEquals(14, liveHolders, "by 14 distinct live nodes");

        check.round().get(120, TimeUnit.SECONDS);
        assertEquals(2, check.stripesChecked());
        assertEquals(1, check.intact.get(), "the next round finds the stripe whole");

        List<MoliaNode> original = new ArrayList<>(holders.subList(4, 14));
        original.remove(checker);
        for (MoliaNode n : original.subList(0, 4)) {
            n.close();
            nodes.remove(n);
        }
        assertArrayEquals(blob, nodes.get(nodes.size() - 1).getBlob(key).get(60, TimeUnit.SECONDS),
                "read with 7 of the 14 original holders gone");
    }

    private static long sum(List<MoliaNode> nodes, java.util.function.ToLongFunction<io.molia.blob.BlobCounters> figure)
            throws Exception {
        long total = 0;
        for (MoliaNode n : nodes) {
            total += n.onLoop(s -> figure.applyAsLong(s.core().blobTransfers().counters())).get(5, TimeUnit.SECONDS);
        }
        return total;
    }

    /**
     * The cheaper check (docs/blobs.md "Repair"): a holder learns which siblings are held by PROBE / HELD, one
     * datagram each way, so a check of a whole stripe moves no fragment at all (before 2026-12-03 it fetched all 13
     * siblings, about 13 × 61 chunks), and a check of a stripe missing two fetches only the 9 it needs to rebuild
     * them.
     */
    @Test
    void aCheckOfAWholeStripeSendsNoChunkAndARepairFetchesOnlyWhatItRebuildsFrom() throws Exception {
        List<MoliaNode> nodes = joined(16);
        byte[] blob = oneStripe(8);
        NodeId key = nodes.get(1).putBlob(blob).get(30, TimeUnit.SECONDS);
        List<MoliaNode> holders = holders(nodes);
        MoliaNode checker = holders.get(0);
        BlobRepairCheck check = checker.blobRepair();

        long chunksBefore = sum(nodes, io.molia.blob.BlobCounters::chunksSent);
        long heldBefore = sum(nodes, io.molia.blob.BlobCounters::probesAnsweredHeld);
        check.round().get(60, TimeUnit.SECONDS);
        assertEquals(1, check.intact.get(), "the whole stripe is found intact");
        assertEquals(0, sum(nodes, io.molia.blob.BlobCounters::chunksSent) - chunksBefore,
                "no chunk of any fragment moved to check a whole stripe");
        assertEquals(13, sum(nodes, io.molia.blob.BlobCounters::probesAnsweredHeld) - heldBefore,
                "each of the 13 siblings was probed and answered HELD once");

        for (MoliaNode n : holders.subList(1, 3)) {
            n.close();
            nodes.remove(n);
        }
        long fetchesBefore = sum(List.of(checker), io.molia.blob.BlobCounters::fetchesStarted);
        long pushesBefore = sum(List.of(checker), io.molia.blob.BlobCounters::pushesStarted);
        check.round().get(120, TimeUnit.SECONDS);
        assertEquals(1, check.stripesRepaired(), "the stripe with two holders gone was repaired");
        assertEquals(2, check.fragmentsRebuilt());
        assertEquals(9, sum(List.of(checker), io.molia.blob.BlobCounters::fetchesStarted) - fetchesBefore,
                "9 siblings fetched: with its own fragment, the 10 a rebuild needs");
        assertEquals(2, sum(List.of(checker), io.molia.blob.BlobCounters::pushesStarted) - pushesBefore,
                "the 2 rebuilt fragments pushed");
        assertArrayEquals(blob, nodes.get(nodes.size() - 1).getBlob(key).get(60, TimeUnit.SECONDS));
    }

    /**
     * One whole check per stripe, safely (docs/blobs.md "Repair"): with all 14 fragments held and each holder running
     * a round in fragment order, the holder of fragment 0 checks the stripe whole and the 13 others leave it to it
     * (3 siblings probed each, not 13: 52 HELD answers in all, 182 when every holder checked whole). Then two holders
     * stop: while holder 0's whole check is recent, the stripe is still left to it; holder 0's next check fails (it
     * bans five holders, so it finds fewer than 10 fragments), it forgets its check, and the next holder checks the
     * stripe itself and rebuilds the two lost fragments.
     */
    @Test
    void oneHolderChecksAStripeWholeTheOthersLeaveItToItAndTakeOverWhenItsCheckFails() throws Exception {
        List<MoliaNode> nodes = joined(17);
        byte[] blob = oneStripe(9);
        NodeId key = nodes.get(1).putBlob(blob).get(30, TimeUnit.SECONDS);
        MoliaNode[] byIndex = new MoliaNode[14];
        for (MoliaNode n : holders(nodes)) {
            byIndex[held(n).iterator().next()] = n;
        }

        long heldBefore = sum(nodes, io.molia.blob.BlobCounters::probesAnsweredHeld);
        for (MoliaNode n : byIndex) {
            n.blobRepair().round().get(60, TimeUnit.SECONDS);
        }
        assertEquals(1, byIndex[0].blobRepair().intact.get(), "the holder of fragment 0 checks it whole");
        long deferred = 0;
        long intact = 0;
        for (MoliaNode n : byIndex) {
            deferred += n.blobRepair().deferred.get();
            intact += n.blobRepair().intact.get();
        }
        assertEquals(1, intact, "one whole check of the stripe in the pass");
        assertEquals(13, deferred, "the 13 other holders leave it to holder 0");
        assertEquals(13 + 13 * BlobRepair.FIRST_SIBLINGS,
                sum(nodes, io.molia.blob.BlobCounters::probesAnsweredHeld) - heldBefore,
                "13 siblings probed by the whole check, 3 by each of the 13 that deferred");

        for (MoliaNode n : List.of(byIndex[12], byIndex[13])) {
            n.close();
            nodes.remove(n);
        }
        BlobRepairCheck next = byIndex[11].blobRepair();
        next.round().get(60, TimeUnit.SECONDS);
        assertEquals(2, next.deferred.get(), "holder 0's whole check is recent: the stripe is still left to it");

        MoliaNode first = byIndex[0];
        for (int i = 3; i <= 7; i++) {
            NodeId banned = byIndex[i].self().id();
            first.onLoop(s -> s.bans().banPeer(banned, s.nowNs() + TimeUnit.HOURS.toNanos(1))).get(5,
                    TimeUnit.SECONDS);
        }
        first.blobRepair().round().get(120, TimeUnit.SECONDS);
        assertEquals(1, first.blobRepair().unrepairable.get(), "holder 0 finds 7 fragments: its check fails");
        next.round().get(120, TimeUnit.SECONDS);
        assertEquals(1, next.stripesRepaired(), "holder 0's check failed: the next holder checks and repairs");
        assertEquals(2, next.fragmentsRebuilt(), "the two lost fragments");
        // Read by the holder that repaired: holder 0 still bans five holders and would find only 9 fragments.
        assertArrayEquals(blob, byIndex[11].getBlob(key).get(60, TimeUnit.SECONDS));
    }

    /** {@code size} one-shard nodes joined through the first, each having looked itself up. */
    private List<MoliaNode> joined(int size) throws Exception {
        MoliaNode seed = live.start("seed", 1, List.of());
        List<MoliaNode> nodes = new ArrayList<>(List.of(seed));
        for (int i = 1; i < size; i++) {
            nodes.add(live.start("node-" + i, 1, List.of(seed.address())));
        }
        for (MoliaNode n : nodes) {
            n.lookup(n.self().id()).get(10, TimeUnit.SECONDS);
        }
        LiveNodes.awaitContacts(nodes.get(1), size - 2);
        return nodes;
    }

    /** 600,000 random bytes from {@code seed}: one stripe. */
    private static byte[] oneStripe(int seed) {
        byte[] blob = new byte[600_000];
        new SplittableRandom(seed).nextBytes(blob);
        return blob;
    }

    /** The nodes holding a fragment of the one stripe put: 14 distinct ones. */
    private static List<MoliaNode> holders(List<MoliaNode> nodes) throws Exception {
        List<MoliaNode> holders = new ArrayList<>();
        for (MoliaNode n : nodes) {
            if (!held(n).isEmpty()) {
                holders.add(n);
            }
        }
        assertEquals(14, holders.size(), "14 distinct holders");
        return holders;
    }
}
