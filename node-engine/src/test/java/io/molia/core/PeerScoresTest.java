package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeId;
import io.molia.core.PeerScores.Reason;
import org.junit.jupiter.api.Test;

/** The score arithmetic: weights, decay by half-life, the answer cap, the low mark, bounded memory. */
class PeerScoresTest {
    private static final long HALF_LIFE_NS = TimeUnit.MINUTES.toNanos(30);
    private final SplittableRandom random = new SplittableRandom(16);
    private final PeerScores scores = new PeerScores(PeerScores.Config.defaults());

    @Test
    void eachReasonWeighsItsWeightAndDecaysByHalfEveryHalfLife() {
        NodeId a = TestContacts.randomId(random);
        scores.record(0, a, Reason.TIMED_OUT);
        scores.record(0, a, Reason.UNREACHABLE_REFERRAL);
        assertEquals(-3.0, scores.score(a), 1e-9);
        scores.advance(HALF_LIFE_NS);
        assertEquals(-1.5, scores.score(a), 1e-9, "half after one half-life");
        scores.advance(3 * HALF_LIFE_NS);
        assertEquals(-0.375, scores.score(a), 1e-9, "an eighth after three");
        assertEquals(0, scores.score(TestContacts.randomId(random)), "a peer never seen scores 0");
    }

    @Test
    void answersCountUpToTheCapSoCreditCannotBeBanked() {
        NodeId a = TestContacts.randomId(random);
        for (int i = 0; i < 1_000; i++) {
            scores.record(i, a, Reason.ANSWERED);
        }
        assertTrue(scores.score(a) <= PeerScores.MAX_ANSWERED);
        for (int i = 0; i < 8; i++) {
            scores.record(1_000, a, Reason.TIMED_OUT);
        }
        assertTrue(scores.isLow(a), "ten answers' credit does not outweigh eight timeouts: " + scores.score(a));
    }

    @Test
    void recordSaysOnceWhenAPeerTurnsLowAndDecayBringsItBack() {
        NodeId a = TestContacts.randomId(random);
        assertFalse(scores.record(0, a, Reason.INVALID));
        assertFalse(scores.record(0, a, Reason.UNREACHABLE_REFERRAL), "-5 is not low yet");
        assertTrue(scores.record(0, a, Reason.UNREACHABLE_REFERRAL), "-6 is");
        assertFalse(scores.record(0, a, Reason.TIMED_OUT), "already low: said once");
        assertEquals(1, scores.becameLow());
        assertTrue(scores.isLow(a));
        scores.record(0, a, Reason.ANSWERED);
        assertEquals(-6.0, scores.score(a), 1e-9, "an answer forgives the timeout, and buys nothing more");
        assertTrue(scores.isLow(a), "answering does not buy a peer low for what it did back in");
        scores.advance(HALF_LIFE_NS);
        assertFalse(scores.isLow(a), "-6 halves to -3 after a half-life: back above the mark");
    }

    @Test
    void answersNotCloserAloneNeverMakeAPeerLow() {
        NodeId a = TestContacts.randomId(random);
        for (int i = 0; i < 100; i++) {
            scores.record(0, a, Reason.NOT_CLOSER); // a small network: almost every answer brings nothing closer
        }
        assertEquals(-PeerScores.MAX_NOT_CLOSER * 0.5, scores.score(a), 1e-9);
        assertFalse(scores.isLow(a));
        scores.record(0, a, Reason.UNREACHABLE_REFERRAL);
        scores.record(0, a, Reason.UNREACHABLE_REFERRAL);
        assertTrue(scores.isLow(a), "with worse behaviour they add up");
    }

    @Test
    void anAnswerForgivesTimeoutsAPeerThatRestartedIsNoLongerLow() {
        NodeId a = TestContacts.randomId(random);
        for (int i = 0; i < 5; i++) {
            scores.record(0, a, Reason.TIMED_OUT);
        }
        assertTrue(scores.isLow(a), "away: five timeouts");
        scores.record(1_000, a, Reason.ANSWERED);
        assertFalse(scores.isLow(a), "back: it answers");
        assertEquals(1.0, scores.score(a), 1e-9);
    }

