package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.core.ShardPartition;
import io.molia.testing.LiveNodes;
import io.molia.wal.WalLayout;
import io.molia.wal.WalScanner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node of 1, 2 and 4 shards over real sockets and real WALs (DESIGN §3.2, §3.9): every shard answers, stores the
 * records of its key partition in its own {@code wal/shard-N/}, and runs lookups started on it; what lands on the
 * wrong shard is handed over once. The node restarts from its WALs with another shard count and loses nothing: its
 * values, mutable records and providers each come back on the shard that owns their key now.
 */
class ShardedNodeTest {
    private static final int CLIENTS = 4;
    private static final int VALUES = 24;

    @RegisterExtension
    final LiveNodes live = new LiveNodes();

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2, 4})
    void everyShardStoresItsPartitionInItsOwnWalAndServes(int shards) throws Exception {
        MoliaNode target = live.start("target", shards, List.of());
        List<MoliaNode> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            MoliaNode client = live.start("client-" + i, 1, List.of(target.address()));
            client.lookup(client.self().id()).get(10, TimeUnit.SECONDS);
            clients.add(client);
        }
        LiveNodes.awaitContacts(target, CLIENTS);

        List<CoreEvent.PutCompleted> puts = new ArrayList<>();
        for (int i = 0; i < VALUES; i++) {
            byte[] value = ("value " + i + " on a node of " + shards + " shards").getBytes(StandardCharsets.UTF_8);
            CoreEvent.PutCompleted put = clients.get(i % CLIENTS).put(value, 600).get(10, TimeUnit.SECONDS);
            // reported once a majority of the k closest (the target and the other clients) stored it; the rest
            // store in the background (each record held once on the target: below)
            assertTrue(put.stored() > CLIENTS / 2 && put.attempted() <= CLIENTS, "stored: " + put);
            assertEquals(put.finishedNs(), put.acknowledgedNs());
            puts.add(put);
        }
        for (int i = 0; i < VALUES / 2; i++) { // mutable records and providers, partitioned by key like the values
            MoliaNode client = clients.get(i % CLIENTS);
            assertTrue(client.putMutable(("salt " + i).getBytes(StandardCharsets.UTF_8), 1,
                    ("mutable " + i).getBytes(StandardCharsets.UTF_8), -1).get(10, TimeUnit.SECONDS).stored() > 0);
            assertTrue(client.provide(new NodeId(i, shards, 3, 5)).get(10, TimeUnit.SECONDS).stored() > 0);
        }
        LiveNodes.awaitRequestsSettled(clients); // the writes' stores after each report
        // what the target holds (a store may time out on a loaded machine: the counts are read, not assumed)
        List<Integer> heldBefore = heldOffOwner(target);
        assertEquals(0, heldBefore.get(0), "mutables and providers on their owners: " + heldBefore);
        assertTrue(heldBefore.get(1) >= VALUES / 4 && heldBefore.get(2) >= VALUES / 4, "most stored: " + heldBefore);
        List<Integer> recordsByShard = target.onEveryShard(v -> v.core().records().size()).get(5, TimeUnit.SECONDS);
        assertEquals(VALUES, recordsByShard.stream().mapToInt(Integer::intValue).sum(), "each record held once");
        List<Long> journaled = target.onEveryShard(v -> v.durable().status().appended()).get(5, TimeUnit.SECONDS);
        for (int shard = 0; shard < shards; shard++) {
            assertTrue(recordsByShard.get(shard) > 0, "shard " + shard + " holds part of the records: "
                    + recordsByShard);
            assertTrue(journaled.get(shard) >= recordsByShard.get(shard), "shard " + shard + " journaled its own");
        }
        for (int i = 0; i < VALUES; i++) {
            byte[] value = ("value " + i + " on a node of " + shards + " shards").getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(value, clients.get((i + 1) % CLIENTS).get(puts.get(i).key()).get(10, TimeUnit.SECONDS));
        }
        // Lookups started on the target spread over its shards; each finds every client.
        for (int i = 0; i < 2 * shards; i++) {
            NodeId far = new NodeId(~clients.get(i % CLIENTS).self().id().word(0), i, 7, 7);
            assertEquals(CLIENTS, target.lookup(far).get(10, TimeUnit.SECONDS).size(), "lookup " + i);
        }
        if (shards > 1) {
            assertTrue(target.handovers() > 0, "records and answers crossed shards");
        }
        assertEquals(0, target.handoverDrops());
        assertEquals(0, target.status().get(5, TimeUnit.SECONDS).silentDrops(), "nothing honest was dropped");

        String digest = target.storeDigest().get(10, TimeUnit.SECONDS);
        Path dataDir = dataDirOf(target);
        target.close();
        target.close(); // a shutdown hook's close after an explicit one does nothing, and says nothing
        live.list().remove(target);
        for (int shard = 0; shard < shards; shard++) {
            WalScanner scan = new WalScanner(shard, WalLayout.shardDir(dataDir, shard)).scan(true, null, 0, null);
            assertTrue(scan.clean(), "shard " + shard + ": " + scan.problems());
            assertEquals(recordsByShard.get(shard), scan.state().records().size(), "shard " + shard + "'s WAL");
        }

        int otherCount = shards == 1 ? 2 : shards / 2;
        MoliaNode again = live.start("target", otherCount, List.of());
        assertEquals(VALUES, again.status().get(5, TimeUnit.SECONDS).records(), "every record came back");
        assertEquals(digest, again.storeDigest().get(10, TimeUnit.SECONDS), "the same records, on " + otherCount
                + " shards now");
        assertEquals(heldBefore, heldOffOwner(again), "every mutable record and provider came "
                + "back, each on the shard that owns its key among " + otherCount);
        for (int shard = otherCount; shard < shards; shard++) {
            assertFalse(Files.exists(WalLayout.shardDir(dataDir, shard)), "shard " + shard + "'s dir was moved");
        }
    }

    /** Mutable records and providers held on a shard that does not own their key; mutable records; providers. */
    private static List<Integer> heldOffOwner(MoliaNode node) throws Exception {
        List<int[]> perShard = node.onEveryShard(v -> {
            int[] n = new int[3];
            ShardPartition partition = v.core().partition();
            for (NodeId key : v.core().recordRequests().mutables().view().keySet()) {
                n[0] += partition.ownerOfKey(key) == v.index() ? 0 : 1;
                n[1]++;
            }
            v.core().recordRequests().providers().forEach((key, e) -> {
                n[0] += partition.ownerOfKey(key) == v.index() ? 0 : 1;
                n[2]++;
            });
            return n;
        }).get(5, TimeUnit.SECONDS);
        int[] sum = new int[3];
        perShard.forEach(n -> Arrays.setAll(sum, i -> sum[i] + n[i]));
        return List.of(sum[0], sum[1], sum[2]);
    }

    private static Path dataDirOf(MoliaNode node) throws Exception {
        return node.onLoop(NodeState::dataDir).get(5, TimeUnit.SECONDS);
    }
}
