package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeId;
import io.molia.core.store.MutableStore;
import io.molia.core.store.RecordsConfig;
import io.molia.testing.LiveNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The owner's republish list survives a restart (WAL entry types 16-17): a real node provides a key and puts a
 * mutable record, is closed and started again from its data dir (real Chronicle queues on disk), and still
 * republishes both, refreshing the copy a holder keeps. The core checks republish as often as the shortest
 * republish interval (5 s here), so the first check after the restart finds both overdue.
 */
class RepublishRestartTest {
    private static final long WAIT_S = 20;
    /** Short intervals so what was published before the restart is overdue at the first sweep after it. */
    private static final RecordsConfig RECORDS = RecordsConfig.defaults()
            .withProviderTimes(TimeUnit.MINUTES.toNanos(30), TimeUnit.SECONDS.toNanos(5))
            .withMutableTimes(TimeUnit.MINUTES.toNanos(30), TimeUnit.SECONDS.toNanos(5));

    @RegisterExtension
    final LiveNodes nodes = new LiveNodes();

    @Test
    void aRestartedOwnerStillRepublishesWhatItPublishedBefore() throws Exception {
        MoliaNode seed = nodes.start("seed", 1, List.of());
        MoliaNode holder = nodes.start("holder", 1, List.of(seed.address()));
        MoliaNode owner = nodes.start("owner", 1, List.of(seed.address()), c -> c.withRecords(RECORDS));
        LiveNodes.awaitContacts(seed, 2);
        LiveNodes.awaitContacts(holder, 1);
        LiveNodes.awaitContacts(owner, 1);
        owner.lookup(holder.self().id()).get(WAIT_S, TimeUnit.SECONDS);

        NodeId content = NodeId.fromBytes(new io.molia.crypto.Blake3().hash("republished content".getBytes(
                StandardCharsets.UTF_8)));
        assertTrue(owner.provide(content).get(WAIT_S, TimeUnit.SECONDS).stored() >= 1);
        byte[] salt = "status".getBytes(StandardCharsets.UTF_8);
        NodeId key = owner.mutableKey(salt);
        assertTrue(owner.putMutable(salt, 1, "one".getBytes(StandardCharsets.UTF_8), MutableStore.NO_CAS)
                .get(WAIT_S, TimeUnit.SECONDS).stored() >= 1);
        assertEquals(2, republishListSize(owner), "a provider record and a mutable record to republish");
        long storedBefore = storedAtHolder(holder, key);

        owner.close();
        nodes.list().remove(owner);
        MoliaNode again = nodes.start("owner", 1, List.of(seed.address()), c -> c.withRecords(RECORDS));
        assertEquals(2, republishListSize(again), "the republish list replayed from the WAL");
        assertEquals(0, republished(again));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (republished(again) < 2 && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertTrue(republished(again) >= 2, "republished after the restart: " + republished(again));
        while (storedAtHolder(holder, key) == storedBefore && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(storedAtHolder(holder, key) > storedBefore, "the holder's copy was refreshed by the republish");
    }

    private static int republishListSize(MoliaNode node) throws Exception {
        return node.onEveryShard(v -> v.core().republisher().size()).get(WAIT_S, TimeUnit.SECONDS).stream()
                .mapToInt(Integer::intValue).sum();
    }

    private static long republished(MoliaNode node) throws Exception {
        return node.onEveryShard(v -> v.core().counters().republished).get(WAIT_S, TimeUnit.SECONDS).stream()
                .mapToLong(Long::longValue).sum();
    }

    /** When the holder stored (or last refreshed) its copy of the mutable record {@code key}, in its core's time. */
    private static long storedAtHolder(MoliaNode holder, NodeId key) throws Exception {
        return holder.onEveryShard(v -> {
            MutableStore.Held h = v.core().recordRequests().mutables().view().get(key);
            return h == null ? -1L : h.storedNs();
        }).get(WAIT_S, TimeUnit.SECONDS).stream().mapToLong(Long::longValue).max().orElse(-1);
    }
}
