package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.testing.LiveNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real nodes in one JVM on real loopback UDP sockets, every datagram encrypted: join, look up, put, get. */
class MoliaNodeTest {
    private static final int NODES = 12;

    @RegisterExtension
    final LiveNodes live = new LiveNodes();
    private final List<MoliaNode> nodes = live.list();

    /** Node i: even ones run two shards, node 0 serves metrics. */
    private MoliaNode start(int i, List<MoliaAddress> bootstrap) throws Exception {
        return live.start("node-" + i, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), i % 2 == 0 ? 2 : 1,
                bootstrap, i == 0 ? new InetSocketAddress(InetAddress.getLoopbackAddress(), 0) : null);
    }

    @Test
    void nodesJoinFindTheTrueClosestAndShareRecords() throws Exception {
        MoliaNode first = start(0, List.of());
        assertTrue(first.isEpoll(), "epoll on Linux");
        for (int i = 1; i < NODES; i++) {
            start(i, List.of(first.address()));
            Thread.sleep(20);
        }
        // Let joins settle: every node has learned others.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !allKnowOthers(NODES / 2)) {
            Thread.sleep(50);
        }
        assertTrue(allKnowOthers(NODES / 2), "every node learned at least half the network");

        SplittableRandom random = new SplittableRandom(5);
        for (MoliaNode origin : nodes) {
            NodeId target = new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
            List<Contact> found = origin.lookup(target).get(10, TimeUnit.SECONDS);
            NodeId truth = nodes.stream().map(n -> n.self().id()).filter(id -> !id.equals(origin.self().id()))
                    .min((a, b) -> target.compareDistance(a, b)).orElseThrow();
            assertFalse(found.isEmpty());
            assertEquals(truth, found.get(0).id(), "the lookup from " + origin.self().id() + " found the closest");
        }

        byte[] value = "stored on the closest, found from everywhere".getBytes(StandardCharsets.UTF_8);
        CoreEvent.PutCompleted put = nodes.get(3).put(value, 3600).get(10, TimeUnit.SECONDS);
        // reported once a majority of the k closest stored it (the rest store in the background)
        assertTrue(put.stored() > (NODES - 1) / 2, "stored on " + put.stored() + " of " + put.attempted());
        for (MoliaNode n : nodes) {
            assertArrayEquals(value, n.get(put.key()).get(10, TimeUnit.SECONDS), "get from " + n.self().id());
        }
        for (MoliaNode n : nodes) {
            MoliaNode.NodeStatus s = n.status().get(5, TimeUnit.SECONDS);
            assertEquals(0, s.silentDrops(), "no datagram between honest nodes was dropped");
            assertTrue(s.sessions() > 0);
        }
        String scrape = MetricsScrape.of(first);
        assertTrue(scrape.contains("molia_sessions{shard=\"0\"}"), scrape);
        assertTrue(scrape.contains("molia_lookup_seconds_count 2"), "node 0 ran one lookup and one get:\n" + scrape);
        assertTrue(scrape.contains("molia_dropped_total{reason=\"bad_mac1\",shard=\"0\"} 0"), scrape);
        // Node 0 has two shards: its lookups and the answers to others' run on either, so the node's sum moves.
        long inBefore = sumOverShards(scrape, "molia_datagrams_in_total");
        first.lookup(first.self().id()).get(10, TimeUnit.SECONDS);
        nodes.get(1).lookup(first.self().id()).get(10, TimeUnit.SECONDS);
        assertTrue(sumOverShards(MetricsScrape.of(first), "molia_datagrams_in_total") > inBefore,
                "the counter moves between two scrapes");
        assertTrue(counterValue(scrape, "molia_handovers_total{shard=\"0\"}") > 0,
                "node 0 has two shards: shard 1 handed it datagrams for its sessions, or what only its core handles");
    }

    private static long counterValue(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToLong(
                l -> (long) Double.parseDouble(l.substring(series.length() + 1).trim())).findFirst().orElse(-1);
    }

    /** The sum of a per-shard series over every shard. */
    private static long sumOverShards(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + "{shard=")).mapToLong(
                l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1).trim())).sum();
    }

    private boolean allKnowOthers(int atLeast) throws Exception {
        for (MoliaNode n : nodes) {
            if (n.status().get(5, TimeUnit.SECONDS).routingTableSize() < atLeast) {
                return false;
            }
        }
        return true;
    }

    @Test
    void garbageOnTheLiveSocketGetsNoAnswerAndCostsNothing() throws Exception {
        MoliaNode target = start(0, List.of());
        MoliaNode honest = start(1, List.of(target.address()));
        Thread.sleep(300); // the honest node's join is done before the garbage starts
        MoliaNode.NodeStatus before = target.status().get(5, TimeUnit.SECONDS);
        long peersBefore = peersWithSessions(target);
        long kernelDropsBefore = udpReceiveBufferErrors();
        long honestNodeSentBefore = datagramsOut(honest);

        io.molia.loadgen.Garbage.Result r = new io.molia.loadgen.Garbage(
                new io.molia.loadgen.Garbage.Plan(target.address(), 6_000, 11, 0)).run();

        assertEquals(0, r.replies(), "the node answered garbage");
        assertEquals(r.honestSent(), r.honestAnswered(), "a real session is still served after the garbage");
        MoliaNode.NodeStatus after = target.status().get(5, TimeUnit.SECONDS);
        // What the kernel dropped for a full socket buffer (a loaded CI machine) never reached the node to count.
        long kernelDrops = udpReceiveBufferErrors() - kernelDropsBefore;
        long counted = after.silentDrops() - before.silentDrops();
        assertTrue(counted + kernelDrops >= r.sent(), "dropped and counted: " + counted + " of " + r.sent()
                + " (" + kernelDrops + " dropped by the kernel)");
        // Besides the honest session's requests, the honest node's own upkeep (liveness pings, refreshes, NAT
        // observation) reaches the core; nothing else may.
        long reached = after.datagramsIn() - before.datagramsIn();
        long upkeep = datagramsOut(honest) - honestNodeSentBefore;
        assertTrue(reached >= r.honestSent() && reached <= r.honestSent() + upkeep, "only the honest session's "
                + r.honestSent() + " requests and the honest node's " + upkeep + " reached the protocol core: " + reached);
        // A peer may hold two sessions with a sharded node (one it opened, one the node opened from the peer's home
        // shard): what garbage must not leave is a session with anybody but the honest client it brought.
        assertTrue(peersWithSessions(target) <= peersBefore + 1, "garbage left sessions behind: "
                + after.sessions() + " sessions with " + peersWithSessions(target) + " peers");
        NodeId key = honest.self().id();
        assertEquals(key, target.lookup(key).get(10, TimeUnit.SECONDS).get(0).id(), "still serving honest peers");
    }

    /** What the protocol cores of {@code node} sent, all shards. */
    private static long datagramsOut(MoliaNode node) throws Exception {
        return node.onEveryShard(v -> v.core().counters().datagramsOut).get(5, TimeUnit.SECONDS).stream()
                .mapToLong(Long::longValue).sum();
    }

    /** The peers {@code node} holds sessions with, on any shard. */
    private static long peersWithSessions(MoliaNode node) throws Exception {
        return node.onEveryShard(v -> v.sessions().sessionsView().stream().map(x -> x.contact().id()).toList())
                .get(5, TimeUnit.SECONDS).stream().flatMap(List::stream).distinct().count();
    }

    /** UDP datagrams the kernel dropped because a socket's receive buffer was full (this network namespace). */
    private static long udpReceiveBufferErrors() throws java.io.IOException {
        List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/snmp"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("Udp: ") && lines.get(i + 1).startsWith("Udp: ")) {
                List<String> names = List.of(lines.get(i).split(" +"));
                return Long.parseLong(lines.get(i + 1).split(" +")[names.indexOf("RcvbufErrors")]);
            }
        }
        throw new AssertionError("no Udp counters in /proc/net/snmp");
    }

    @Test
    void aBoundedFloodIsAnsweredAndMeasured() throws Exception {
        MoliaNode node = start(0, List.of());
        io.molia.loadgen.Flood.Result r = new io.molia.loadgen.Flood(new io.molia.loadgen.Flood.Plan(node.address(),
                5_000, 30, 64, 4, true, 500, ProcessHandle.current().pid())).run();
        assertEquals(5_000, r.sent());
        assertTrue(r.answered() >= 4_950, "answered " + r.answered());
        assertTrue(r.p99Micros() >= r.p50Micros() && r.p50Micros() > 0);
        assertTrue(r.nodeCpuMicrosPerRequest() > 0 && r.nodeRssKiB() > 0, "read from /proc of this JVM");
        assertEquals(0, node.status().get(5, TimeUnit.SECONDS).silentDrops());
    }

    @Test
    void aFloodFromThreeThreadsSendsEveryRequestOnceAndCountsEveryAnswer() throws Exception {
        MoliaNode node = start(0, List.of());
        // 3 threads share 5 sessions, 3,001 requests and 7 outstanding: shares of 2/2/1, 1,001/1,000/1,000, 3/2/2.
        io.molia.loadgen.Flood.Result r = new io.molia.loadgen.Flood(new io.molia.loadgen.Flood.Plan(node.address(),
                3_001, 30, 7, 5, false, 300, ProcessHandle.current().pid(), 3)).run();
        assertEquals(3_001, r.sent());
        assertEquals(r.sent(), r.answered() + r.unanswered());
        assertTrue(r.answered() >= 2_950, "answered " + r.answered());
        assertTrue(r.nodeCpuMicrosPerRequest() > 0 && r.ownCpuMicrosPerRequest() > 0 && r.nodeCores() > 0,
                "read from /proc");
        assertEquals(5, node.status().get(5, TimeUnit.SECONDS).sessions(), "each thread its own sessions");
    }

    /** Starts node 0 (which creates its identity), stops it and returns the address it had. */
    private MoliaAddress addressOfAStoppedNode() throws Exception {
        MoliaNode node = start(0, List.of());
        MoliaAddress address = node.address();
        node.close();
        nodes.clear();
        return address;
    }

    @Test
    void aRestartedNodeKeepsItsIdentity() throws Exception {
        MoliaAddress before = addressOfAStoppedNode();
        MoliaNode again = start(0, List.of());
        assertArrayEquals(before.publicKey(), again.address().publicKey());
    }

    @Test
    void aNodeWhoseBootstrapPeerIsNotUpYetJoinsOnceItIs() throws Exception {
        MoliaAddress seedAddress = addressOfAStoppedNode();
        MoliaNode joiner = live.start("joiner", 1, List.of(seedAddress));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Thread.sleep(4_000); // the first bootstrap lookup fails for good (no answer) and a retry is scheduled
        assertEquals(0, joiner.status().get(5, TimeUnit.SECONDS).routingTableSize(), "nobody to learn yet");
        MoliaNode again = live.start("node-0", new InetSocketAddress(seedAddress.host(), seedAddress.port()), 1,
                List.of(), null);
        while (joiner.status().get(5, TimeUnit.SECONDS).routingTableSize() < 1) {
            assertTrue(System.nanoTime() < deadline, "the joiner never asked the bootstrap peer again");
            Thread.sleep(100);
        }
        assertEquals(again.self().id(), joiner.lookup(joiner.self().id()).get(10, TimeUnit.SECONDS).get(0).id());
    }

    /**
     * Issue 14: a node whose routing table emptied after it joined (every peer timed out) stayed alone, silently.
     * It must say so (the info view's field, the metric) and rejoin through its bootstrap peer on its own.
     */
    @Test
    void aNodeThatLostEveryPeerSaysSoAndRejoins() throws Exception {
        MoliaNode seed = start(0, List.of());
        assertTrue(seed.onLoop(NodeState::isolated).get(5, TimeUnit.SECONDS), "a first node knows nobody");
        assertEquals(1, counterValue(MetricsScrape.of(seed), "molia_isolated"), "and its metric says so");
        MoliaNode joiner = live.start("joiner", 1, List.of(seed.address()));
        awaitRoutingTable(joiner, "the joiner joins");
        awaitRoutingTable(seed, "the seed learns the joiner");
        assertEquals(0, counterValue(MetricsScrape.of(seed), "molia_isolated"));

        NodeId seedId = seed.self().id();
        boolean empty = joiner.onLoop(s -> s.core().routingTable().remove(seedId) && s.isolated())
                .get(5, TimeUnit.SECONDS);
        assertTrue(empty, "as if the seed had timed out: the joiner knows nobody");
        awaitRoutingTable(joiner, "the isolated joiner asks its bootstrap peer again");
        assertFalse(joiner.onLoop(NodeState::isolated).get(5, TimeUnit.SECONDS));
    }

    private static void awaitRoutingTable(MoliaNode node, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (node.status().get(5, TimeUnit.SECONDS).routingTableSize() < 1) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(20);
        }
    }
}
