package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.Ed25519Identity;
import org.junit.jupiter.api.Test;

/**
 * Admission under load (issue 16, item 2), driven by hand: the test owns the clock, so the gaps between datagrams
 * stand for the work the responder did. A handshake here costs what the test says it costs.
 */
class HandshakeAdmissionTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;
    private static final long WALL = 1_790_000_000L * S;

    private long now = 1_000 * S;
    private final SessionManager responder;
    private final Contact responderContact;
    private int nextSeed = 100;

    HandshakeAdmissionTest() {
        byte[] seed = new byte[32];
        new SplittableRandom(1).nextBytes(seed);
        Ed25519Identity identity = Ed25519Identity.fromSeed(seed);
        responderContact = new Contact(NodeId.ofPublicKey(identity.publicKey()), identity.publicKey(), 0,
                NodeAddress.ipv4(0x0a000001, 4000));
        responder = new SessionManager(StaticIdentity.fromEd25519Seed(seed), identity.publicKey(), new byte[32], 0, 0,
                1024, new SplittableRandom(2), (id, key, pow) -> true);
    }

    /** A fresh identity at {@code address}: an initiator's own session layer. */
    private SessionManager initiator() {
        byte[] seed = new byte[32];
        new SplittableRandom(nextSeed++).nextBytes(seed);
        return new SessionManager(StaticIdentity.fromEd25519Seed(seed), Ed25519Identity.fromSeed(seed).publicKey(),
                new byte[32], 0, 0, 4, new SplittableRandom(nextSeed), (id, key, pow) -> true);
    }

    /** Delivers every datagram {@code from} queued to {@code to}; returns the last status. */
    private int carry(SessionManager from, NodeAddress fromAddress, SessionManager to) {
        int status = SessionManager.DROPPED;
        SessionManager.Transmit t;
        while ((t = from.pollTransmit()) != null) {
            byte[] bytes = t.copy();
            status = to.onDatagram(now, WALL + now, fromAddress, bytes, 0, bytes.length);
            to.finishResponses(now);
        }
        return status;
    }

    /** A fresh identity at {@code address} sends an initiation with a request; the responder's output is dropped. */
    private int initiation(NodeAddress address) {
        SessionManager fresh = initiator();
        assertTrue(fresh.send(now, WALL + now, responderContact, new byte[16], 0, 16));
        int status = carry(fresh, address, responder);
        while (responder.pollTransmit() != null) {
            // a response or a cookie reply: the flood does not answer
        }
        return status;
    }

    private static NodeAddress host(int i) {
        return NodeAddress.ipv4(0x0b000000 | i, 5000);
    }

    @Test
    void aPuzzleCountsLeadingZeroBitsFromTheFirstByte() {
        assertEquals(64, AdmissionPuzzle.leadingZeroBits(new byte[8], 0));
        assertEquals(9, AdmissionPuzzle.leadingZeroBits(new byte[] {0, 0x40, 0, 0, 0, 0, 0, 0}, 0));
    }

    @Test
    void initiationsBackToBackPutTheShardUnderLoadForASecondAfterTheFloodEnds() {
        long costNs = 400_000; // the test's handshake: the next datagram comes 400 µs later, as on a busy shard
        for (int i = 0; i < 600; i++) {
            initiation(host(i));
            now += costNs;
        }
        SessionCounters c = responder.counters();
        assertTrue(responder.underLoad(now), "250 a window of 400 µs each: the whole thread, over half of it");
        assertEquals(costNs, c.handshakeCostNs, "the cost is measured from the gaps");
        assertTrue(c.cookieRepliesSent > 300, "after the first window, cookies: " + c.cookieRepliesSent);
        assertEquals(600 - c.cookieRepliesSent, c.handshakesCompleted);
        assertEquals(1, c.underLoadPeriods);
        assertEquals(1, c.underLoad);

        now += HandshakeLoad.HOLD_NS;
        assertFalse(responder.underLoad(now), "a second after the last window over budget, handshakes are free");
        assertEquals(SessionManager.DELIVERED, initiation(host(9_999)), "no cookie needed");
    }

    @Test
    void aFloodTurnedAwayKeepsTheShardUnderLoadWhileItGoesOn() {
        for (int i = 0; i < 300; i++) {
            initiation(host(i));
            now += 400_000;
        }
        assertTrue(responder.underLoad(now));
        // The flood slows below the budget (it waits for answers it no longer gets): over a quarter of it, a flood.
        for (int i = 0; i < 480; i++) {
            initiation(host(1_000 + i));
            now += 2_500_000; // 40 a window at 400 µs: 16 % of the thread, under the budget of 20 %
        }
        assertTrue(responder.underLoad(now), "1.2 s later, still under load");
        assertEquals(1, responder.counters().underLoadPeriods, "never let in again in between");
        now += 2 * HandshakeLoad.HOLD_NS;
        assertFalse(responder.underLoad(now));
    }

    @Test
    void aFloodThatWaitsOutItsTimeoutsAndReturnsEarnsALongerHoldUntilItNoLongerGetsIn() {
        int flooded = 0;
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 120; i++) { // a burst over budget: a window of 1 ms handshakes back to back...
                initiation(host(flooded++));
                now += MS;
            }
            assertTrue(responder.underLoad(now), "round " + round);
            now += 3 * S; // ...then silence while it waits out its 2 s timeouts
        }
        SessionCounters c = responder.counters();
        assertEquals(3, c.underLoadPeriods, "let in again after the 1 s hold and the 2 s hold, not after the 4 s one");
        assertEquals(4 * HandshakeLoad.HOLD_NS, c.underLoadHoldNs, "doubled at each return");
        assertTrue(responder.underLoad(now), "still under load 3 s after the last burst");
        long completedBefore = c.handshakesCompleted;
        initiation(host(flooded));
        assertEquals(completedBefore, c.handshakesCompleted, "the returning flood is asked for a cookie");

        now += HandshakeLoad.MAX_HOLD_NS + HandshakeLoad.REENTRY_NS;
        for (int i = 0; i < 120; i++) {
            initiation(host(10_000 + i));
            now += MS;
        }
        assertEquals(HandshakeLoad.HOLD_NS, c.underLoadHoldNs, "a flood after a long quiet spell starts from 1 s");
    }

    @Test
    void aThreadThatWaitsForACpuHasLessCapacityAndGoesUnderLoadSooner() {
        long waitedNs = 0;
        responder.onRunQueueDelay(waitedNs);
        for (int i = 0; i < 100; i++) { // the quiet shard's rate below (50 a second: 10 % of the wall time at most)
            initiation(host(i));
            now += 20 * MS;
            waitedNs += 17_500_000; // ...but the thread could run 2.5 ms of each 20: that is 80 % of what it gets
            responder.onRunQueueDelay(waitedNs);
        }
        SessionCounters c = responder.counters();
        assertTrue(responder.underLoad(now), "load " + c.handshakeLoadPermille + "‰ of " + c.handshakeRunnablePermille
                + "‰ runnable");
        assertEquals(125, c.handshakeRunnablePermille, "an eighth of each window");
    }

    @Test
    void aQuietShardNeverAsksForCookiesWhateverItsIdleGaps() {
        for (int i = 0; i < 300; i++) {
            assertEquals(SessionManager.DELIVERED, initiation(host(i)));
            now += 20 * MS; // 50 a second: the gaps are idle time, capped as a cost
        }
        assertEquals(0, responder.counters().cookieRepliesSent);
        assertEquals(HandshakeLoad.MAX_COST_NS, responder.counters().handshakeCostNs);
        assertFalse(responder.underLoad(now));
    }

    @Test
    void aZeroBudgetTurnsTheDefenceOff() {
        responder.setHandshakeCpuBudget(0);
        for (int i = 0; i < 600; i++) {
            assertEquals(SessionManager.DELIVERED, initiation(host(i)));
            now += 400_000;
        }
        assertEquals(0, responder.counters().cookieRepliesSent);
        assertTrue(responder.counters().handshakeLoadPermille >= 900, "measured all the same");
    }

    @Test
    void underLoadOneSourceGetsFiveAtOnceAndTwentyASecondEvenWithMac2() {
        responder.setUnderLoad(true);
        NodeAddress flooder = host(1);
        int handled = 0;
        for (int i = 0; i < 10; i++) {
            SessionManager fresh = initiator();
            assertTrue(fresh.send(now, WALL + now, responderContact, new byte[16], 0, 16));
            carry(fresh, flooder, responder); // initiation -> cookie reply
            carry(responder, responderContact.address(), fresh); // cookie reply -> retry with mac2
            if (carry(fresh, flooder, responder) == SessionManager.DELIVERED) {
                handled++;
            }
            while (responder.pollTransmit() != null) {
                // responses: not needed
            }
        }
        SessionCounters c = responder.counters();
        assertEquals(SourceLimits.IP_BURST, handled, "the burst, then nothing more at this instant");
        assertEquals(10, c.cookieRepliesSent);
        assertEquals(10 - SourceLimits.IP_BURST, c.rateLimitedIp);
        assertEquals(c.rateLimitedIp, c.silentDrops(), "dropped in silence");

        now += 50 * MS; // one token: 1 s / 20
        SessionManager late = initiator();
        assertTrue(late.send(now, WALL + now, responderContact, new byte[16], 0, 16));
        carry(late, flooder, responder);
        carry(responder, responderContact.address(), late);
        assertEquals(SessionManager.DELIVERED, carry(late, flooder, responder));
        assertEquals(SessionManager.DELIVERED, initiationWithCookie(host(2)), "another source has its own bucket");
    }

    @Test
    void pastCookiesAMoliaInitiationGetsAPuzzleItsInitiatorSolvesAndRetriesAtOnce() {
        responder.setUnderLoad(true);
        responder.setPuzzleBits(AdmissionPuzzle.MIN_BITS);
        NodeAddress honest = host(7);
        SessionManager fresh = initiator();
        assertTrue(fresh.send(now, WALL + now, responderContact, new byte[16], 0, 16));
        carry(fresh, honest, responder); // initiation -> puzzle reply (no cookie asked: the token proves the address)
        SessionManager.Transmit reply = responder.pollTransmit();
        assertEquals(SessionManager.TYPE_PUZZLE_REPLY, reply.data()[0] & 0xff);
        byte[] puzzleReply = reply.copy();
        assertEquals(SessionManager.HANDLED, fresh.onDatagram(now, WALL + now, responderContact.address(),
                puzzleReply, 0, puzzleReply.length));
        SessionManager.Transmit retry = fresh.pollTransmit();
        assertEquals(SessionManager.TYPE_SOLVED_INITIATION, retry.data()[0] & 0xff, "sent again at once, solved");
        byte[] solved = retry.copy();
        assertEquals(SessionManager.DELIVERED, responder.onDatagram(now, WALL + now, honest, solved, 0, solved.length));
        SessionCounters c = responder.counters();
        assertEquals(1, c.puzzleRepliesSent);
        assertEquals(1, c.puzzlesSolved);
        assertEquals(0, c.cookieRepliesSent);
        assertEquals(1, fresh.counters().retriesWithPuzzle);

        // The same solution from another address: the token was issued to the first one. Dropped, counted, silent.
        responder.finishResponses(now);
        while (responder.pollTransmit() != null) {
            // the response to the solved initiation
        }
        assertEquals(SessionManager.DROPPED, responder.onDatagram(now, WALL + now, host(8), solved, 0, solved.length));
        assertEquals(1, c.badPuzzle);
        byte[] forged = solved.clone();
        forged[8] ^= 1; // a token this shard never issued
        assertEquals(SessionManager.DROPPED, responder.onDatagram(now, WALL + now, honest, forged, 0, forged.length));
        assertEquals(2, c.badPuzzle);
        assertEquals(null, responder.pollTransmit(), "never answered");
        assertEquals(2, c.silentDrops());
    }

    @Test
    void whenHandshakesWithMac2StillCostHalfTheBudgetTheShardAsksForPuzzles() {
        for (int i = 0; i < 120; i++) { // a flood over budget: under load
            initiation(host(i));
            now += MS;
        }
        assertTrue(responder.underLoad(now));
        assertEquals(0, responder.counters().puzzleBits, "cookies first");
        // Many addresses that really receive: each pays its cookie round trip, and their handshakes, done in full
        // at 1 ms each, still cost over half the budget (15 a window: 15 % of the thread, the budget 20 %).
        int address = 1_000;
        while (responder.counters().puzzleRepliesSent == 0) {
            assertTrue(address < 1_200, "puzzles were asked for");
            initiationWithCookie(NodeAddress.ipv4(0x0c000000 | address++ << 8 | 1, 5000)); // one per /24
            while (responder.pollTransmit() != null) {
                // responses and puzzle replies: this flood does not answer them
            }
            now += 6 * MS;
        }
        SessionCounters c = responder.counters();
        assertEquals(AdmissionPuzzle.MIN_BITS, c.puzzleBits, "the easiest puzzle first");
        assertTrue(c.cookieRepliesSent > 0 && c.handshakesWithMac2 > 0, "cookies came before puzzles");
    }

    private int initiationWithCookie(NodeAddress address) {
        SessionManager fresh = initiator();
        assertTrue(fresh.send(now, WALL + now, responderContact, new byte[16], 0, 16));
        carry(fresh, address, responder);
        carry(responder, responderContact.address(), fresh);
        return carry(fresh, address, responder);
    }
}
