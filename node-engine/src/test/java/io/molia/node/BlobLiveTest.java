package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
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
 * stopped. The seed runs two shards, so blob frames reaching its second shard are handed to the first.
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
        assertTrue(stores.stream().mapToLong(BlobStore::manifestsStored).sum() >= 1, "the manifest is held");
        assertEquals(0, stores.get(1).fragmentsStored(), "the putter holds none of its own fragments");

        assertArrayEquals(blob, nodes.get(2).getBlob(key).get(30, TimeUnit.SECONDS), "read from another node");

        int stopped = 0;
        for (int i = NODES - 1; i >= 3 && stopped < 4; i--) {
            if (stores.get(i).fragmentsStored() > 0) {
                nodes.get(i).close();
                stopped++;
            }
        }
        assertEquals(4, stopped);
        assertArrayEquals(blob, nodes.get(2).getBlob(key).get(30, TimeUnit.SECONDS),
                "read again with 4 holders stopped");

        long unauthorized = 0;
        for (MoliaNode n : nodes.subList(0, 3)) {
            BlobCounters c = n.onLoop(s -> s.core().blobTransfers().counters()).get(5, TimeUnit.SECONDS);
            unauthorized += c.pushesUnauthorized();
        }
        assertEquals(0, unauthorized, "every push carried its holder's write token");
        assertNull(nodes.get(2).getBlob(new NodeId(1, 2, 3, 4)).get(30, TimeUnit.SECONDS), "no such blob");
    }
}
