package io.molia.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.molia.admin.proto.MetricsView;
import io.molia.core.CoreEvent;
import io.molia.core.NodeId;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.testing.LiveNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    /** The metrics view as the admin socket takes it: captured on the loop, derived on the caller's thread. */
    private static MetricsView metricsOf(MoliaNode node) throws Exception {
        return AdminViews.metrics(node.onLoop(AdminViews::captureMetrics).get(10, TimeUnit.SECONDS));
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
