package io.molia.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.molia.core.store.RecordsConfig;
import org.junit.jupiter.api.Test;

/** The protocol core at network scale, against the simulator's global view (brute force over all live nodes). */
class SimulationTest {
    private static final LatencyMatrix MATRIX = LatencyMatrix.planetLab();

    @Test
    void lookupsInAStable1000NodeNetworkFindTheTrueClosest() {
        SimReport r = new Simulation(SimConfig.defaults(1_000, 300, 0, 0, 11), MATRIX).run();
        assertEquals(300, r.lookupsCompleted());
        assertTrue(r.successRate() >= 0.99, "success " + r.successRate());
        assertTrue(r.kClosestShare() >= 0.97, "k-closest share " + r.kClosestShare());
        assertTrue(r.latencyMs().p50() > 0 && r.latencyMs().p50() < r.terminationMs().p99(), r.toTable());
    }

    @Test
    void sameSeedSameTraceOtherSeedOtherTrace() {
        SimConfig config = SimConfig.defaults(500, 100, 0.3, 0.01, 5);
        SimReport a = new Simulation(config, MATRIX).run();
        SimReport b = new Simulation(config, MATRIX).run();
        assertEquals(a.traceDigest(), b.traceDigest());
        assertEquals(a.toJsonMap().get("latency_ms"), b.toJsonMap().get("latency_ms"));
        assertEquals(a.successRate(), b.successRate());
        SimReport c = new Simulation(SimConfig.defaults(500, 100, 0.3, 0.01, 6), MATRIX).run();
        assertNotEquals(a.traceDigest(), c.traceDigest());
    }

    @Test
    void churnAndLossStillFindTheClosestLiveNode() {
        SimReport r = new Simulation(SimConfig.defaults(2_000, 300, 0.3, 0.01, 7), MATRIX).run();
        assertTrue(r.nodesReplaced() > 1_000, "churn happened: " + r.nodesReplaced());
        assertTrue(r.datagramsLost() > 0);
        assertTrue(r.successRate() >= 0.97, r.toTable());
    }

    /**
     * latency_breakdown.churn: under churn the origins' tables hold entries whose nodes left and lookups ask some of
     * them; newcomers start lookups too, and the closest node of a lookup is often a newcomer that few tables know.
     * Without churn, every origin and every closest node is a warm-start node and nothing is dead.
     */
    @Test
    @SuppressWarnings("unchecked")
    void churnDiagnosticsCountDepartedEntriesAndNewcomerOrigins() {
        SimReport churn = new Simulation(SimConfig.defaults(500, 200, 0.3, 0.01, 5), MATRIX).run();
        Map<String, Object> c = (Map<String, Object>) churn.latencyBreakdown().get("churn");
        Map<String, Map<String, Object>> byOrigin = (Map<String, Map<String, Object>>) c.get("by_origin");
        Map<String, Object> warm = byOrigin.get("warm_start");
        assertTrue((double) warm.get("origin_table_dead_share") > 0.05, c.toString());
        assertTrue((double) warm.get("departed_learned_asked_mean") > 0, c.toString());
        assertTrue(byOrigin.containsKey("joined_earlier") || byOrigin.containsKey("joined_under_60s"), c.toString());
        int lookups = byOrigin.values().stream().mapToInt(f -> (int) f.get("lookups")).sum();
        assertEquals(churn.lookupsCompleted(), lookups, "every completed lookup is counted once");

        // latency_breakdown.closest: the true closest node's floor and how well the tables know it, by its age.
        Map<String, Object> closest = (Map<String, Object>) churn.latencyBreakdown().get("closest");
        Map<String, Object> all = (Map<String, Object>) closest.get("all");
        assertTrue((long) all.get("floor_rtt_ms_p50") > 0, closest.toString());
        assertTrue((long) all.get("floor_rtt_ms_p50") <= (long) all.get("latency_ms_p50"),
                "no lookup hears the closest node before a round trip to it: " + closest);
        double learned = ((Map<String, Double>) all.get("learned_at_hop_share")).values().stream()
                .mapToDouble(Double::doubleValue).sum();
        assertEquals(1.0, learned, 0.01, closest.toString());
        Map<String, Map<String, Object>> byAge = (Map<String, Map<String, Object>>) closest.get("by_closest_age");
        Map<String, Object> young = byAge.get("joined_under_60s");
        assertTrue(young != null && (double) young.get("known_by_tables_mean")
                < (double) byAge.get("warm_start").get("known_by_tables_mean"),
                "a newcomer is in fewer tables than a node of the warm start: " + closest);

        SimReport calm = new Simulation(SimConfig.defaults(500, 200, 0, 0.01, 5), MATRIX).run();
        Map<String, Map<String, Object>> calmOrigins = (Map<String, Map<String, Object>>) ((Map<String, Object>) calm
                .latencyBreakdown().get("churn")).get("by_origin");
        assertEquals(List.of("warm_start"), List.copyOf(calmOrigins.keySet()));
        assertEquals(0.0, calmOrigins.get("warm_start").get("origin_table_dead_share"));
        assertEquals(0.0, calmOrigins.get("warm_start").get("departed_learned_asked_mean"));
        Map<String, Object> calmClosest = (Map<String, Object>) ((Map<String, Object>) calm.latencyBreakdown()
                .get("closest")).get("by_closest_age");
        assertEquals(List.of("warm_start"), List.copyOf(calmClosest.keySet()));
    }

