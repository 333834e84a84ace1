package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import org.junit.jupiter.api.Test;

/** Behaviour scores fed by a core's own lookups (the test owns the clock and carries every datagram, 1 ms a hop). */
class PeerScoresCoreTest {
    private static final long MS = 1_000_000;

    private final SplittableRandom random = new SplittableRandom(16);
    private final Map<NodeAddress, NodeCore> network = new LinkedHashMap<>();
    private final List<NodeAddress> sentTo = new ArrayList<>();
    private long now;

    private NodeCore node() {
        Contact c = TestContacts.random(random, 0x0a000000 | network.size() << 8);
        NodeCore core = new NodeCore(CoreConfig.defaults(), c, random.split(), now);
        network.put(c.address(), core);
        return core;
    }

    private void driveUntil(long limitNs, java.util.function.BooleanSupplier done) {
        now = CoreNetwork.drive(network, now, MS, 10_000, c -> c, out -> sentTo.add(out.to().address()));
        while (!done.getAsBoolean() && now < limitNs) {
            long next = Long.MAX_VALUE;
            for (NodeCore core : network.values()) {
                next = Math.min(next, core.nextDeadlineNs());
            }
            now = Math.max(now, Math.min(limitNs, next));
            now = CoreNetwork.drive(network, now, MS, 10_000, c -> c, out -> sentTo.add(out.to().address()));
        }
    }

    @Test
    void aPeerWhoseReferralsAreUnreachableTurnsLowAndIsNeitherKeptNorHandedOut() {
        NodeCore liar = node();
        for (int i = 0; i < 10; i++) {
            liar.addTrustedContact(now, TestContacts.random(random), 2 * MS); // nobody at these addresses
        }
        NodeCore asker = node();
        asker.addTrustedContact(now, liar.self(), 2 * MS);
        NodeCore other = node();
        asker.addTrustedContact(now, other.self(), 2 * MS);
        asker.startLookup(now, TestContacts.randomId(random));
        PeerScores scores = asker.routingTable().scores();
        driveUntil(now + 60_000 * MS, () -> scores.isLow(liar.self().id()));

        assertTrue(scores.isLow(liar.self().id()), "score " + scores.score(liar.self().id()));
        assertEquals(PeerScores.Reason.UNREACHABLE_REFERRAL, scores.lowest(1).get(0).worst());
        assertNull(asker.routingTable().entry(liar.self().id()), "evicted");
        assertTrue(scores.recorded(PeerScores.Reason.TIMED_OUT) >= 4, "each ghost timed out");

        // a third core asks the asker: the liar is never handed out
        NodeCore third = node();
        third.addTrustedContact(now, asker.self(), 2 * MS);
        sentTo.clear();
        third.startLookup(now, liar.self().id());
        driveUntil(now + 60_000 * MS, () -> third.pollEvent() != null);
        assertFalse(sentTo.contains(liar.self().address()), "the asker never referred the liar");
        assertTrue(sentTo.contains(other.self().address()), "while it referred its honest peer");
    }

    @Test
    void aShardThatDoesNotOwnTheTableReportsBehaviourToTheOwner() {
        NodeCore owner = node();
        PublishedRouting published = new PublishedRouting(owner.self().id());
        NodeCore shard1 = new NodeCore(CoreConfig.defaults(), owner.self(), random.split(), now,
                new ShardPartition(1, 2, 1), published);
        NodeId peer = TestContacts.randomId(random);
        shard1.onPeerBehaviour(now, peer, PeerScores.Reason.INVALID);
        shard1.onPeerBehaviour(now, peer, PeerScores.Reason.INVALID);
        RoutingNote note;
        while ((note = shard1.pollRoutingNote()) != null) {
            owner.onRoutingNote(now, note);
        }
        assertTrue(owner.routingTable().scores().isLow(peer));
    }
}
