package io.molia.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/** RELAY_CLOSE at the relay (only an end frees a circuit, the other end is named) and at an end (the route goes). */
class RelayCloseTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final NodeAddress CLIENT_AT = NodeAddress.parseIpv4("100.64.3.2:4000");
    private static final NodeAddress DIALER_AT = NodeAddress.parseIpv4("100.64.4.2:31337");
    private static final NodeAddress STRANGER_AT = NodeAddress.parseIpv4("100.64.5.2:4000");
    private static final Contact CLIENT = new Contact(new NodeId(1, 1, 1, 1), new byte[32], 0, CLIENT_AT);
    private static final Contact DIALER = new Contact(new NodeId(2, 2, 2, 2), new byte[32], 0, DIALER_AT);
    private final byte[] frame = new byte[200];

    private static Relay relay() {
        Relay r = new Relay(RelayLimits.DEFAULTS, 42);
        r.onEgressCounter(0, 0);
        r.onEgressCounter(0, 10_000_000);
        r.reserve(0, CLIENT, 0);
        return r;
    }

    @Test
    void anEndFreesItsCircuitAtOnceAndTheOtherEndIsNamed() {
        Relay r = relay();
        int c = r.connect(S, DIALER, CLIENT.id(), false);
        assertNotEquals(0, c);
        Relay.Closed closed = r.close(DIALER_AT, c);
        assertNotNull(closed);
        assertEquals(CLIENT, closed.tell(), "the client is told, at the address it reserved from");
        assertEquals(0, r.openCircuits());
        assertEquals(1, r.circuitsClosed());
        RelayFrame.writeHeader(frame, 0, c);
        assertNull(r.onFrame(S, CLIENT_AT, frame, 0, frame.length), "a closed circuit carries nothing");

        int again = r.connect(2 * S, DIALER, CLIENT.id(), false);
        assertEquals(DIALER, r.close(CLIENT_AT, again).tell(), "closed by the client: the dialer is told");
    }

    @Test
    void onlyAnEndMayCloseAndAStrangerIsRefusedAndCounted() {
        Relay r = relay();
        int c = r.connect(S, DIALER, CLIENT.id(), false);
        assertNull(r.close(STRANGER_AT, c), "not an end");
        assertEquals(1, r.refusals(RelayRefusal.NOT_AN_END));
        assertNull(r.close(DIALER_AT, c + 1), "no such circuit");
        assertEquals(1, r.refusals(RelayRefusal.UNKNOWN_CIRCUIT));
        assertEquals(1, r.openCircuits(), "still open");
        assertEquals(0, r.circuitsClosed());
    }

    @Test
    void anEndForgetsTheRouteItsRelayClosed() {
        RelayRoutes routes = new RelayRoutes();
        NodeAddress relayAt = NodeAddress.parseIpv4("198.51.100.1:4000");
        NodeAddress at = routes.add(relayAt, 7, CLIENT.id(), CLIENT_AT, 0, 5, 4);
        assertFalse(routes.onClosed(STRANGER_AT, 7), "only the circuit's relay closes it");
        assertFalse(routes.onClosed(relayAt, 8));
        assertNotNull(routes.route(at));
        assertTrue(routes.onClosed(relayAt, 7));
        assertNull(routes.route(at));
        assertNull(routes.addressOf(CLIENT.id()));
        assertEquals(1, routes.closed());
        assertEquals(1, routes.outcomes().get(0).relayed(), "closed with no punch through: relayed");
    }
}
