package io.molia.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/** The circuits a core opens to relayed servers: one per peer, at most eight, kept to their lifetime, bounded waits. */
class RelayCircuitsTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final long LIFETIME = RelayLimits.DEFAULTS.circuitNs();
    private static final NodeAddress RELAY_AT = NodeAddress.parseIpv4("198.51.100.1:4000");
    private static final Contact RELAY = new Contact(new NodeId(9, 9, 9, 9), new byte[32], 0, RELAY_AT);
    private final byte[] request = {1, 2, 3};

    private static Contact peer(int n) {
        return new Contact(new NodeId(n, n, n, n), new byte[32], 0, NodeAddress.parseIpv4("100.64." + n + ".2:4000"))
                .withRelay(RELAY);
    }

    @Test
    void theFirstRequestAsksForACircuitAndLaterOnesWaitThenLeaveThroughIt() {
        RelayCircuits c = new RelayCircuits(new RelayRoutes(), LIFETIME);
        assertEquals(RelayCircuits.Next.CONNECT, c.onRequest(0, peer(1), request, 3));
        c.onConnectSent(peer(1).id(), 77);
        assertEquals(RelayCircuits.Next.WAIT, c.onRequest(S, peer(1), request, 3));
        assertTrue(c.asked(77));
        RelayCircuits.Granted g = c.onAnswer(2 * S, RELAY_AT, 77, 0x1234, 0, peer(1).address(), 4, 5);
        assertNotNull(g);
        assertEquals(2, g.waiting().size(), "both waiting requests leave");
        assertTrue(RelayRoutes.isRelayed(g.peerAt().address()));
        assertNull(g.peerAt().relay(), "sent to the circuit's relayed address, not through the relay again");
        assertEquals(RelayCircuits.Next.SEND, c.onRequest(3 * S, peer(1), request, 3));
        assertEquals(g.peerAt().address(), c.relayedAddress());
        assertEquals(1, c.opened());
    }

    @Test
    void atMostEightCircuitsAndTheNinthPeerIsNotSent() {
        RelayCircuits c = new RelayCircuits(new RelayRoutes(), LIFETIME);
        for (int n = 1; n <= RelayCircuits.MAX_CIRCUITS; n++) {
            assertEquals(RelayCircuits.Next.CONNECT, c.onRequest(0, peer(n), request, 3));
        }
        assertEquals(RelayCircuits.Next.FULL, c.onRequest(0, peer(99), request, 3));
        assertEquals(1, c.full());
        assertEquals(RelayCircuits.MAX_CIRCUITS, c.circuits());
    }

    @Test
    void aRefusalOrAFailureForgetsTheCircuitAndTheLifetimeEndsIt() {
        RelayCircuits c = new RelayCircuits(new RelayRoutes(), LIFETIME);
        c.onRequest(0, peer(1), request, 3);
        c.onConnectSent(peer(1).id(), 1);
        assertNull(c.onAnswer(S, RELAY_AT, 1, 0, RelayClient.code(RelayRefusal.NO_RESERVATION), null, 0, 0));
        assertEquals(1, c.refused());
        assertEquals(0, c.circuits(), "refused: nothing kept, its requests fail at their timeouts");

        c.onRequest(2 * S, peer(2), request, 3);
        c.onConnectSent(peer(2).id(), 2);
        assertNotNull(c.onAnswer(3 * S, RELAY_AT, 2, 0x55, 0, null, 0, 0));
        c.onFailure(peer(2).id());
        assertEquals(RelayCircuits.Next.CONNECT, c.onRequest(4 * S, peer(2), request, 3), "a new circuit");
        c.onConnectSent(peer(2).id(), 3);
        assertNotNull(c.onAnswer(5 * S, RELAY_AT, 3, 0x56, 0, null, 0, 0));
        assertEquals(RelayCircuits.Next.SEND, c.onRequest(5 * S + LIFETIME - 11 * S, peer(2), request, 3),
                "used while the relay still holds it");
        assertEquals(RelayCircuits.Next.CONNECT, c.onRequest(5 * S + LIFETIME - 9 * S, peer(2), request, 3),
                "10 s short of its lifetime the relay is about to close it: another is asked for");
    }
}
