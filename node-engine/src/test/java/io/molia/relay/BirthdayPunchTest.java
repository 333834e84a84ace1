package io.molia.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.nat.NatType;

/** Which circuits ask for a birthday punch, once each, and the probe's shape. */
class BirthdayPunchTest {
    private static final NodeAddress RELAY = NodeAddress.ipv4(0xc6336401, 4000);
    private static final NodeAddress PEER_SEEN_AT = NodeAddress.ipv4(0x64400302, 4000);
    private static final NodeId PEER = NodeId.fromHex("ab".repeat(32));
    private static final int SYMMETRIC = NatType.SYMMETRIC.ordinal();
    private static final int PORT_RESTRICTED = NatType.PORT_RESTRICTED.ordinal();

    @Test
    void onlyASymmetricNatAgainstAPortRestrictedOneAsksAndEachEndPlaysItsPart() {
        assertEquals(BirthdayPunch.Kind.OPEN, BirthdayPunch.kindFor(SYMMETRIC, PORT_RESTRICTED));
        assertEquals(BirthdayPunch.Kind.SPRAY, BirthdayPunch.kindFor(PORT_RESTRICTED, SYMMETRIC));
        assertNull(BirthdayPunch.kindFor(SYMMETRIC, SYMMETRIC), "two random mappings: no spray can meet them");
        assertNull(BirthdayPunch.kindFor(SYMMETRIC, NatType.ADDRESS_RESTRICTED.ordinal()), "punches anyway");
        assertNull(BirthdayPunch.kindFor(PORT_RESTRICTED, PORT_RESTRICTED), "punches anyway");
        assertNull(BirthdayPunch.kindFor(SYMMETRIC, NatType.UNKNOWN.ordinal()));
    }

    @Test
    void aCircuitAsksTheDriverOnceAtItsFirstPunchWithTheCircuitsNonce() {
        RelayRoutes routes = new RelayRoutes();
        routes.add(RELAY, 7, PEER, PEER_SEEN_AT, 0, SYMMETRIC, PORT_RESTRICTED);
        RelayRoutes.Route route = routes.route(RelayRoutes.relayedAddress(RELAY, 7));

        routes.onFirstPunch(route);
        routes.onFirstPunch(route);
        BirthdayPunch asked = routes.pollBirthday();
        assertEquals(new BirthdayPunch(BirthdayPunch.Kind.OPEN, PEER, PEER_SEEN_AT, BirthdayPunch.nonceOf(7)), asked);
        assertNull(routes.pollBirthday(), "once per circuit");

        routes.add(RELAY, 8, PEER, PEER_SEEN_AT, 0, PORT_RESTRICTED, PORT_RESTRICTED);
        routes.onFirstPunch(routes.route(RelayRoutes.relayedAddress(RELAY, 8)));
        assertNull(routes.pollBirthday(), "a pair that punches without one asks nothing");
    }

    @Test
    void aProbeCarriesItsNonceAndOnlyItsShapeIsOne() {
        byte[] probe = new byte[BirthdayPunch.BYTES];
        BirthdayPunch.write(probe, 0, BirthdayPunch.nonceOf(0xdead_beef));
        assertTrue(BirthdayPunch.isProbe(probe, 0, probe.length));
        assertEquals(BirthdayPunch.nonceOf(0xdead_beef), BirthdayPunch.nonceOf(probe, 0));
        assertFalse(BirthdayPunch.nonceOf(1) == BirthdayPunch.nonceOf(2), "each circuit its own nonce");
        assertFalse(BirthdayPunch.isProbe(probe, 0, probe.length - 1), "its length exactly");
        probe[0] = 0x52;
        assertFalse(BirthdayPunch.isProbe(probe, 0, probe.length), "a dial-back probe is not one");
    }
}
