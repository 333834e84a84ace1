package io.molia.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.molia.admin.proto.AdmissionView;
import io.molia.admin.proto.ScoredPeer;
import io.molia.contact.NodeId;
import io.molia.core.PeerScores;
import io.molia.node.MoliaNode;
import io.molia.testing.LiveNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admission view of a real node: its shards' mode, the score histogram, the lowest scorers and why. */
class AdmissionViewTest {
    @RegisterExtension
    final LiveNodes live = new LiveNodes();

    @Test
    void aPeerCaughtWithForgedProofsIsTheLowestScorerAndSaysWhy() throws Exception {
        MoliaNode node = live.start("node", 2, List.of());
        NodeId forger = new NodeId(1, 2, 3, 4);
        AdmissionView v = node.onLoop(s -> {
            s.core().onPeerBehaviour(s.nowNs(), forger, PeerScores.Reason.INVALID);
            s.core().onPeerBehaviour(s.nowNs(), forger, PeerScores.Reason.INVALID);
            return AdmissionViews.admission(s);
        }).get(10, TimeUnit.SECONDS);
        assertEquals(2, v.getShardsCount());
        assertEquals("open", v.getShards(0).getMode(), "a quiet node asks nothing of initiators");
        assertEquals(1, v.getScoredPeers());
        assertEquals(1, v.getScoreHistogram(0).getPeers(), "-8 is below the first edge");
        assertEquals("< -6", v.getScoreHistogram(0).getRange());
        ScoredPeer p = v.getLowest(0);
        assertEquals(forger.toHex(), p.getNodeId());
        assertEquals(-8.0, p.getScore(), 1e-6);
        assertEquals("invalid", p.getWhy());
        assertTrue(p.getLow());
        assertEquals(2.0, p.getCountsOrThrow("invalid"), 1e-6);
        assertEquals(1, v.getPeersTurnedLow());
        assertEquals(2, v.getBehaviours(PeerScores.Reason.INVALID.ordinal()).getCount());
        assertEquals(0, v.getMaxPerSubnetInTable(), "a loopback devnet has no table-wide /24 cap");
    }
}
