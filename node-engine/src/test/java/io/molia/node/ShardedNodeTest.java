package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.session.Session;
import io.molia.testing.LiveNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node with four shards over real sockets (DESIGN §3.2): peers whose sessions the kernel steered to shards 1-3
 * are answered there, what only shard 0 can do (STORE, FIND_VALUE) is handed over and answered back through the
 * shard that holds the session, and shard 0's own requests to those peers go out on the same sessions.
 */
class ShardedNodeTest {
    private static final int SHARDS = 4;
    private static final int MAX_CLIENTS = 16;

    @RegisterExtension
    final LiveNodes live = new LiveNodes();

    @Test
    void servingShardsAnswerOnTheirSessionsAndHandStoresToShardZero() throws Exception {
        MoliaNode target = live.start("target", SHARDS, List.of());
        List<MoliaNode> clients = new ArrayList<>();
        Set<NodeId> onServingShards = Set.of();
        // Each client's source port picks the socket its handshake lands on; start clients until some landed on a
        // shard other than 0 (each does with probability 3/4).
        while (clients.size() < 4 || onServingShards.isEmpty()) {
            assertTrue(clients.size() < MAX_CLIENTS, MAX_CLIENTS + " clients and none landed on shards 1-3");
            MoliaNode client = live.start("client-" + clients.size(), 1, List.of(target.address()));
            clients.add(client);
            client.lookup(client.self().id()).get(10, TimeUnit.SECONDS);
            onServingShards = servingShardPeers(target);
        }
        // Shard 0 pings each client that contacted it (one every 50 ms) and lets in those that answer: the routing
        // table on shard 0 learns every client, including those served on other shards.
        LiveNodes.awaitContacts(target, clients.size());

        // A responder may send on a session only once the initiator's first data message confirmed it (WireGuard);
        // until then a message for that peer would start a handshake, on one shard as on four.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (unconfirmedSessions(target) > 0) {
            assertTrue(System.nanoTime() < deadline, "the clients confirmed their sessions");
            Thread.sleep(20);
        }
        long initiatedBefore = target.onLoop(s -> s.sessions().counters().handshakesInitiated).get(5, TimeUnit.SECONDS);
        NodeId far = new NodeId(~clients.get(0).self().id().word(0), 7, 7, 7);
        assertEquals(clients.size(), target.lookup(far).get(10, TimeUnit.SECONDS).size(), "the lookup asked them all");
        assertEquals(initiatedBefore, target.onLoop(s -> s.sessions().counters().handshakesInitiated)
                .get(5, TimeUnit.SECONDS), "shard 0 reached every client on the session it already had, on any shard");

        Set<NodeId> servedElsewhere = onServingShards;
        MoliaNode client = clients.stream().filter(c -> servedElsewhere.contains(c.self().id())).findFirst()
                .orElseThrow();
        long packetsBefore = packetsIn(target, client.self().id());
        byte[] value = "stored through a serving shard".getBytes(StandardCharsets.UTF_8);
        CoreEvent.PutCompleted put = client.put(value, 600).get(10, TimeUnit.SECONDS);
        assertEquals(put.attempted(), put.stored(), "every store was acknowledged, the target's included");
        assertTrue(packetsIn(target, client.self().id()) > packetsBefore,
                "the STORE arrived on the session a serving shard holds");
        assertTrue(target.onLoop(s -> s.core().records().size()).get(5, TimeUnit.SECONDS) >= 1,
                "shard 0 holds the record");
        for (MoliaNode c : clients) {
            assertArrayEquals(value, c.get(put.key()).get(10, TimeUnit.SECONDS), "get from " + c.self().id());
        }
        assertTrue(target.handovers() > 0, "serving shards handed messages to shard 0");
        assertEquals(0, target.handoverDrops());
        assertEquals(0, target.status().get(5, TimeUnit.SECONDS).silentDrops(), "nothing honest was dropped");
    }

    /** The peers whose sessions shards 1-3 of {@code node} hold. */
    private static Set<NodeId> servingShardPeers(MoliaNode node) throws Exception {
        return node.onServingShards(sessions -> sessions.sessionsView().stream().map(s -> s.contact().id()).toList())
                .get(5, TimeUnit.SECONDS).stream().flatMap(List::stream).collect(Collectors.toSet());
    }

    /** Sessions of {@code node}, on every shard, that may not carry its messages yet. */
    private static long unconfirmedSessions(MoliaNode node) throws Exception {
        long onShard0 = node.onLoop(s -> s.sessions().sessionsView().stream().filter(x -> !x.isConfirmed()).count())
                .get(5, TimeUnit.SECONDS);
        return onShard0 + node.onServingShards(sessions -> sessions.sessionsView().stream()
                .filter(x -> !x.isConfirmed()).count()).get(5, TimeUnit.SECONDS).stream().mapToLong(Long::longValue)
                .sum();
    }

    /** Datagrams received on the serving shards' sessions with {@code peer}. */
    private static long packetsIn(MoliaNode node, NodeId peer) throws Exception {
        return node.onServingShards(sessions -> sessions.sessionsView().stream()
                .filter(s -> s.contact().id().equals(peer)).mapToLong(Session::packetsIn).sum())
                .get(5, TimeUnit.SECONDS).stream().mapToLong(Long::longValue).sum();
    }
}
