package io.molia.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.molia.contact.NodeAddress;
import io.molia.nat.NatType;
import org.junit.jupiter.api.Test;

/** What each simulated NAT maps and lets in (RFC 4787 behaviours), and how its mappings idle out. */
class SimulatedNatTest {
    private static final long S = 1_000_000_000L;
    private static final int EXTERNAL = 0xC633_6401; // 198.51.100.1
    private static final NodeAddress PEER = NodeAddress.parseIpv4("203.0.113.5:4000");
    private static final NodeAddress PEER_OTHER_PORT = NodeAddress.parseIpv4("203.0.113.5:4001");
    private static final NodeAddress STRANGER = NodeAddress.parseIpv4("192.0.2.9:4000");

    private static SimulatedNat nat(NatType type) {
        return new SimulatedNat(type, EXTERNAL, 4000, 30 * S);
    }

    @Test
    void fullConeLetsAnyoneInOnItsMapping() {
        SimulatedNat nat = nat(NatType.FULL_CONE);
        assertFalse(nat.admits(0, 4000, STRANGER), "no mapping before the node sent anything");
        NodeAddress mapped = nat.outbound(0, PEER);
        assertEquals(NodeAddress.ipv4(EXTERNAL, 4000), mapped, "port-preserving");
        assertEquals(mapped, nat.outbound(S, STRANGER), "one mapping for every destination");
        assertTrue(nat.admits(2 * S, 4000, NodeAddress.parseIpv4("198.18.0.1:9")));
        assertFalse(nat.admits(2 * S, 4001, PEER), "another port is not mapped");
    }

    @Test
    void addressRestrictedLetsInOnlyHostsTheNodeSentTo() {
        SimulatedNat nat = nat(NatType.ADDRESS_RESTRICTED);
        nat.outbound(0, PEER);
        assertTrue(nat.admits(S, 4000, PEER));
        assertTrue(nat.admits(S, 4000, PEER_OTHER_PORT), "any port of that host");
        assertFalse(nat.admits(S, 4000, STRANGER));
        assertEquals(1, nat.filtered());
    }

    @Test
    void portRestrictedLetsInOnlyTheExactEndpoint() {
        SimulatedNat nat = nat(NatType.PORT_RESTRICTED);
        nat.outbound(0, PEER);
        assertTrue(nat.admits(S, 4000, PEER));
        assertFalse(nat.admits(S, 4000, PEER_OTHER_PORT));
        assertFalse(nat.admits(S, 4000, STRANGER));
    }

    @Test
    void symmetricMapsEachDestinationOnItsOwnPortWhichOnlyItMayAnswer() {
        SimulatedNat nat = nat(NatType.SYMMETRIC);
        NodeAddress toPeer = nat.outbound(0, PEER);
        NodeAddress toStranger = nat.outbound(0, STRANGER);
        assertNotEquals(toPeer, toStranger);
        assertEquals(toPeer, nat.outbound(S, PEER), "the same destination keeps its mapping");
        assertTrue(nat.admits(S, toPeer.port(), PEER));
        assertFalse(nat.admits(S, toPeer.port(), STRANGER), "the stranger's own mapping is another port");
        assertFalse(nat.admits(S, toPeer.port(), PEER_OTHER_PORT));
        assertNull(nat.mapped(S), "no one address for everyone");
    }

    @Test
    void anIdleMappingExpiresAndComesBackOnANewPort() {
        SimulatedNat nat = nat(NatType.FULL_CONE);
        nat.outbound(0, PEER);
        assertTrue(nat.admits(30 * S, 4000, STRANGER), "alive up to the timeout");
        assertFalse(nat.admits(31 * S, 4000, STRANGER), "idle past it: forgotten");
        NodeAddress renewed = nat.outbound(31 * S, PEER);
        assertNotEquals(4000, renewed.port(), "a new mapping");
        assertTrue(nat.admits(32 * S, renewed.port(), STRANGER));
        assertFalse(nat.admits(32 * S, 4000, STRANGER));

        SimulatedNat restricted = nat(NatType.PORT_RESTRICTED);
        restricted.outbound(0, PEER);
        restricted.outbound(20 * S, STRANGER); // keeps the mapping alive, but PEER's permission ages
        assertTrue(restricted.admits(40 * S, 4000, STRANGER));
        assertFalse(restricted.admits(40 * S, 4000, PEER), "the node has not sent to it for 40 s");
    }

    @Test
    void onlyTheFourNatTypesAreModelled() {
        assertThrows(IllegalArgumentException.class, () -> nat(NatType.OPEN));
        assertThrows(IllegalArgumentException.class, () -> nat(NatType.UNKNOWN));
    }

    @Test
    void theMixIsFourPercentagesThatSumTo100() {
        NatMix mix = NatMix.parse(0.6, NatMix.DEFAULT_MIX, 30);
        assertEquals(50, mix.portRestricted());
        assertThrows(IllegalArgumentException.class, () -> NatMix.parse(0.6, "10/20/50", 30));
        assertThrows(IllegalArgumentException.class, () -> NatMix.parse(0.6, "10/20/50/30", 30));
        assertThrows(IllegalArgumentException.class, () -> NatMix.parse(0.6, "10/x/50/20", 30));
        assertThrows(IllegalArgumentException.class, () -> NatMix.parse(1.5, NatMix.DEFAULT_MIX, 30));
        assertThrows(IllegalArgumentException.class, () -> NatMix.parse(0.6, NatMix.DEFAULT_MIX, 0));
    }
}
