package io.molia.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.molia.admin.proto.MetricsView;
import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import io.molia.testing.LiveNodes;
import io.molia.transport.SocketBuffers;
import io.molia.wal.WalOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics view's figures for the dashboard: lookup latency percentiles over the last completed lookups and
 * each shard thread's CPU time and allocated bytes, from real nodes.
 */
class AdminMetricsViewTest {
    @RegisterExtension
    final LiveNodes live = new LiveNodes();
    private final List<MoliaNode> nodes = live.list();

    private MoliaNode start(int i, int shards, List<MoliaAddress> seeds) throws Exception {
        return live.start("node-" + i, shards, seeds);
    }

    @Test
    void lookupLatencyPercentilesAndPerShardCpuAndAllocation() throws Exception {
        MoliaNode a = start(0, 2, List.of());
        MoliaNode b = start(1, 1, List.of(a.address()));
        start(2, 1, List.of(a.address()));
        LiveNodes.awaitContacts(a, 2); // lookups with peers to ask take time to answer: the percentiles are not 0
        Map<String, Long> before = metricsOf(a).getCountersMap();
        long samplesBefore = before.get("lookup_latency_samples");
        for (int i = 0; i < 5; i++) {
            a.lookup(new NodeId(i, 1, 2, 3)).get(10, TimeUnit.SECONDS);
        }
        b.lookup(new NodeId(9, 9, 9, 9)).get(10, TimeUnit.SECONDS);
        MetricsView m = metricsOf(a);
        Map<String, Long> c = m.getCountersMap();
        assertEquals(samplesBefore + 5, c.get("lookup_latency_samples"), "node 0's own five lookups");
        CoreEvent.PutCompleted put = a.put(new byte[] {1, 2, 3}, 60).get(10, TimeUnit.SECONDS);
        a.get(put.key()).get(10, TimeUnit.SECONDS);
        assertEquals(samplesBefore + 7, metricsOf(a).getCountersMap().get("lookup_latency_samples"),
                "a put and a get count as lookups_started counts them");
        long p50 = c.get("lookup_latency_p50_us");
        long p95 = c.get("lookup_latency_p95_us");
        long p99 = c.get("lookup_latency_p99_us");
        assertTrue(p50 > 0 && p50 <= p95 && p95 <= p99, p50 + " " + p95 + " " + p99);
        // Two shards: each event-loop thread has its own accounting; the protocol loop (shard 0) has worked.
        assertTrue(c.get("shard_0_cpu_ns") > 0, c.toString());
        assertTrue(c.containsKey("shard_1_cpu_ns"), c.toString());
        assertTrue(c.get("shard_0_allocated_bytes") > 0, c.toString());
        assertFalse(c.containsKey("shard_2_cpu_ns"), "only the node's shards");
        Map<String, Long> later = metricsOf(a).getCountersMap();
        assertTrue(later.get("shard_0_cpu_ns") >= c.get("shard_0_cpu_ns"), "CPU time only grows");
    }

    /**
     * The blob repair's outcome counters are in the view (until 2026-12-03 on Prometheus only), each the value the
     * check itself counts: what `scripts/bench-blob-durability` reads to tell why a stripe was lost.
     */
    @Test
    void theBlobRepairCountersAreInTheView() throws Exception {
        MoliaNode a = start(0, 1, List.of());
        a.blobRepair().round(4).get(10, TimeUnit.SECONDS);
        a.blobRepair().round().get(10, TimeUnit.SECONDS);
        Map<String, Long> c = metricsOf(a).getCountersMap();
        assertEquals(2, c.get("blob_repair_rounds"), c.toString());
        assertEquals(0, c.get("blob_repair_stripes_checked"), "the node holds no fragment: nothing to check");
        for (io.molia.metrics.Figure<io.molia.node.BlobRepairCheck> f : io.molia.node.BlobRepairCheck.FIGURES) {
            assertTrue(c.containsKey(f.name()), f.name() + " in the view");
            assertEquals(f.read().applyAsLong(a.blobRepair()), c.get(f.name()), f.name());
        }
    }

