package io.molia.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/** Reservations, circuits, forwarding and every refusal of a relay, driven by hand. */
class RelayTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final NodeId CLIENT = new NodeId(1, 1, 1, 1);
    private static final NodeId DIALER = new NodeId(2, 2, 2, 2);
    private static final NodeAddress CLIENT_AT = NodeAddress.parseIpv4("100.64.3.2:4000");
    private static final NodeAddress DIALER_AT = NodeAddress.parseIpv4("100.64.4.2:31337");
    private final byte[] frame = new byte[200];

    private static Contact contact(NodeId id, NodeAddress at) {
        return new Contact(id, new byte[Contact.PUBLIC_KEY_BYTES], 0, at);
    }

    private static Relay relay(RelayLimits limits) {
        Relay r = new Relay(limits, 42);
        r.onEgressCounter(0, 0);
        r.onEgressCounter(0, 10_000_000); // plenty of egress of its own
        return r;
    }

    private int frame(int circuit) {
        RelayFrame.writeHeader(frame, 0, circuit);
        return frame.length;
    }

    @Test
    void forwardsFramesBothWaysBetweenTheEndsOfACircuit() {
        Relay r = relay(RelayLimits.DEFAULTS);
        assertEquals(3600 * S, r.reserve(0, contact(CLIENT, CLIENT_AT), 0));
        int c = r.connect(S, DIALER, DIALER_AT, CLIENT);
        assertNotEquals(0, c);
        assertEquals(CLIENT_AT, r.onFrame(S, DIALER_AT, frame, 0, frame(c)));
        assertEquals(DIALER_AT, r.onFrame(S, CLIENT_AT, frame, 0, frame(c)));
        assertEquals(2, r.framesRelayed());
        assertEquals(400, r.bytesRelayed());
        Relay.Status s = r.status(S);
        assertEquals(1, s.reservations().size());
        assertEquals(1, s.reservations().get(0).circuits());
        assertEquals(400, s.reservations().get(0).relayedBytes());
        assertEquals(200, s.circuits().get(0).bytesToTarget());
        assertEquals(400, s.relayedBytes());
    }

    @Test
    void strangersAndUnknownCircuitsAreDroppedAndCounted() {
        Relay r = relay(RelayLimits.DEFAULTS);
        r.reserve(0, contact(CLIENT, CLIENT_AT), 0);
        int c = r.connect(0, DIALER, DIALER_AT, CLIENT);
        assertNull(r.onFrame(0, NodeAddress.parseIpv4("192.0.2.66:1"), frame, 0, frame(c)));
        assertEquals(RelayRefusal.NOT_AN_END, r.lastRefusal());
        assertNull(r.onFrame(0, DIALER_AT, frame, 0, frame(c + 1)));
        assertEquals(1, r.refusals(RelayRefusal.UNKNOWN_CIRCUIT));
        assertEquals(0, r.connect(0, DIALER, DIALER_AT, new NodeId(9, 9, 9, 9)));
        assertEquals(RelayRefusal.NO_RESERVATION, r.lastRefusal());
        assertEquals(0, r.framesRelayed());
    }

    @Test
    void reservationCapsTotalAndPerAddress() {
        RelayLimits limits = new RelayLimits(10, 60 * S, 3, 2, 3600 * S, 16, 4, 128 * 1024, 120 * S);
        Relay r = relay(limits);
        assertTrue(r.reserve(0, contact(new NodeId(1, 0, 0, 0), NodeAddress.parseIpv4("100.64.1.2:1")), 0) > 0);
        assertTrue(r.reserve(0, contact(new NodeId(2, 0, 0, 0), NodeAddress.parseIpv4("100.64.1.2:2")), 0) > 0);
        assertEquals(-1, r.reserve(0, contact(new NodeId(3, 0, 0, 0), NodeAddress.parseIpv4("100.64.1.2:3")), 0));
        assertEquals(RelayRefusal.ADDRESS_RESERVATIONS, r.lastRefusal());
        assertTrue(r.reserve(0, contact(new NodeId(4, 0, 0, 0), NodeAddress.parseIpv4("100.64.2.2:1")), 0) > 0);
        assertEquals(-1, r.reserve(0, contact(new NodeId(5, 0, 0, 0), NodeAddress.parseIpv4("100.64.5.2:1")), 0));
        assertEquals(RelayRefusal.RESERVATIONS_FULL, r.lastRefusal());
        // a holder renews (at a new address, its mapping changed) without a new slot
        assertEquals(10 * S + 3600 * S,
                r.reserve(10 * S, contact(new NodeId(1, 0, 0, 0), NodeAddress.parseIpv4("100.64.1.2:9")), 0));
        // an hour on, the first two expired: room again
        assertTrue(r.reserve(3601 * S, contact(new NodeId(5, 0, 0, 0), NodeAddress.parseIpv4("100.64.5.2:1")), 0) > 0);
        assertEquals(2, r.reservations());
    }

    @Test
    void circuitCapsPerPeerAndInAll() {
        RelayLimits limits = new RelayLimits(10, 60 * S, 128, 8, 3600 * S, 3, 2, 128 * 1024, 120 * S);
        Relay r = relay(limits);
        r.reserve(0, contact(CLIENT, CLIENT_AT), 0);
        assertNotEquals(0, r.connect(0, DIALER, DIALER_AT, CLIENT));
        assertNotEquals(0, r.connect(0, DIALER, DIALER_AT, CLIENT));
        assertEquals(0, r.connect(0, DIALER, DIALER_AT, CLIENT));
        assertEquals(RelayRefusal.PEER_CIRCUITS, r.lastRefusal());
        NodeId other = new NodeId(7, 7, 7, 7);
        r.reserve(0, contact(other, NodeAddress.parseIpv4("100.64.7.2:4000")), 0);
        assertNotEquals(0, r.connect(0, new NodeId(8, 8, 8, 8), DIALER_AT, other));
        assertEquals(0, r.connect(0, new NodeId(9, 9, 9, 9), DIALER_AT, other));
        assertEquals(RelayRefusal.CIRCUITS_FULL, r.lastRefusal());
        assertEquals(3, r.openCircuits());
        assertEquals(1, r.status(0).reservations().stream().filter(v -> v.client().equals(CLIENT))
                .findFirst().orElseThrow().refusals());
    }

    @Test
    void circuitsForRequestsToRelayedServersComeFromAPoolOfTheirOwn() {
        RelayLimits limits = new RelayLimits(10, 60 * S, 128, 8, 3600 * S, 3, 2, 128 * 1024, 120 * S);
        Relay r = relay(limits);
        r.reserve(0, contact(CLIENT, CLIENT_AT), 0);
        // DHT requests from many nodes take the client's request circuits up to the per-node cap...
        assertNotEquals(0, r.connect(0, new NodeId(8, 8, 8, 8), DIALER_AT, CLIENT, true));
        assertNotEquals(0, r.connect(0, new NodeId(9, 9, 9, 9), DIALER_AT, CLIENT, true));
        assertEquals(0, r.connect(0, new NodeId(10, 10, 10, 10), DIALER_AT, CLIENT, true));
        assertEquals(RelayRefusal.PEER_CIRCUITS, r.lastRefusal());
        // ...and a connection to it still gets both of its own.
        assertNotEquals(0, r.connect(0, DIALER, DIALER_AT, CLIENT));
        assertNotEquals(0, r.connect(0, DIALER, DIALER_AT, CLIENT));
        assertEquals(0, r.connect(0, DIALER, DIALER_AT, CLIENT));
        assertEquals(4, r.openCircuits());
        assertEquals(4, r.status(0).reservations().get(0).circuits(), "the view counts both pools");
    }

    @Test
    void aCircuitClosesWhenItsBytesOrItsTimeRunOut() {
        RelayLimits limits = new RelayLimits(10, 60 * S, 128, 8, 3600 * S, 16, 4, 450, 120 * S);
        Relay r = relay(limits);
        r.reserve(0, contact(CLIENT, CLIENT_AT), 0);
        int c = r.connect(0, DIALER, DIALER_AT, CLIENT);
        assertEquals(CLIENT_AT, r.onFrame(0, DIALER_AT, frame, 0, frame(c)));
        assertEquals(CLIENT_AT, r.onFrame(0, DIALER_AT, frame, 0, frame(c)));
        assertNull(r.onFrame(0, DIALER_AT, frame, 0, frame(c)), "a third 200 B frame passes 450 B");
        assertEquals(RelayRefusal.CIRCUIT_BYTES, r.lastRefusal());
        assertNull(r.onFrame(0, CLIENT_AT, frame, 0, frame(c)), "closed both ways");
        assertEquals(RelayRefusal.UNKNOWN_CIRCUIT, r.lastRefusal());
        int d = r.connect(S, DIALER, DIALER_AT, CLIENT);
        assertEquals(DIALER_AT, r.onFrame(S, CLIENT_AT, frame, 0, frame(d)));
        assertNull(r.onFrame(121 * S, CLIENT_AT, frame, 0, frame(d)));
        assertEquals(RelayRefusal.CIRCUIT_EXPIRED, r.lastRefusal());
        assertEquals(0, r.openCircuits());
    }

    @Test
    void theBudgetRefusesFramesButKeepsTheCircuit() {
        Relay r = new Relay(RelayLimits.DEFAULTS, 1);
        r.onEgressCounter(0, 0);
        r.onEgressCounter(0, 3_600); // 10 % of (3,600 + 400) = 400: two 200 B frames
        r.reserve(0, contact(CLIENT, CLIENT_AT), 0);
        int c = r.connect(0, DIALER, DIALER_AT, CLIENT);
        assertEquals(CLIENT_AT, r.onFrame(0, DIALER_AT, frame, 0, frame(c)));
        assertEquals(DIALER_AT, r.onFrame(0, CLIENT_AT, frame, 0, frame(c)));
        assertNull(r.onFrame(0, DIALER_AT, frame, 0, frame(c)));
        assertEquals(RelayRefusal.BUDGET, r.lastRefusal());
        assertEquals(1, r.openCircuits());
        Relay.Status s = r.status(0);
        assertEquals(400, s.relayedBytes());
        assertEquals(400, s.limitBytes());
        assertEquals(1, s.refusals()[RelayRefusal.BUDGET.ordinal()]);
    }

    @Test
    void offRefusesEverything() {
        Relay r = relay(RelayLimits.DEFAULTS.withBudgetPercent(0));
        assertEquals(-1, r.reserve(0, contact(CLIENT, CLIENT_AT), 0));
        assertEquals(RelayRefusal.OFF, r.lastRefusal());
        assertEquals(0, r.connect(0, DIALER, DIALER_AT, CLIENT));
        assertEquals(2, r.refusals(RelayRefusal.OFF));
    }

    @Test
    void aFloodFromOneClientStaysWithinTheCapsAndTheBudgetAndOthersAreStillServed() {
        Relay r = new Relay(RelayLimits.DEFAULTS, 3);
        r.onEgressCounter(0, 0);
        r.onEgressCounter(0, 900_000); // 10 % of its egress: 100 KB of frames
        NodeAddress floodAt = NodeAddress.parseIpv4("203.0.113.66:1");
        for (int i = 0; i < 10_000; i++) { // one host: many identities reserving, one identity connecting
            r.reserve(0, contact(new NodeId(100 + i, 0, 0, 0), floodAt), 0);
        }
        assertEquals(8, r.reservations(), "8 reservations per IP address");
        assertEquals(10_000 - 8, r.refusals(RelayRefusal.ADDRESS_RESERVATIONS));
        r.reserve(0, contact(CLIENT, CLIENT_AT), 0);
        int granted = 0;
        for (int i = 0; i < 10_000; i++) {
            granted += r.connect(0, DIALER, DIALER_AT, new NodeId(100 + i % 8, 0, 0, 0)) != 0 ? 1 : 0;
        }
        assertEquals(4, granted, "4 circuits per peer");
        assertEquals(10_000 - 4, r.refusals(RelayRefusal.PEER_CIRCUITS));
        NodeId other = new NodeId(7, 7, 7, 7);
        int c = r.connect(0, other, NodeAddress.parseIpv4("192.0.2.7:4000"), CLIENT);
        assertNotEquals(0, c, "another client is still served");
        int flood = r.status(0).circuits().get(0).id();
        long forwarded = 0;
        for (int i = 0; i < 10_000; i++) {
            forwarded += r.onFrame(0, DIALER_AT, frame, 0, frame(flood)) != null ? 1 : 0;
        }
        Relay.Status s = r.status(0);
        assertTrue(s.relayedBytes() <= s.limitBytes(), s.relayedBytes() + " within " + s.limitBytes());
        assertTrue(s.relayedBytes() <= RelayLimits.DEFAULTS.circuitBytesPerDirection());
        assertEquals(10_000, forwarded + r.refusals(RelayRefusal.BUDGET) + r.refusals(RelayRefusal.CIRCUIT_BYTES)
                + r.refusals(RelayRefusal.UNKNOWN_CIRCUIT), "every frame forwarded or refused, and counted");
    }
}