    /**
     * A region cut off for 30 s, then rejoined: lookups across the cut fail while it lasts, those on either side
     * still succeed, and success comes back after the heal.
     */
    @Test
    void aRegionCutOffLosesLookupsAcrossTheCutAndRecoversAfterTheHeal() {
        Partition cut = new Partition(0.3, 20, 30);
        SimConfig config = new SimConfig(1_000, 400, 0, 0, 13, 10, 80, 1, 10, false, false,
                io.molia.core.CoreConfig.defaults(), cut);
        SimReport r = new Simulation(config, MATRIX).run();
        PartitionOutcome p = r.partition();
        assertTrue(p.nodesInside() > 100 && p.nodesInside() < 700, "region " + p.nodesInside());
        assertTrue(p.datagramsCut() > 0);
        assertTrue(p.across().lookups() > 0 && p.inside().lookups() > 0 && p.outside().lookups() > 0, r.toTable());
        assertTrue(p.before().success() >= 0.97, r.toTable());
        assertTrue(p.across().success() < 0.5, "the closest node is out of reach: " + r.toTable());
        assertTrue(p.outside().success() >= 0.9, r.toTable());
        assertTrue(p.after().success() >= 0.95, r.toTable());
        assertTrue(p.recoverySeconds() >= 0, "back to 99 % within the run: " + r.toTable());
        assertEquals(r.traceDigest(), new Simulation(config, MATRIX).run().traceDigest(), "same seed, same trace");
    }