    @Test
    void invalidProofIsTheHeaviestAndNamedAsWhy() {
        NodeId a = TestContacts.randomId(random);
        scores.record(0, a, Reason.ANSWERED);
        scores.record(0, a, Reason.INVALID);
        scores.record(0, a, Reason.NOT_CLOSER);
        PeerScores.Snapshot s = scores.lowest(1).get(0);
        assertEquals(a, s.id());
        assertEquals(1 - 4 - 0.5, s.score(), 1e-9);
        assertEquals(Reason.INVALID, s.worst());
    }

    @Test
    void aFullTableForgetsThePeerHeardOfLongestAgoAndCountsIt() {
        PeerScores small = new PeerScores(PeerScores.Config.defaults().withCapacity(3));
        NodeId[] ids = new NodeId[4];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = TestContacts.randomId(random);
        }
        small.record(0, ids[0], Reason.TIMED_OUT);
        small.record(1, ids[1], Reason.TIMED_OUT);
        small.record(2, ids[2], Reason.TIMED_OUT);
        small.record(3, ids[0], Reason.TIMED_OUT); // ids[0] heard of again: ids[1] is now the eldest
        small.record(4, ids[3], Reason.TIMED_OUT);
        assertEquals(3, small.size());
        assertEquals(1, small.forgotten());
        assertEquals(0, small.score(ids[1]), "forgotten");
        assertTrue(small.score(ids[0]) < -3.9);
    }

    @Test
    void sweepForgetsWhatDecayedToNothingOnceJournaled() {
        NodeId a = TestContacts.randomId(random);
        scores.record(0, a, Reason.TIMED_OUT);
        assertEquals(0, scores.sweep(20 * HALF_LIFE_NS), "not journaled yet: kept");
        List<PeerScores.Snapshot> dirty = scores.takeDirty();
        assertEquals(1, dirty.size());
        assertTrue(scores.takeDirty().isEmpty(), "taken once");
        assertEquals(1, scores.sweep(20 * HALF_LIFE_NS));
        assertEquals(0, scores.size());
    }

    @Test
    void anAnswerAloneIsNotWorthAJournalEntry() {
        NodeId a = TestContacts.randomId(random);
        scores.record(0, a, Reason.ANSWERED);
        assertTrue(scores.takeDirty().isEmpty());
        scores.record(0, a, Reason.TIMED_OUT);
        assertEquals(1, scores.takeDirty().size());
    }

    @Test
    void restoredCountsDecayFromWhenTheyWereJournaled() {
        NodeId a = TestContacts.randomId(random);
        double[] counts = new double[Reason.values().length];
        counts[Reason.TIMED_OUT.ordinal()] = 4;
        scores.restore(a, 0, counts);
        assertTrue(scores.isLow(a));
        scores.advance(HALF_LIFE_NS);
        assertEquals(-4.0, scores.score(a), 1e-9);
        assertArrayEquals(new double[] {0, 2, 0, 0, 0, 0}, scores.all().get(0).counts(), 1e-9);
    }

    @Test
    void theHistogramBinsEveryPeerOnce() {
        scores.record(0, TestContacts.randomId(random), Reason.INVALID); // -4
        scores.record(0, TestContacts.randomId(random), Reason.INVALID);
        scores.record(0, TestContacts.randomId(random), Reason.ANSWERED); // +1
        scores.record(0, TestContacts.randomId(random), Reason.NOT_CLOSER); // -0.5
        assertArrayEquals(new long[] {2, 1, 1}, scores.histogram(new double[] {-2, 0}));
    }

    @Test
    void aConfigWithoutAHalfLifeOrANegativeLowMarkIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PeerScores.Config(0, -6, 10, 10, 10));
        assertThrows(IllegalArgumentException.class, () -> new PeerScores.Config(1, 0, 10, 10, 10));
    }
}
