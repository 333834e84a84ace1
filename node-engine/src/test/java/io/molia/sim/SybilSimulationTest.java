package io.molia.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import io.molia.core.CoreConfig;
import org.junit.jupiter.api.Test;

/**
 * Sybils in the simulator (small and short: 200 nodes, 5 s of warm-up, 60 gets over 10 s; the 10k-node figures are
 * in docs/benchmarks.md). Every assertion is on counts of one seeded run, replayed exactly.
 */
class SybilSimulationTest {
    private static final LatencyMatrix MATRIX = LatencyMatrix.planetLab();

    private static SimReport run(int disjointPaths, SybilAttack attack) {
        SimConfig config = new SimConfig(200, 60, 0.3, 0.01, 17, 5, 10, 1, 10, false, false,
                CoreConfig.defaults().withDisjointPaths(disjointPaths), null, attack);
        return new Simulation(config, MATRIX).run();
    }

    private static SybilAttack nearTarget(SybilBehaviour behaviour) {
        return new SybilAttack(0.2, true, behaviour, false, 4);
    }

    @Test
    void sybilsAroundTheKeysHurtOnePathMoreThanDisjointPaths() {
        SimReport one = run(1, nearTarget(SybilBehaviour.ONLY_SYBILS));
        SimReport four = run(4, nearTarget(SybilBehaviour.ONLY_SYBILS));
        assertEquals(40, four.sybils().sybils());
        assertEquals(60, four.sybils().gets());
        assertTrue(four.successRate() >= 0.95, four.toTable());
        assertTrue(one.successRate() < four.successRate() - 0.1, "one path: " + one.successRate() + ", four: "
                + four.successRate());
        assertEquals(0, four.sybils().found() - four.sybils().correct(), "no wrong value returned");
        assertTrue(four.sybils().sybilHashes() > 40L << 8, "the Sybils ground their IDs near the keys: "
                + four.sybils().sybilHashes());
        assertEquals(four.traceDigest(), run(4, nearTarget(SybilBehaviour.ONLY_SYBILS)).traceDigest(),
                "same seed, same trace");
    }

    /**
     * A newcomer's k closest to a key can all be Sybils (its join's lookups met the Sybils, and they answered): all of
     * its paths then end on Sybils. Its second round, without the peers asked and from farther into its table, gets
     * round them (500 nodes, 100 Sybils around 5 keys, 200 gets; without the second round: 97.5 %, 5 failures, each a
     * getter that joined during the run).
     */
    @Test
    void aNewcomerWhosePathsAllEndOnSybilsGetsRoundThemInASecondRound() {
        SimConfig config = new SimConfig(500, 200, 0.3, 0.01, 7, 30, 20, 1, 10, false, false, CoreConfig.defaults(),
                null, new SybilAttack(0.2, true, SybilBehaviour.ONLY_SYBILS, false, 8));
        SimReport r = new Simulation(config, MATRIX).run();
        SybilOutcome s = r.sybils();
        @SuppressWarnings("unchecked")
        Map<String, Object> succeeded = (Map<String, Object>) s.getAnalysis().get("succeeded");
        assertTrue(r.successRate() >= 0.99, r.toTable() + s.getAnalysis());
        assertTrue((int) succeeded.get("second_round") >= 2, "gets saved by their second round: " + succeeded);
        assertEquals(s.found(), s.correct(), "no wrong value");
    }

    @Test
    void forgedValuesAreRefusedAndNeverReturned() {
        SimReport r = run(4, nearTarget(SybilBehaviour.WRONG_VALUE));
        SybilOutcome s = r.sybils();
        assertTrue(s.forged() > 0 && s.rejected() > 0, r.toTable());
        assertEquals(s.found(), s.correct(), "a get returns only what was stored: " + r.toTable());
        assertTrue(r.successRate() >= 0.95, r.toTable());
    }

    @Test
    void droppingOrSlowSybilsCostTimeNotValues() {
        SimReport honest = run(4, new SybilAttack(0, true, SybilBehaviour.ONLY_SYBILS, false, 4));
        for (SybilBehaviour b : new SybilBehaviour[] {SybilBehaviour.DROP, SybilBehaviour.SLOW}) {
            SimReport r = run(4, nearTarget(b));
            assertTrue(r.successRate() >= 0.95, b + ": " + r.toTable());
            assertTrue(r.latencyMs().p95() > honest.latencyMs().p95(), b + " costs time: " + r.latencyMs() + " vs "
                    + honest.latencyMs());
        }
    }

    @Test
    void anEclipseFillsTheVictimsTable() {
        SimReport r = run(4, new SybilAttack(0.4, false, SybilBehaviour.ONLY_SYBILS, true, 4));
        SybilOutcome s = r.sybils();
        assertEquals("eclipse", s.placement());
        assertTrue(s.victimSybilShareStart() > 0.5, r.toTable());
        assertTrue(s.victimSybilShareEnd() >= 0 && s.gets() == 60, r.toTable());
    }

    @Test
    void badSybilOptionsAreRefusedInOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SybilBehaviour.parse("lie"));
        assertEquals("--sybil-behaviour: expected one of only-sybils, drop, wrong-value, slow, got 'lie'",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SybilAttack(1.0, true, null, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new SybilAttack(0.2, true, null, true, 0));
        assertThrows(IllegalArgumentException.class, () -> SimConfig.defaults(100, 10, 0, 0, 1).withSessions()
                .withSybils(new SybilAttack(0.2, false, null, false, 0)));
    }
}
