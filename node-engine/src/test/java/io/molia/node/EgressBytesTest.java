package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.molia.testing.LiveNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code molia_egress_bytes_total}: the bytes a real node sent, as its Prometheus page shows them; a put of a
 * 1,000-byte value to its peer adds at least that much.
 */
class EgressBytesTest {
    @RegisterExtension
    final LiveNodes nodes = new LiveNodes();

    @Test
    void theEgressCounterGrowsByWhatTheNodeSends() throws Exception {
        MoliaNode seed = nodes.start("seed", 1, List.of());
        MoliaNode node = nodes.start("node", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1,
                List.of(seed.address()), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        LiveNodes.awaitContacts(node, 1);
        long before = egress(node);
        assertTrue(before > 0, "joining sent datagrams: " + before);
        node.put(new byte[1_000], 3_600).get(20, TimeUnit.SECONDS);
        long after = egress(node);
        assertTrue(after - before >= 1_000, "a put of 1,000 bytes: " + before + " -> " + after);
    }

    private static long egress(MoliaNode node) throws Exception {
        return MetricsScrape.of(node).lines().filter(l -> l.startsWith("molia_egress_bytes_total "))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("molia_egress_bytes_total not scraped"));
    }
}
