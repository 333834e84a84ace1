package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.molia.blob.BlobCounters;
import io.molia.blob.BlobStore;
import io.molia.contact.NodeId;
import io.molia.testing.LiveNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Blobs between real nodes on loopback (docs/blobs.md): a 2.5 MiB blob put from one node of 18 is read byte-identical from
 * another, each of its 56 fragments on a node of its own within a stripe, then read again after 4 of its holders
 * stopped; two holders restart with what they held, from their WAL's journal and from a compaction's snapshot. The
 * seed runs two shards, so blob frames reaching its second shard are handed to the first.
 */
class BlobLiveTest {
    private static final int NODES = 18;

    @RegisterExtension
    final LiveNodes live = new LiveNodes();

    @Test
    void aBlobPutFromOneNodeIsReadFromAnotherAndSurvivesFourHoldersStopped() throws Exception {
        MoliaNode seed = live.start("seed", 2, List.of());
        List<MoliaNode> nodes = new ArrayList<>(List.of(seed));
        for (int i = 1; i < NODES; i++) {
            nodes.add(live.start("node-" + i, 1, List.of(seed.address())));
        }
        for (MoliaNode n : nodes) {
            n.lookup(n.self().id()).get(10, TimeUnit.SECONDS); // every table learns the others
        }
        LiveNodes.awaitContacts(nodes.get(1), NODES - 2);
        LiveNodes.awaitContacts(nodes.get(2), NODES - 2);

        byte[] blob = new byte[(5 << 19) - 12_345]; // 4 stripes of 640 KiB, the last one short
        new SplittableRandom(18).nextBytes(blob);
        AtomicInteger placed = new AtomicInteger();
        NodeId key = nodes.get(1).putBlob(blob, (done, total) -> placed.set(done)).get(30, TimeUnit.SECONDS);
        assertEquals(4 * 14, placed.get(), "every fragment placed");

        List<BlobStore> stores = new ArrayList<>();
        for (MoliaNode n : nodes) {
            stores.add(n.onLoop(s -> s.core().blobTransfers().store()).get(5, TimeUnit.SECONDS));
        }
        long fragments = stores.stream().mapToLong(BlobStore::fragmentsStored).sum();
        assertEquals(4 * 14, fragments, "each fragment stored once");
        assertEquals(4 * 14, stores.stream().mapToInt(BlobStore::fragments).sum(), "and held");
        assertTrue(stores.stream().mapToLong(BlobStore::manifestsStored).sum() >= 1, "the manifest is held");
        assertEquals(0, stores.get(1).fragmentsStored(), "the putter holds none of its own fragments");

        assertArrayEquals(blob, nodes.get(2).getBlob(key).get(30, TimeUnit.SECONDS), "read from another node");
        long unauthorized = 0;
        for (MoliaNode n : nodes) {
            BlobCounters c = n.onLoop(s -> s.core().blobTransfers().counters()).get(5, TimeUnit.SECONDS);
            unauthorized += c.pushesUnauthorized();
        }
        assertEquals(0, unauthorized, "every push carried its holder's write token");

        int stopped = 0;
        for (int i = NODES - 1; i >= 9 && stopped < 4; i--) {
            if (stores.get(i).fragmentsStored() > 0) {
                nodes.get(i).close();
                stopped++;
            }
        }
        assertEquals(4, stopped);
        assertArrayEquals(blob, nodes.get(2).getBlob(key).get(30, TimeUnit.SECONDS),
                "read again with 4 holders stopped");

        // What holders took is in their WALs: back after a restart, from the journal and from a compaction's snapshot.
        int restarted = 0;
        for (int i = 3; i < 9 && restarted < 2; i++) {
            MoliaNode holder = nodes.get(i);
            if (stores.get(i).size() == 0) {
                continue;
            }
            if (restarted++ == 1) {
                holder.compactWal().get(30, TimeUnit.SECONDS);
            }
            Map<NodeId, byte[]> held = heldBy(holder);
            holder.close();
            live.list().remove(holder);
            Map<NodeId, byte[]> back = heldBy(live.start("node-" + i, 1, List.of(seed.address())));
            assertEquals(held.keySet(), back.keySet(), "node " + i + " holds what it held before its restart");
            held.forEach((k, object) -> assertArrayEquals(object, back.get(k)));
        }
        assertEquals(2, restarted, "two holders restarted");

        assertNull(nodes.get(2).getBlob(new NodeId(1, 2, 3, 4)).get(30, TimeUnit.SECONDS), "no such blob");
    }

    private static Map<NodeId, byte[]> heldBy(MoliaNode node) throws Exception {
        return node.onLoop(s -> {
            Map<NodeId, byte[]> held = new HashMap<>();
            s.core().blobTransfers().store().forEach(held::put);
            return held;
        }).get(5, TimeUnit.SECONDS);
    }
}
