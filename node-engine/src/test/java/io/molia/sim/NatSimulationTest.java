package io.molia.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.molia.nat.NatType;
import org.junit.jupiter.api.Test;

/**
 * Nodes behind simulated NATs: the cores' own NAT traversal classifies them and turns the unreachable ones into DHT
 * clients, lookups they start still succeed, and a run stays deterministic.
 */
class NatSimulationTest {
    private static final LatencyMatrix MATRIX = LatencyMatrix.planetLab();

    private static Simulation natted(SimConfig config, NatMix mix) {
        Simulation sim = new Simulation(config, MATRIX);
        sim.withNats(mix);
        return sim;
    }

    @Test
    void nattedNodesClassifyThemselvesAndOnlyReachableOnesServe() {
        SimConfig config = new SimConfig(400, 150, 0, 0, 31, 40, 40, 1, 10, false, false,
                io.molia.core.CoreConfig.defaults());
        Simulation sim = natted(config, NatMix.parse(0.6, "25/25/25/25", 30));
        SimReport r = sim.run();
        NatOutcome nat = sim.natOutcome();
        String table = r.toTable() + nat.toTable();
        for (NatType type : new NatType[] {NatType.OPEN, NatType.FULL_CONE, NatType.ADDRESS_RESTRICTED,
                NatType.PORT_RESTRICTED, NatType.SYMMETRIC}) {
            NatOutcome.TypeFigures f = nat.byType().get(type);
            assertTrue(f.nodes() > 20, type + ": " + table);
            if (type == NatType.FULL_CONE) {
                // When every observer it asked lacks an alternate address (other full cones), the core cannot tell a
                // full cone from an address-restricted NAT and takes the safe side (docs/nat.md): never worse.
                assertTrue(f.classifiedCorrectly() >= 0.8 * f.nodes(), table);
                assertEquals(f.nodes(), f.classifiedCorrectly() + f.classifiedAs().getOrDefault(
                        NatType.ADDRESS_RESTRICTED.label(), 0), table);
                assertEquals(f.nodes() - f.classifiedCorrectly(), f.clients(), "the misclassified ones are clients: "
                        + table);
            } else {
                assertTrue(f.classifiedCorrectly() >= 0.95 * f.nodes(), type + " classified: " + table);
            }
            if (type == NatType.OPEN) {
                assertEquals(0, f.clients(), table);
            } else if (!type.reachable()) {
                assertTrue(f.clients() >= 0.9 * f.nodes(), type + " should be clients: " + table);
                assertTrue(f.relayReservations() >= 0.8 * f.nodes(), type + " reserves a relay: " + table);
            }
        }
        assertTrue(nat.datagramsFiltered() > 0, table);
        assertTrue(nat.probesDelivered() > 0 && nat.probesDelivered() < nat.probesSent(), "filters drop some: "
                + table);
        assertTrue(nat.fromNatted().lookups() > 30 && nat.fromPublic().lookups() > 30, table);
        assertTrue(nat.fromNatted().successRate() >= 0.97, table);
        assertTrue(r.successRate() >= 0.97, table);
    }

    @Test
    void sameSeedSameTraceWithNatsUnderChurnAndLoss() {
        SimConfig config = new SimConfig(300, 60, 0.3, 0.01, 23, 20, 20, 1, 10, false, false,
                io.molia.core.CoreConfig.defaults());
        NatMix mix = NatMix.parse(0.6, NatMix.DEFAULT_MIX, 30);
        Simulation a = natted(config, mix);
        SimReport ra = a.run();
        Simulation b = natted(config, mix);
        SimReport rb = b.run();
        assertEquals(ra.traceDigest(), rb.traceDigest());
        assertEquals(a.natOutcome().toJsonMap(), b.natOutcome().toJsonMap());
        SimReport publicOnly = new Simulation(config, MATRIX).run();
        assertNotEquals(ra.traceDigest(), publicOnly.traceDigest(), "the NATs change the trace");
    }

    @Test
    void natsAreNotModelledWithSessionsOrSybils() {
        NatMix mix = NatMix.parse(0.6, NatMix.DEFAULT_MIX, 30);
        assertThrows(IllegalArgumentException.class,
                () -> natted(SimConfig.defaults(100, 10, 0, 0, 1).withSessions(), mix));
        assertThrows(IllegalArgumentException.class, () -> natted(SimConfig.defaults(100, 10, 0, 0, 1)
                .withSybils(new SybilAttack(0.2, false, null, false, 0)), mix));
    }
}
