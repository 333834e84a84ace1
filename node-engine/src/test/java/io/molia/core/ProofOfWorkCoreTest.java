package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.ProofOfWork;
import org.junit.jupiter.api.Test;

/**
 * Cores on a network asking {@value #BITS} bits of identity proof of work, driven by hand (1 ms per hop): contacts
 * without the work are dropped where they appear, counted there, and never handed out; honest nodes still put.
 */
class ProofOfWorkCoreTest {
    private static final int BITS = 8;
    private static final long MS = 1_000_000;

    private final SplittableRandom random = new SplittableRandom(1616);
    private final Map<NodeAddress, NodeCore> network = new LinkedHashMap<>();
    private final List<NodeAddress> sentTo = new ArrayList<>();
    private long now;

    /** A node at the next address whose own nonce proves {@code BITS} (or not), checking {@code checkBits}. */
    private NodeCore node(boolean proven, int checkBits) {
        Contact c = TestContacts.random(random, 0x0a000000 | network.size() << 8);
        c = proven ? TestContacts.withPow(c, BITS) : TestContacts.withoutPow(c, BITS);
        NodeCore core = new NodeCore(CoreConfig.defaults(), c, random.split(), now);
        core.proofOfWork(new ProofOfWork(checkBits));
        network.put(c.address(), core);
        return core;
    }

    private void drive() {
        // The receiver knows the sender by its key and address (as a session tells it): nonce 0.
        now = CoreNetwork.drive(network, now, MS, 10_000, c -> c.withPowNonce(0), out -> sentTo.add(out.to().address()));
    }

    @Test
    void aContactWithoutTheWorkInANodesAnswerIsNeverAskedAndIsCounted() {
        NodeCore asker = node(true, BITS);
        NodeCore lax = node(true, 0); // an old or dishonest node: it hands out whatever it holds
        NodeCore forged = node(false, BITS);
        lax.addTrustedContact(now, forged.self(), MS);
        asker.bootstrap(now, List.of(lax.self().withPowNonce(0))); // a seed known by its key alone
        drive();
        assertTrue(asker.counters().powRejectedFindNode >= 1, "the forged contact was seen and dropped");
        assertFalse(sentTo.contains(forged.self().address()), "and never asked");
        assertNotNull(asker.routingTable().entry(lax.self().id()), "the seed proved its own work in its answer");
        assertEquals(lax.self().powNonce(), asker.routingTable().entry(lax.self().id()).contact().powNonce(),
                "and is held with the nonce it proved, which the asker hands out");
        assertNull(asker.routingTable().entry(forged.self().id()));
    }

    @Test
    void aPeerWithoutTheWorkIsAnsweredButNeverLearned() {
        NodeCore node = node(true, BITS);
        NodeCore client = node(false, BITS);
        client.ping(now, node.self());
        drive();
        assertTrue(node.counters().powRejectedSender >= 1, "its requests carry a nonce that proves nothing");
        assertEquals(0, node.counters().candidatesQueued, "so it is not even a candidate");
        assertNull(node.routingTable().entry(client.self().id()));
        assertInstanceOf(CoreEvent.PingCompleted.class, client.pollEvent(), "but it got its answer");
    }

    @Test
    void aBootstrapPeerWithoutTheWorkIsDroppedAndCountedAsSuch() {
        NodeCore joiner = node(true, BITS);
        NodeCore seed = node(false, BITS);
        joiner.bootstrap(now, List.of(seed.self().withPowNonce(0)));
        drive();
        assertTrue(joiner.counters().powRejectedBootstrap >= 1);
        assertNull(joiner.routingTable().entry(seed.self().id()));
        assertEquals(0, joiner.counters().responsesIn, "its answers are not used");
    }

    @Test
    void aRestoredPeerWithoutTheWorkIsNotRestored() {
        NodeCore node = node(true, BITS);
        Contact honest = TestContacts.withPow(TestContacts.random(random, 0x0b000001), BITS);
        Contact forged = TestContacts.withoutPow(TestContacts.random(random, 0x0b000101), BITS);
        node.addTrustedContact(now, honest, MS);
        node.addTrustedContact(now, forged, MS);
        assertEquals(1, node.counters().powRejectedPeerStore);
        assertNotNull(node.routingTable().entry(honest.id()));
        assertNull(node.routingTable().entry(forged.id()));
    }

    @Test
    void nodesThatShowTheWorkJoinAndPutWithTheirTokens() {
        List<NodeCore> nodes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            nodes.add(node(true, BITS));
        }
        for (int i = 1; i < nodes.size(); i++) {
            nodes.get(i).bootstrap(now, List.of(nodes.get(0).self().withPowNonce(0)));
            drive();
        }
        NodeCore writer = nodes.get(7);
        while (writer.pollEvent() != null) {
            // the joins' events
        }
        writer.startPut(now, "worked for".getBytes(StandardCharsets.UTF_8), 600_000 * MS);
        drive();
        CoreEvent.PutCompleted put = assertInstanceOf(CoreEvent.PutCompleted.class, writer.pollEvent());
        assertTrue(put.stored() > put.attempted() / 2, "reported once a majority stored it: " + put);
        int holders = 0;
        for (NodeCore n : nodes) {
            holders += n.records().get(now, put.key()) != null ? 1 : 0;
        }
        assertTrue(holders >= put.attempted(), "every storer asked took its token: " + holders + " of " + put);
        long rejected = 0;
        long pow = 0;
        for (NodeCore n : nodes) {
            for (long r : n.counters().writeTokenRejected) {
                rejected += r;
            }
            pow += n.counters().powRejectedSender + n.counters().powRejectedFindNode
                    + n.counters().powRejectedBootstrap;
        }
        assertEquals(0, rejected);
        assertEquals(0, pow, "honest nodes never drop each other");
    }
}
