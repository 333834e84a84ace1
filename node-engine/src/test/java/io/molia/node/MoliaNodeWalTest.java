package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.molia.core.CoreEvent;
import io.molia.wal.StoreDigest;
import io.molia.wal.WalLayout;
import io.molia.wal.WalOptions;
import io.molia.wal.WalScanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real node's WAL: records and the peerstore come back after a restart, the digest matches the offline replay. */
class MoliaNodeWalTest {
    @TempDir
    Path dir;

    private static MoliaNode start(Path data, List<MoliaAddress> bootstrap, InetSocketAddress metrics)
            throws Exception {
        return start(data, 0, bootstrap, metrics);
    }

    private static MoliaNode start(Path data, int port, List<MoliaAddress> bootstrap, InetSocketAddress metrics)
            throws Exception {
        return MoliaNode.start(new NodeConfig(data, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                bootstrap, new byte[32], 1, metrics, WalOptions.defaults()).withPowBits(4));
    }

    /**
     * Issue 14: a node restarted without --bootstrap used to restore its peers from the WAL and never contact them,
     * so a peer that had forgotten it never learned it again. Here the seed comes back with its identity and port
     * but nothing else (it forgot the node) and no peer to ask; the node's start alone must reintroduce them.
     */
    @Test
    void aRestartedNodeRejoinsThroughItsWalPeersAtStart() throws Exception {
        Path seedDir = dir.resolve("seed");
        Path nodeDir = dir.resolve("node");
        MoliaAddress seedAddress;
        try (MoliaNode seed = start(seedDir, List.of(), null);
                MoliaNode node = start(nodeDir, List.of(seed.address()), null)) {
            seedAddress = seed.address();
            waitUntil(() -> node.status().get().routingTableSize() >= 1 && seed.status().get().routingTableSize() >= 1);
        }
        Path forgetfulDir = dir.resolve("seed-forgot");
        Files.createDirectories(forgetfulDir);
        Files.copy(seedDir.resolve(IdentityFile.FILE_NAME), forgetfulDir.resolve(IdentityFile.FILE_NAME),
                StandardCopyOption.COPY_ATTRIBUTES);
        try (MoliaNode forgetful = start(forgetfulDir, seedAddress.port(), List.of(), null)) {
            assertTrue(forgetful.onLoop(NodeState::isolated).get(5, TimeUnit.SECONDS), "knows nobody");
            try (MoliaNode again = start(nodeDir, List.of(), null)) {
                waitUntil(() -> forgetful.status().get().routingTableSize() >= 1);
                assertEquals(again.self().id(), forgetful.lookup(again.self().id()).get(10, TimeUnit.SECONDS).get(0)
                        .id(), "the seed learned the restarted node from its join");
                assertFalse(forgetful.onLoop(NodeState::isolated).get(5, TimeUnit.SECONDS));
                CoreEvent.PutCompleted put = again.put("after the restart".getBytes(StandardCharsets.UTF_8), 60)
                        .get(10, TimeUnit.SECONDS);
                assertEquals(1, put.stored(), "the restarted node stores on its peer");
            }
        }
    }

    @Test
    void aRestartedNodeKeepsItsRecordsAndRejoinsWithoutItsBootstrapList() throws Exception {
        Path seedDir = dir.resolve("seed");
        Path nodeDir = dir.resolve("node");
        byte[] value = "kept across restarts".getBytes(StandardCharsets.UTF_8);
        String digest;
        CoreEvent.PutCompleted put;
        try (MoliaNode seed = start(seedDir, List.of(), null)) {
            try (MoliaNode node = start(nodeDir, List.of(seed.address()), null)) {
                // The seed lets the node in once the node answered its ping.
                waitUntil(() -> node.status().get().routingTableSize() >= 1
                        && seed.status().get().routingTableSize() >= 1);
                put = seed.put(value, 3_600).get(10, TimeUnit.SECONDS);
                assertEquals(1, put.stored(), "stored on the one other node");
                digest = node.storeDigest().get(10, TimeUnit.SECONDS);
                assertThrows(IllegalStateException.class, () -> start(nodeDir, List.of(), null),
                        "a second node on a held data dir is refused");
            }
            // offline, the node's WAL replays to the digest it reported while running
            WalScanner scan = new WalScanner(0, WalLayout.shardDir(nodeDir, 0)).scan(true, null, 0, null);
            assertTrue(scan.clean(), scan.problems().toString());
            assertEquals(digest, StoreDigest.of(scan.state().records()));
            assertEquals(1, scan.state().records().size());
            assertTrue(scan.state().peers().values().stream().anyMatch(p -> p.contact().id().equals(seed.self().id())),
                    "the seed is in the peerstore");

            // restarted with NO bootstrap list: the peerstore brings the seed back
            try (MoliaNode again = start(nodeDir, List.of(), new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    0))) {
                assertTrue(again.status().get().routingTableSize() >= 1, "routing table restored from the WAL");
                assertEquals(1, again.status().get().records());
                assertEquals(digest, again.storeDigest().get(10, TimeUnit.SECONDS));
                assertEquals(seed.self().id(), again.lookup(seed.self().id()).get(10, TimeUnit.SECONDS).get(0).id(),
                        "rejoined: a lookup reaches the seed");
                // The seed moves the node's entry to its new port once the node answered its ping there.
                waitUntil(() -> again.self().address().equals(seed.onLoop(s -> s.core().routingTable()
                        .entry(again.self().id()).contact().address()).get()));
                assertArrayEquals(value, seed.get(put.key()).get(10, TimeUnit.SECONDS), "the record is served");
                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + again.metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("molia_wal_entries_replayed{shard=\"0\"}"), metrics);
                assertTrue(metrics.contains("molia_wal_startup_seconds{shard=\"0\"}"));
                assertEquals(digest, again.compactWal().get(10, TimeUnit.SECONDS).get(0).digest(),
                        "a live compaction's snapshot has the same digest");
            }
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitUntil(Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!check.ok() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(check.ok());
    }
}