    @Test
    void aPartitionSpecIsParsedOrRefusedInOneLine() {
        assertEquals(new Partition(0.2, 80, 30), Partition.parse("0.2@80+30"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Partition.parse("0.2@80"));
        assertTrue(e.getMessage().startsWith("--partition: expected FRACTION@START+DURATION"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Partition.parse("1.5@80+30"));
    }

    @Test
    void recordRoundsPublishAndFindUnderChurnAndLoss() {
        // Small and short (300 nodes, 10 s of warm-up, 20 s of rounds): the 10k-node figures are in docs/records.md.
        Simulation sim = new Simulation(new SimConfig(300, 5, 0.3, 0.01, 8, 10, 20, 1, 10, false, false,
                io.molia.core.CoreConfig.defaults()), MATRIX);
        sim.withRecords(20);
        sim.run();
        RecordWorkload.Figures f = sim.recordFigures();
        assertTrue(f.mutableGets() >= 15 && f.providerLookups() >= 15, f.toTable());
        assertTrue(f.publishesStored() >= 18 && f.providesStored() >= 18, f.toTable());
        assertTrue(f.mutableGetsFound() >= f.mutableGets() - 2, "the seq written is found: " + f.toTable());
        assertTrue(f.providerLookupsFound() >= f.providerLookups() - 2, "the provider is found: " + f.toTable());
        assertTrue(f.mutableFirstAnswer().p50() <= f.mutableGet().p50(), f.toTable());
        assertTrue(f.publishAcknowledged().p50() > 0 && f.publishAcknowledged().p95() <= f.publish().p95(),
                "a majority acknowledges before the last store answers: " + f.toTable());
    }

    @Test
    void recordsReadAgainAfterChurnReportTheirSurvivalAndTheSameSeedGivesTheSameRun() {
        // 200 nodes, 0.3/min churn, 1 % loss, each record read again 3 virtual minutes after its write: most of the
        // nodes that stored it have left by then (docs/records.md has the hour at 1k nodes).
        SimConfig config = new SimConfig(200, 5, 0.3, 0.01, 9, 10, 10, 1, 10, false, false,
                io.molia.core.CoreConfig.defaults());
        Simulation sim = new Simulation(config, MATRIX);
        sim.withRecords(10, TimeUnit.MINUTES.toNanos(3));
        SimReport r = sim.run();
        RecordWorkload.Survival s = sim.recordFigures().survival();
        assertEquals(TimeUnit.MINUTES.toNanos(3), s.checkAfterNs());
        assertTrue(r.simulatedSeconds() >= 10 + 180, "the run lasted until the checks: " + r.simulatedSeconds());
        assertTrue(s.mutableChecked() >= 8 && s.providerChecked() >= 8, sim.recordFigures().toTable());
        assertTrue(s.mutableShare() >= 0.8, "handoff to newcomers keeps mutable records: " + sim.recordFigures()
                .toTable());
        assertTrue(s.providerShare() >= 0.8, "and provider records, handed over with their signed announcements: "
                + sim.recordFigures().toTable());
        assertTrue(sim.recordFigures().toTable().contains("retrievable after 180 s"), sim.recordFigures().toTable());

        Simulation again = new Simulation(config, MATRIX);
        again.withRecords(10, TimeUnit.MINUTES.toNanos(3));
        assertEquals(r.traceDigest(), again.run().traceDigest(), "same seed, same trace");
        assertEquals(s, again.recordFigures().survival());
        Simulation without = new Simulation(config, MATRIX);
        without.withRecords(10);
        without.run();
        assertNull(without.recordFigures().survival(), "no check asked, none reported");
    }

    @Test
    void theRecordSettingsReachEveryNodeAndTheDefaultsKeepTheTrace() {
        SimConfig config = new SimConfig(200, 5, 0.3, 0.01, 9, 10, 10, 1, 10, false, false,
                io.molia.core.CoreConfig.defaults());
        SimReport plain = recordRun(config, null);
        assertEquals(plain.traceDigest(), recordRun(config, RecordsConfig.defaults()).traceDigest(),
                "the defaults given explicitly: the same run");
        SimReport repairing = recordRun(config,
                RecordsConfig.defaults().withReplication(TimeUnit.MINUTES.toNanos(1), 600, 60, 10));
        assertTrue(repairing.datagramsSent() > plain.datagramsSent(), "repair rounds every minute cost datagrams: "
                + repairing.datagramsSent() + " vs " + plain.datagramsSent());
    }

    private static SimReport recordRun(SimConfig config, RecordsConfig records) {
        Simulation sim = new Simulation(config, MATRIX);
        sim.withRecordsConfig(records);
        sim.withRecords(10, TimeUnit.MINUTES.toNanos(3));
        return sim.run();
    }

    @Test
    void theOneRoundTripInitiationBeatsAHandshakeRoundTrip() {
        SimConfig base = SimConfig.defaults(1_000, 200, 0, 0, 3);
        SimReport oneRtt = new Simulation(base, MATRIX).run();
        SimConfig withHandshake = new SimConfig(base.nodes(), base.lookups(), 0, 0, 3, base.warmupSeconds(),
                base.lookupSeconds(), base.minAccessMs(), base.maxAccessMs(), true, false, base.core());
        SimReport twoRtt = new Simulation(withHandshake, MATRIX).run();
        assertTrue(twoRtt.latencyMs().p50() > oneRtt.latencyMs().p50() * 1.3,
                oneRtt.latencyMs() + " vs " + twoRtt.latencyMs());
    }

    /**
     * The shard driver under simulation: every node a {@link io.molia.shard.Shard} with real WireGuard sessions, so
     * the glue between sessions and core runs as on a live node; the run is still replayed exactly from its seed.
     */
    @Test
    void withRealSessionsTheShardsFindTheClosestAndTheSameSeedGivesTheSameRun() {
        // Small and short: every first contact costs real X25519 work (10k nodes: docs/benchmarks.md).
        SimConfig plainConfig = new SimConfig(200, 100, 0.3, 0.01, 21, 5, 20, 1, 10, false, false,
                io.molia.core.CoreConfig.defaults());
        SimConfig config = plainConfig.withSessions();
        SimReport a = new Simulation(config, MATRIX).run();
        SimReport b = new Simulation(config, MATRIX).run();
        assertEquals(a.traceDigest(), b.traceDigest(), "same seed, same trace");
        SimReport plain = new Simulation(plainConfig, MATRIX).run();
        assertTrue(a.successRate() >= 0.95, "success " + a.successRate() + " (without sessions " + plain.successRate()
                + ")");
        assertTrue(a.datagramsSent() > plain.datagramsSent(), "handshakes and keepalives are on the wire: "
                + a.datagramsSent() + " vs " + plain.datagramsSent());
    }

    @Test
    void theMatrixIsTheShippedPlanetLabData() {
        assertEquals(490, MATRIX.sites());
        assertEquals(0.0, MATRIX.rttMs(0, 0));
        assertEquals(MATRIX.rttMs(3, 17), MATRIX.rttMs(17, 3));
        assertEquals(0.164, MATRIX.rttMs(0, 1), 1e-6);
    }
}
