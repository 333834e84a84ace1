package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class LivenessChecksTest {
    private static final long S = 1_000_000_000L;

    @Test
    void onlyStaleEntriesAreCheckedAndEachOnce() {
        LivenessChecks checks = new LivenessChecks();
        SplittableRandom random = new SplittableRandom(3);
        RoutingEntry fresh = new RoutingEntry(TestContacts.random(random), 100 * S);
        RoutingEntry stale = new RoutingEntry(TestContacts.random(random), 0);
        long now = LivenessChecks.INITIAL_STALE_NS + S;
        assertFalse(checks.offer(now, fresh));
        assertTrue(checks.offer(now, stale));
        assertFalse(checks.offer(now, stale), "a check is out already");
        assertSame(stale.contact(), checks.poll());
        assertNull(checks.poll());
    }

    @Test
    void theStalenessBoundFollowsTheObservedChurn() {
        // Peers leave at 30 %/min (λ = 0.005/s): checks of entries last seen Δ ago fail with 1 - e^(-λΔ).
        SplittableRandom random = new SplittableRandom(5);
        LivenessChecks checks = new LivenessChecks();
        double lambda = 0.3 / 60;
        for (int i = 0; i < 5_000; i++) {
            double sinceSeenSeconds = 50 + random.nextDouble() * 20;
            boolean left = random.nextDouble() < 1 - Math.exp(-lambda * sinceSeenSeconds);
            checks.onOutcome((long) (sinceSeenSeconds * S), !left);
        }
        double expectedSeconds = -Math.log(1 - LivenessChecks.TOLERATED_DEAD) / lambda; // about 57 s
        double bound = checks.staleAfterNs() / (double) S;
        assertTrue(Math.abs(bound - expectedSeconds) < 0.2 * expectedSeconds, "bound " + bound + " s");

        for (int i = 0; i < 5_000; i++) {
            checks.onOutcome(60 * S, true); // the network calms down: every check answered
        }
        assertEquals(LivenessChecks.MAX_STALE_NS, checks.staleAfterNs());
    }
}