    /** The metrics view as the admin socket takes it: captured on the loop, derived on the caller's thread. */
    private static MetricsView metricsOf(MoliaNode node) throws Exception {
        return AdminViews.withSockets(AdminViews.metrics(node.onLoop(AdminViews::captureMetrics)
                .get(10, TimeUnit.SECONDS)), node.sockets());
    }

    @Test
    void everyDropReasonOfPrometheusIsInTheAdminViewAndKernelDropsAreCountedPerShard(@TempDir Path dir)
            throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (MoliaNode node = MoliaNode.start(new NodeConfig(dir, loopback, List.of(), new byte[32], 1, loopback,
                WalOptions.disabled(), new SocketBuffers(4096, 0)).withPowBits(4));
                DatagramChannel sender = DatagramChannel.open().bind(loopback)) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), node.address().port());
            sender.send(ByteBuffer.wrap(new byte[] {1}), to); // too short for any message type
            // A burst while the shard's loop is held: a 4 KiB receive buffer keeps a few datagrams, the kernel
            // drops the rest; what it kept is then read and dropped by the node as an unknown message type.
            CountDownLatch burstSent = new CountDownLatch(1);
            CompletableFuture<Object> held = node.onLoop(s -> {
                try {
                    burstSent.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            });
            for (int i = 0; i < 200; i++) {
                sender.send(ByteBuffer.wrap(new byte[1000]), to);
            }
            burstSent.countDown();
            held.get(10, TimeUnit.SECONDS);

            Map<String, Long> prometheus = Map.of();
            Map<String, Long> admin = Map.of();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) { // until the node has read what the kernel kept
                prometheus = scrape(node.metricsPort());
                admin = metricsOf(node).getCountersMap();
                if (prometheus.get("molia_dropped_total{reason=\"unknown_type\"}") > 0
                        && admin.get("session_unknown_type").equals(
                                prometheus.get("molia_dropped_total{reason=\"unknown_type\"}"))) {
                    break;
                }
                Thread.sleep(50);
            }
            // Each reason of molia_dropped is one figure of the table both exports read (docs/metrics.md).
            Map<String, String> adminNameOfReason = new java.util.HashMap<>();
            for (io.molia.metrics.Figure<?> f : io.molia.metrics.NodeFigures.SHARD) {
                if ("molia_dropped".equals(f.family())) {
                    adminNameOfReason.put(f.reason(), f.name());
                }
            }
            int reasons = 0;
            for (Map.Entry<String, Long> e : prometheus.entrySet()) {
                if (e.getKey().startsWith("molia_dropped_total{reason=")) {
                    String reason = e.getKey().substring("molia_dropped_total{reason=\"".length(),
                            e.getKey().length() - 2);
                    assertEquals(e.getValue(), admin.get(adminNameOfReason.get(reason)), "reason " + reason + ": "
                            + admin);
                    reasons++;
                }
            }
            assertTrue(reasons >= 25, "every reason, not a few: " + reasons);
            assertEquals(adminNameOfReason.size(), reasons, "Prometheus has every reason the admin view has");
            assertEquals(1, admin.get("session_too_short"));
            long kernel = prometheus.get("molia_kernel_receive_drops_total{shard=\"0\"}");
            assertTrue(kernel >= 150, "the kernel dropped most of the burst: " + kernel);
            assertEquals(kernel, admin.get("shard_0_kernel_receive_drops"));
            assertEquals(kernel, admin.get("kernel_receive_drops"));
            assertTrue(prometheus.get("molia_socket_receive_buffer_bytes{shard=\"0\"}") < 64 * 1024,
                    "the granted buffer, as small as asked");
        }
    }

    /** The node's Prometheus text, each sample by name and labels (the shard label summed away when others remain). */
    private static Map<String, Long> scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Long> out = new java.util.TreeMap<>();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String key = line.substring(0, line.lastIndexOf(' '));
            long value = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            String summed = key.replaceAll(",shard=\"\\d+\"", "");
            out.merge(summed, value, Long::sum);
        }
        return out;
    }

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = (i + 1) * 1000L;
        }
        assertEquals(50_000, AdminViews.percentile(sorted, 50));
        assertEquals(95_000, AdminViews.percentile(sorted, 95));
        assertEquals(99_000, AdminViews.percentile(sorted, 99));
        assertEquals(7, AdminViews.percentile(new long[] {7}, 99));
    }
}
