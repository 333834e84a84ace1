package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.core.RoutingEntry;
import io.molia.testing.LiveNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real nodes on the IPv6 loopback and on the dual-stack wildcard, every datagram encrypted: contacts with 18-byte
 * addresses travel in FIND_NODE answers, sit in routing tables and come back from the WAL; an IPv4 peer of a
 * dual-stack node is the same peer (same address, same /24) as when it reached an IPv4 socket.
 */
class MoliaNodeIpv6Test {
    private static final int NODES = 6;

    @RegisterExtension
    final LiveNodes live = new LiveNodes();
    private final List<MoliaNode> nodes = live.list();

    private MoliaNode start(String name, String host, int shards, List<MoliaAddress> bootstrap) throws Exception {
        return live.start(name, new InetSocketAddress(host, 0), shards, bootstrap, null);
    }

    @Test
    void nodesOnIpv6LoopbackJoinFindTheClosestAndShareRecords() throws Exception {
        MoliaNode first = start("node-0", "::1", 2, List.of());
        assertTrue(first.address().toString().endsWith("@[::1]:" + first.address().port()), first.address().toString());
        assertEquals(first.address(), MoliaAddress.parse(first.address().toString()));
        for (int i = 1; i < NODES; i++) {
            start("node-" + i, "::1", i % 2 + 1, List.of(MoliaAddress.parse(first.address().toString())));
        }
        waitUntil(() -> routingTableSizes().stream().allMatch(size -> size >= NODES - 1));
        for (MoliaNode n : nodes) {
            for (Contact c : routingContacts(n)) {
                assertFalse(c.address().isIpv4(), "an IPv6 contact: " + c.address());
                assertTrue(c.address().toString().startsWith("[::1]:"), c.address().toString());
            }
        }

        SplittableRandom random = new SplittableRandom(6);
        for (MoliaNode origin : nodes) {
            NodeId target = new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
            List<Contact> found = origin.lookup(target).get(10, TimeUnit.SECONDS);
            NodeId truth = nodes.stream().map(n -> n.self().id()).filter(id -> !id.equals(origin.self().id()))
                    .min((a, b) -> target.compareDistance(a, b)).orElseThrow();
            assertEquals(truth, found.get(0).id(), "the lookup from " + origin.self().id() + " found the closest");
        }
        byte[] value = "stored and found over IPv6".getBytes(StandardCharsets.UTF_8);
        CoreEvent.PutCompleted put = nodes.get(2).put(value, 3600).get(10, TimeUnit.SECONDS);
        assertTrue(put.stored() > (NODES - 1) / 2, "reported once a majority stored it: " + put);
        LiveNodes.awaitRequestsSettled(List.of(nodes.get(2)));
        for (MoliaNode n : nodes) {
            if (n != nodes.get(2)) {
                assertEquals(1, n.onEveryShard(v -> v.core().records().get(v.nowNs(), put.key()) != null)
                        .get(5, TimeUnit.SECONDS).stream().filter(held -> held).count(), "stored on every other node");
            }
        }
        for (MoliaNode n : nodes) {
            assertArrayEquals(value, n.get(put.key()).get(10, TimeUnit.SECONDS), "get from " + n.self().id());
            assertEquals(0, n.status().get(5, TimeUnit.SECONDS).silentDrops(), "no honest datagram dropped");
        }

        // The WAL's peer entries keep the 18-byte addresses: a restart without bootstrap list knows them again.
        MoliaNode last = nodes.remove(NODES - 1);
        List<Contact> before = routingContacts(last);
        last.close();
        MoliaNode restarted = start("node-" + (NODES - 1), "::1", 1, List.of());
        assertEquals(before.stream().map(Contact::address).sorted(java.util.Comparator.comparing(Object::toString))
                .toList(), routingContacts(restarted).stream().map(Contact::address)
                .sorted(java.util.Comparator.comparing(Object::toString)).toList());
    }

    @Test
    void aDualStackNodeServesIpv4AndIpv6PeersAlike() throws Exception {
        MoliaNode dual = start("dual", "::", 2, List.of());
        assertTrue(dual.address().toString().contains("@[::]:"), dual.address().toString());
        int port = dual.address().port();
        String key = MoliaAddress.encodeKey(dual.self().publicKeyBytes());
        MoliaNode v4 = start("v4", "127.0.0.1", 1, List.of(MoliaAddress.parse("molia://" + key + "@127.0.0.1:"
                + port)));
        MoliaNode v6 = start("v6", "::1", 1, List.of(MoliaAddress.parse("molia://" + key + "@[::1]:" + port)));
        waitUntil(() -> routingContacts(dual).size() == 2);

        NodeAddress v4Seen = addressIn(dual, v4.self().id());
        assertEquals(NodeAddress.parseIpv4("127.0.0.1:" + v4.address().port()), v4Seen,
                "an IPv4 peer of a dual-stack socket is an IPv4 address, not an IPv6 one");
        assertEquals(v4.self().address(), v4Seen);
        assertEquals(NodeAddress.ipv6(0, 1, v6.address().port()), addressIn(dual, v6.self().id()));
        assertTrue(dual.ping(v4.self()).get(10, TimeUnit.SECONDS) >= 0, "the IPv4 peer answers a ping");
        assertTrue(dual.ping(v6.self()).get(10, TimeUnit.SECONDS) >= 0, "the IPv6 peer answers a ping");

        byte[] value = "put over IPv4, got over IPv6".getBytes(StandardCharsets.UTF_8);
        CoreEvent.PutCompleted put = v4.put(value, 3600).get(20, TimeUnit.SECONDS);
        assertTrue(put.stored() >= 1, "stored on the dual-stack node");
        assertArrayEquals(value, v6.get(put.key()).get(20, TimeUnit.SECONDS));

        // A ban of 127.0.0.0/24 stops the IPv4 peer on the dual-stack socket, and only it.
        long subnet = NodeAddress.parseIpv4("127.0.0.1:0").subnetKey();
        dual.onLoop(s -> s.bans().banSubnet(subnet, s.nowNs() + TimeUnit.MINUTES.toNanos(5))).get(5, TimeUnit.SECONDS);
        assertEquals(-1L, v4.ping(dual.self()).get(20, TimeUnit.SECONDS), "the banned /24 gets no answer");
        assertTrue(v6.ping(dual.self()).get(10, TimeUnit.SECONDS) >= 0, "the IPv6 peer is still served");
    }

    private static NodeAddress addressIn(MoliaNode node, NodeId peer) throws Exception {
        return routingContacts(node).stream().filter(c -> c.id().equals(peer)).findFirst().orElseThrow().address();
    }

    private static List<Contact> routingContacts(MoliaNode node) throws Exception {
        return node.onLoop(s -> {
            List<Contact> out = new ArrayList<>();
            for (int b = 0; b < NodeId.BITS; b++) {
                for (RoutingEntry e : s.core().routingTable().bucketEntries(b)) {
                    out.add(e.contact());
                }
            }
            return out;
        }).get(5, TimeUnit.SECONDS);
    }

    private List<Integer> routingTableSizes() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (MoliaNode n : nodes) {
            sizes.add(n.status().get(5, TimeUnit.SECONDS).routingTableSize());
        }
        return sizes;
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void waitUntil(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!check.holds()) {
            assertTrue(System.nanoTime() < deadline, "not reached within 15 s");
            Thread.sleep(50);
        }
    }
}
