package io.molia.core.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.core.TestContacts;
import org.junit.jupiter.api.Test;

/** Properties of the lookup state machine over seeded random networks; the test owns time. */
class LookupTest {
    private static final int K = 20;
    private static final int ALPHA = 4;

    /** A network that answers FIND_NODE with the true k closest it knows: each peer knows everybody. */
    private static List<Contact> closestOf(List<Contact> network, NodeId target, int n) {
        List<Contact> sorted = new ArrayList<>(network);
        sorted.sort((a, b) -> target.compareDistance(a.id(), b.id()));
        return sorted.subList(0, Math.min(n, sorted.size()));
    }

    @Test
    void terminatesWithSortedUniqueResultsAndFindsTheTrueClosestLivePeers() {
        for (long seed = 1; seed <= 40; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            List<Contact> network = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                network.add(TestContacts.random(random));
            }
            Set<NodeId> dead = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                dead.add(network.get(random.nextInt(network.size())).id());
            }
            NodeId target = TestContacts.randomId(random);
            List<Contact> seeds = new ArrayList<>();
            for (int i = 0; i < K; i++) {
                seeds.add(network.get(random.nextInt(network.size())));
            }
            int paths = seed % 2 == 0 ? 2 : 1;
            List<Contact> alive = new ArrayList<>(network);
            alive.removeIf(c -> dead.contains(c.id()));
            // Answers hold the k closest live peers plus the dead ones that would rank among them (not yet noticed).
            List<Contact> answer = new ArrayList<>(closestOf(alive, target, K));
            for (Contact c : closestOf(network, target, K)) {
                if (dead.contains(c.id())) {
                    answer.add(c);
                }
            }
            Lookup lookup = new Lookup(target, K, ALPHA, paths, seeds, id -> -1, 0);
            List<Contact> inFlight = new ArrayList<>();
            Set<NodeId> asked = new HashSet<>();
            long now = 0;
            for (int step = 0; step < 10_000 && !lookup.isFinished(); step++) {
                Contact next;
                while ((next = lookup.nextRequest(now)) != null) {
                    assertTrue(asked.add(next.id()), "a peer is asked at most once");
                    inFlight.add(next);
                }
                // alpha in flight while making progress; a stalled lookup widens to its k closest (final round).
                assertTrue(inFlight.size() <= K, "in flight: " + inFlight.size());
                if (inFlight.isEmpty()) {
                    break;
                }
                Contact answering = inFlight.remove(random.nextInt(inFlight.size()));
                now += 1_000_000;
                if (dead.contains(answering.id())) {
                    lookup.onFailure(now, answering.id());
                } else {
                    lookup.onResponse(now, answering.id(), answer);
                }
            }
            assertTrue(lookup.isFinished(), "seed " + seed + ": lookup did not terminate");
            List<Contact> result = lookup.result();
            assertEquals(new HashSet<>(result).size(), result.size(), "duplicates in result");
            for (int i = 1; i < result.size(); i++) {
                assertTrue(target.compareDistance(result.get(i - 1).id(), result.get(i).id()) < 0, "not sorted");
            }
            assertEquals(closestOf(alive, target, K), result, "seed " + seed + ": not the true k closest live");
        }
    }

    @Test
    void aSlowPeerFreesItsSlotAndItsLateAnswerIsStillUsed() {
        SplittableRandom random = new SplittableRandom(11);
        List<Contact> network = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            network.add(TestContacts.random(random));
        }
        NodeId target = TestContacts.randomId(random);
        List<Contact> closest = closestOf(network, target, K);
        Contact slow = closest.get(0);
        List<Contact> seeds = new ArrayList<>(closest.subList(0, ALPHA));
        Lookup lookup = new Lookup(target, K, ALPHA, 1, seeds, id -> -1, 0);
        List<Contact> first = drain(lookup, 0);
        assertEquals(ALPHA, first.size());
        assertTrue(first.contains(slow));
        assertTrue(lookup.nextRequest(0) == null, "alpha slots are full");

        lookup.onSlow(1, slow.id());
        Contact freed = lookup.nextRequest(1);
        assertTrue(freed == null || !first.contains(freed), "the slow peer's slot goes to someone new");
        // Everybody else answers; the lookup cannot end while the closest peer may still answer.
        Map<NodeId, Boolean> answered = new HashMap<>();
        List<Contact> queue = new ArrayList<>(first);
        queue.remove(slow);
        if (freed != null) {
            queue.add(freed);
        }
        long now = 2;
        while (!queue.isEmpty()) {
            Contact c = queue.remove(0);
            answered.put(c.id(), true);
            lookup.onResponse(now++, c.id(), closestOf(network, target, K));
            queue.addAll(drain(lookup, now));
        }
        assertFalse(lookup.isFinished(), "a slow peer among the k closest keeps the lookup open");
        lookup.onResponse(now, slow.id(), List.of());
        assertTrue(lookup.isFinished());
        assertEquals(slow, lookup.result().get(0), "the late answer counts");
        assertEquals(now, lookup.closestAnsweredNs());
    }

    @Test
    void anUnresponsivePeerNoLongerHoldsTheResultButItsAnswerStillCounts() {
        SplittableRandom random = new SplittableRandom(12);
        List<Contact> network = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            network.add(TestContacts.random(random));
        }
        NodeId target = TestContacts.randomId(random);
        List<Contact> closest = closestOf(network, target, K);
        Contact gone = closest.get(0);
        Contact late = closest.get(1);
        Lookup lookup = new Lookup(target, K, ALPHA, 1, new ArrayList<>(closest.subList(0, ALPHA)), id -> -1, 0);
        List<Contact> queue = drain(lookup, 0);
        assertTrue(queue.remove(gone) && queue.remove(late));
        lookup.onSlow(1, gone.id());
        lookup.onSlow(1, late.id());
        lookup.onUnresponsive(2, late.id());
        lookup.onResponse(3, late.id(), closestOf(network, target, K)); // it was slow, not gone: it counts
        long now = 4;
        queue.addAll(drain(lookup, now));
        while (!queue.isEmpty()) {
            lookup.onResponse(now++, queue.remove(0).id(), closestOf(network, target, K));
            queue.addAll(drain(lookup, now));
        }
        assertFalse(lookup.isFinished(), "a slow peer holds the result until its copy times out too");
        lookup.onUnresponsive(now, gone.id());
        assertTrue(lookup.isFinished(), "an unresponsive peer no longer does");
        assertEquals(now, lookup.finishedNs());
        assertEquals(closest.subList(1, K), lookup.result(), "the k closest responsive peers");
        assertTrue(lookup.awaits(gone.id()), "its answer is still expected");
    }

    @Test
    void prefersTheLowRttPeerAmongEquallyCloseOnes() {
        SplittableRandom random = new SplittableRandom(2);
        NodeId target = TestContacts.randomId(random);
        // Two candidates at the same log-distance from the target (both differ from it first at bit 0).
        List<Contact> sameBucket = new ArrayList<>();
        while (sameBucket.size() < 2) {
            Contact c = TestContacts.random(random);
            if (target.commonPrefixLength(c.id()) == 0) {
                sameBucket.add(c);
            }
        }
        Contact far = sameBucket.get(0);
        Contact near = sameBucket.get(1);
        Lookup lookup = new Lookup(target, K, 1, 1, List.of(far, near),
                id -> id.equals(near.id()) ? 10_000_000 : 200_000_000, 0);
        assertEquals(near, lookup.nextRequest(0));
    }

    @Test
    void closerCandidatesAreAskedAtOnceWhenTheRequestsOutWereOvertaken() {
        SplittableRandom random = new SplittableRandom(13);
        List<Contact> network = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            network.add(TestContacts.random(random));
        }
        NodeId target = TestContacts.randomId(random);
        List<Contact> byDistance = closestOf(network, target, network.size());
        List<Contact> far = byDistance.subList(byDistance.size() - ALPHA, byDistance.size());
        Lookup lookup = new Lookup(target, K, ALPHA, 1, far, id -> -1, 0);
        List<Contact> first = drain(lookup, 0);
        assertEquals(ALPHA, first.size());

        // One far seed answers with the true closest: the three still out are now behind the front.
        lookup.onResponse(1, first.get(0).id(), byDistance.subList(0, 2 * ALPHA));
        List<Contact> next = drain(lookup, 1);
        assertEquals(byDistance.subList(0, ALPHA), sortedByDistance(next, target),
                "the α closest are all asked now, not one per answer of an overtaken request");

        // Overtaken requests' answers bring nothing new: they held no slot, so they free none, and they were not
        // expected to bring anything closer, so they do not start the final round either.
        for (int i = 1; i < ALPHA; i++) {
            lookup.onResponse(2, first.get(i).id(), List.of());
            assertEquals(List.of(), drain(lookup, 2));
        }
        lookup.onResponse(3, byDistance.get(0).id(), List.of());
        assertEquals(List.of(byDistance.get(ALPHA)), drain(lookup, 3),
                "one answer of the front without progress frees its slot; it is not the α-th in a row");
    }

    /**
     * Sybils that surround the target and answer only with each other fill every path's k closest once they are
     * shared out, so the paths end without asking the honest holder just behind them; the second round, without
     * anyone asked before, asks it first and asks no peer twice.
     */
    @Test
    void aSecondRoundWithoutThePeersAskedReachesTheHolderBehindTheSybils() {
        SplittableRandom random = new SplittableRandom(16);
        int k = 4;
        int paths = 2;
        NodeId target = TestContacts.randomId(random);
        List<Contact> sybils = new ArrayList<>();
        for (int i = 0; i < paths * k; i++) { // differ from the target only in the last bits: closest of all
            sybils.add(withId(target.flipBit(NodeId.BITS - 1 - i), random));
        }
        Contact holder = withId(target.flipBit(100), random);
        List<Contact> seeds = List.of(withId(target.flipBit(3), random), withId(target.flipBit(4), random));
        List<Contact> honestAnswer = new ArrayList<>(sybils);
        honestAnswer.add(holder);
        Lookup lookup = new Lookup(target, k, paths, paths, seeds, id -> -1, 0);
        Set<NodeId> asked = new HashSet<>();
        long now = 0;
        for (int round = 1; round <= 2; round++) {
            List<Contact> next;
            while (!(next = drain(lookup, now)).isEmpty()) {
                for (Contact c : next) {
                    assertTrue(asked.add(c.id()), "asked once: " + c.id());
                    now += 1_000_000;
                    if (c.equals(holder)) {
                        assertEquals(2, round, "the holder is reached only in the second round");
                        lookup.onResponse(now, c.id(), List.of());
                    } else {
                        lookup.onResponse(now, c.id(), sybils.contains(c) ? sybils : honestAnswer);
                    }
                }
            }
            assertTrue(lookup.isFinished());
            if (round == 1) {
                assertFalse(asked.contains(holder.id()), "every path's k closest were Sybils");
                assertTrue(asked.containsAll(sybils.stream().map(Contact::id).toList()));
                assertTrue(lookup.retryWithoutAsked(now, seeds), "the holder is left to ask");
                assertFalse(lookup.isFinished());
            }
        }
        assertTrue(asked.contains(holder.id()));
        assertEquals(2, lookup.rounds());
        assertFalse(lookup.retryWithoutAsked(now, seeds), "nothing left: the seeds were asked in the first round");
    }

    private static Contact withId(NodeId id, SplittableRandom random) {
        Contact c = TestContacts.random(random);
        return new Contact(id, c.publicKeyBytes(), 0, c.address());
    }

    private static List<Contact> sortedByDistance(List<Contact> contacts, NodeId target) {
        List<Contact> sorted = new ArrayList<>(contacts);
        sorted.sort((a, b) -> target.compareDistance(a.id(), b.id()));
        return sorted;
    }

    private static List<Contact> drain(Lookup lookup, long now) {
        List<Contact> out = new ArrayList<>();
        Contact c;
        while ((c = lookup.nextRequest(now)) != null) {
            out.add(c);
        }
        return out;
    }
}
