package io.molia.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.molia.admin.proto.AdmissionView;
import io.molia.admin.proto.ScoredPeer;
import io.molia.core.PeerScores;
import io.molia.loadgen.Handshakes;
import io.molia.node.MetricsScrape;
import io.molia.node.MoliaNode;
import io.molia.testing.LiveNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16 items 5 and 8 on a live node: a peer whose confirmed session comes from an address that then goes past a
 * rate limit is scored for it; the limited network heads the admission view's most limited; the score distribution
 * reaches Prometheus.
 */
class LimiterHitsTest {
    @RegisterExtension
    final LiveNodes live = new LiveNodes();

    /**
     * Four ports of 127.0.0.2 open sessions with fresh identities one after another, each confirmed by its keepalive,
     * while the node is under load (cookies, no puzzle: the test sets the mode, not the machine's load): the first
     * five pass the address's burst, the rest its rate of 20 a second, and each identity whose confirmed session holds
     * the port a dropped initiation came from is charged with it.
     */
    @Test
    void aProvenPeerPastALimiterIsScoredAndItsNetworkIsTheMostLimited() throws Exception {
        MoliaNode node = live.start("node", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1, List.of(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        node.onLoop(s -> {
            s.sessions().setHandshakeCpuBudget(0); // no measured escalation to puzzles
            s.sessions().setUnderLoad(true);
            return null;
        }).get(5, TimeUnit.SECONDS);
        long startNs = System.nanoTime();
        Handshakes.Result r = new Handshakes(new Handshakes.Plan(node.address(), 40, 0, 4, 6, 0,
                InetAddress.getByName("127.0.0.2"))).run();
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs);
        assertTrue(r.completed() >= 5 && r.timedOut() >= 1, "a burst went through, then the limiter: " + r);
        assertEquals(0, r.puzzleReplies(), r.toString());

        AdmissionView v = node.onLoop(AdmissionViews::admission).get(5, TimeUnit.SECONDS);
        long hits = v.getLimiterHits(0).getCount();
        assertTrue(hits >= 1, "the address limiter dropped initiations");
        assertTrue(v.getLimiterHitsByPeers() >= 1 && v.getLimiterHitsByPeers() <= hits, v.toString());
        assertEquals("127.0.0.0/24", v.getTopPrefixes(0).getSource());
        assertEquals(hits, v.getTopPrefixes(0).getHits(), "every hit came from that network");
        assertEquals(0, v.getTopAsnsCount(), "no --asn-table");
        assertEquals(v.getLimiterHitsByPeers(),
                v.getBehaviours(PeerScores.Reason.LIMITER_HIT.ordinal()).getCount(), "each report was scored");
        ScoredPeer charged = v.getLowestList().stream().filter(p -> p.getCountsMap().containsKey("limiter_hit"))
                .findFirst().orElseThrow(() -> new AssertionError("no peer charged: " + v.getLowestList()));
        double charges = charged.getCountsOrThrow("limiter_hit");
        assertTrue(charges >= 0.99 && charges <= seconds + 1.01, "charged, at most once a second: " + charges
                + " in " + seconds + " s");

        String scrape = MetricsScrape.of(node);
        long scored = v.getScoredPeers();
        long binned = 0;
        for (int b = 0; b <= PeerScores.HISTOGRAM_EDGES.length; b++) {
            binned += value(scrape, "molia_peer_score_bin{range=\"" + PeerScores.binRange(b) + "\"}");
        }
        assertEquals(scored, binned, "the bins Prometheus shows (published by the view) hold every scored peer");
        assertEquals(v.getLimiterHitsByPeers(),
                value(scrape, "molia_admission_limiter_hits_by_peers_total{shard=\"0\"}"));
        assertEquals(4, value(scrape, "molia_admission_pow_difficulty"));
    }

    private static long value(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToLong(
                l -> (long) Double.parseDouble(l.substring(series.length() + 1).trim())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + series + " in\n" + scrape));
    }
}
