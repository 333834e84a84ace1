package io.molia.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.nat.NatType;

/** A circuit's route: punched once, kept for the other end's traffic through the relay, replaced by a new circuit. */
class RelayRoutesTest {
    private static final NodeAddress RELAY = NodeAddress.ipv4(0xc6336401, 4000);
    private static final NodeAddress PEER_SEEN_AT = NodeAddress.ipv4(0x64400302, 4000);
    private static final NodeId PEER = NodeId.fromHex("ab".repeat(32));

    @Test
    void aPunchThatGetsThroughMarksTheRouteDirectOnceAndKeepsIt() {
        RelayRoutes routes = new RelayRoutes();
        NodeAddress at = routes.add(RELAY, 7, PEER, PEER_SEEN_AT, 0, 4, 4);

        assertTrue(routes.onDirect(PEER, PEER_SEEN_AT), "the first direct datagram: the caller answers straight back");
        assertFalse(routes.onDirect(PEER, PEER_SEEN_AT), "later ones change nothing and are not counted again");
        assertEquals(1, routes.upgrades());
        RelayRoutes.Route r = routes.route(at);
        assertNotNull(r, "kept: the other end may still send through the relay until it heard directly");
        assertTrue(r.direct().get());
        assertEquals(at, routes.inbound(RELAY, 7), "frames from the relay on it still arrive");
    }

    @Test
    void aNewCircuitToThePeerIsTheOneItsAddressNamesAndPunchesAgain() {
        RelayRoutes routes = new RelayRoutes();
        NodeAddress first = routes.add(RELAY, 7, PEER, PEER_SEEN_AT, 0, 4, 4);
        routes.onDirect(PEER, PEER_SEEN_AT);
        NodeAddress second = routes.add(RELAY, 8, PEER, PEER_SEEN_AT, 1, 4, 4);

        assertNotEquals(first, second);
        assertEquals(second, routes.addressOf(PEER));
        assertFalse(routes.route(second).direct().get());
        assertTrue(routes.onDirect(PEER, PEER_SEEN_AT), "the new circuit's punch counts on its own");
        assertEquals(2, routes.upgrades());
        assertNull(routes.addressOf(NodeId.fromHex("cd".repeat(32))), "no circuit to a peer never connected");
    }

    @Test
    void outcomesAreCountedByPairOfNatTypesPunchedAtOnceRelayedWhenTheCircuitCloses() {
        RelayRoutes routes = new RelayRoutes();
        NodeId other = NodeId.fromHex("cd".repeat(32));
        routes.add(RELAY, 7, PEER, PEER_SEEN_AT, 0, NatType.PORT_RESTRICTED.ordinal(),
                NatType.ADDRESS_RESTRICTED.ordinal());
        routes.add(RELAY, 8, other, PEER_SEEN_AT, 0, NatType.PORT_RESTRICTED.ordinal(), NatType.SYMMETRIC.ordinal());
        routes.onDirect(PEER, PEER_SEEN_AT);
        assertEquals(List.of(new RelayRoutes.PunchOutcomes(NatType.PORT_RESTRICTED, NatType.ADDRESS_RESTRICTED, 1, 0)),
                routes.outcomes(), "the symmetric peer's circuit is still open: no outcome yet");

        routes.expire(RelayLimits.DEFAULTS.circuitNs(), RelayLimits.DEFAULTS.circuitNs());
        assertEquals(List.of(new RelayRoutes.PunchOutcomes(NatType.PORT_RESTRICTED, NatType.ADDRESS_RESTRICTED, 1, 0),
                new RelayRoutes.PunchOutcomes(NatType.PORT_RESTRICTED, NatType.SYMMETRIC, 0, 1)), routes.outcomes(),
                "a closed circuit with no punch through is relayed; a punched one is not counted twice");
        // what molia_relay_punched_total / molia_relay_unpunched_total{pair} read
        assertEquals(1, routes.outcome(NatType.PORT_RESTRICTED, NatType.ADDRESS_RESTRICTED, true));
        assertEquals(0, routes.outcome(NatType.PORT_RESTRICTED, NatType.ADDRESS_RESTRICTED, false));
        assertEquals(1, routes.outcome(NatType.PORT_RESTRICTED, NatType.SYMMETRIC, false));
        assertEquals(0, routes.outcome(NatType.SYMMETRIC, NatType.PORT_RESTRICTED, false), "pairs are ordered");
    }

    @Test
    void aNatTypeOutOfRangeCountsAsUnknown() {
        RelayRoutes routes = new RelayRoutes();
        routes.add(RELAY, 7, PEER, PEER_SEEN_AT, 0, NatType.SYMMETRIC.ordinal(), 99);
        routes.onDirect(PEER, PEER_SEEN_AT);
        assertEquals(List.of(new RelayRoutes.PunchOutcomes(NatType.SYMMETRIC, NatType.UNKNOWN, 1, 0)),
                routes.outcomes());
    }

    @Test
    void aDirectDatagramFromAPeerWithNoRouteIsNoUpgrade() {
        RelayRoutes routes = new RelayRoutes();
        assertFalse(routes.onDirect(PEER, PEER_SEEN_AT));
        routes.add(RELAY, 7, PEER, PEER_SEEN_AT, 0, 4, 4);
        routes.expire(RelayLimits.DEFAULTS.circuitNs(), RelayLimits.DEFAULTS.circuitNs());
        assertFalse(routes.onDirect(PEER, PEER_SEEN_AT), "its circuit closed: nothing to upgrade");
        assertNull(routes.addressOf(PEER));
        assertEquals(0, routes.upgrades());
    }
}
