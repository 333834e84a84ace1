package io.molia.admin;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.molia.admin.proto.AdmissionView;
import io.molia.admin.proto.NamedCount;
import io.molia.admin.proto.ScoreBin;
import io.molia.admin.proto.ScoredPeer;
import io.molia.admin.proto.ShardAdmission;
import io.molia.admin.proto.SourceHits;
import io.molia.contact.NodeAddress;
import io.molia.core.CoreCounters;
import io.molia.core.PeerScores;
import io.molia.core.RoutingTable;
import io.molia.core.WriteTokens;
import io.molia.metrics.NodeMetrics;
import io.molia.node.NodeState;
import io.molia.session.SessionCounters;
import io.molia.session.TopSources;

/**
 * The {@code admission} view (DESIGN §3.5): what an operator of a node under a Sybil attack or a handshake flood looks
 * at. Built on the protocol loop (shard 0's: it owns the routing table and the scores); the other shards' session
 * figures are read racily, as the metrics are.
 */
final class AdmissionViews {
    static final int LOWEST = 10;
    /** Networks and ASes shown, of the {@link TopSources#SLOTS} each shard counts. */
    static final int TOP_SOURCES = 10;

    private AdmissionViews() {
    }

    static AdmissionView admission(NodeState s) {
        CoreCounters core = s.coreCounters();
        SessionCounters sessions = s.sessionCounters();
        RoutingTable table = s.core().routingTable();
        PeerScores scores = table.scores();
        scores.advance(s.nowNs());
        PeerScores.Config c = scores.config();
        AdmissionView.Builder v = AdmissionView.newBuilder().setPowBits(s.powBits())
                .addPowRejected(count("sender", core.powRejectedSender))
                .addPowRejected(count("bootstrap", core.powRejectedBootstrap))
                .addPowRejected(count("find_node", core.powRejectedFindNode))
                .addPowRejected(count("peer_store", core.powRejectedPeerStore))
                .setWriteTokensIssued(core.writeTokensIssued)
                .addLimiterHits(count("ip", sessions.rateLimitedIp))
                .addLimiterHits(count("prefix", sessions.rateLimitedPrefix))
                .addLimiterHits(count("asn", sessions.rateLimitedAsn))
                .addLimiterEvictions(count("ip", sessions.rateLimitEvictionsIp))
                .addLimiterEvictions(count("prefix", sessions.rateLimitEvictionsPrefix))
                .addLimiterEvictions(count("asn", sessions.rateLimitEvictionsAsn))
                .setLimiterHitsByPeers(sessions.limiterHitsByPeers)
                .setScoredPeers(scores.size()).setScoreCapacity(c.capacity())
                .setScoresForgotten(scores.forgotten()).setPeersTurnedLow(scores.becameLow())
                .setLowScoreEvictions(table.lowScoreEvictions()).setLowScoreRefusals(table.lowScoreRefusals())
                .setTableCapRejections(table.tableCapRejections()).setBucketSubnetRejections(table.subnetRejections())
                .setScoreHalfLifeS(c.halfLifeNs() / (double) TimeUnit.SECONDS.toNanos(1)).setLowScore(c.lowScore())
                .setMaxPerSubnetInTable(c.maxPerSubnetInTable() == Integer.MAX_VALUE ? 0 : c.maxPerSubnetInTable())
                .setMaxPerAsnInTable(c.maxPerAsnInTable()).setAsnTable(s.hasAsnTable())
                .setBans(s.bans().list(s.nowNs()).size());
        for (WriteTokens.Check reason : WriteTokens.Check.values()) {
            if (reason != WriteTokens.Check.VALID) {
                v.addWriteTokensRejected(count(reason.label(), core.writeTokenRejected[reason.ordinal()]));
            }
        }
        List<NodeMetrics.ShardSource> shards = s.shardSources();
        for (int i = 0; i < shards.size(); i++) {
            SessionCounters sc = shards.get(i).sessions();
            v.addShards(ShardAdmission.newBuilder().setShard(i).setMode(mode(sc))
                    .setHandshakeLoadPermille((int) sc.handshakeLoadPermille).setPuzzleBits((int) sc.puzzleBits)
                    .setUnderLoadPeriods(sc.underLoadPeriods).setCookieReplies(sc.cookieRepliesSent)
                    .setPuzzleReplies(sc.puzzleRepliesSent).setPuzzlesSolved(sc.puzzlesSolved));
        }
        for (TopSources.Hits h : sessions.limitedPrefixes.top(TOP_SOURCES)) {
            v.addTopPrefixes(hits(NodeAddress.subnetText(h.key()), h));
        }
        for (TopSources.Hits h : sessions.limitedAsns.top(TOP_SOURCES)) {
            v.addTopAsns(hits("AS" + h.key(), h));
        }
        long[] bins = scores.histogram();
        for (int b = 0; b < bins.length; b++) {
            v.addScoreHistogram(ScoreBin.newBuilder().setRange(PeerScores.binRange(b)).setPeers(bins[b]));
        }
        for (PeerScores.Snapshot p : scores.lowest(LOWEST)) {
            ScoredPeer.Builder row = ScoredPeer.newBuilder().setNodeId(p.id().toHex()).setScore(p.score())
                    .setWhy(p.worst() == null ? "" : p.worst().label())
                    .setInRoutingTable(table.entry(p.id()) != null).setLow(p.score() <= c.lowScore());
            PeerScores.Reason[] reasons = PeerScores.Reason.values();
            for (int i = 0; i < reasons.length; i++) {
                if (p.counts()[i] > 0) {
                    row.putCounts(reasons[i].label(), p.counts()[i]);
                }
            }
            v.addLowest(row);
        }
        for (PeerScores.Reason reason : PeerScores.Reason.values()) {
            v.addBehaviours(count(reason.label(), scores.recorded(reason)));
        }
        return v.build();
    }

    /** What a shard asks of initiators now: nothing, a cookie (mac2), or a solved puzzle beyond it. */
    static String mode(SessionCounters sc) {
        return sc.puzzleBits > 0 ? "puzzle" : sc.underLoad != 0 ? "cookie" : "open";
    }

    private static SourceHits hits(String source, TopSources.Hits h) {
        return SourceHits.newBuilder().setSource(source).setHits(h.hits()).setError(h.error()).build();
    }

    private static NamedCount count(String name, long n) {
        return NamedCount.newBuilder().setName(name).setCount(n).build();
    }
}
