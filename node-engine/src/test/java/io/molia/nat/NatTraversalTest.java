package io.molia.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/** The classification, the DHT role and the learned keepalive, driven by hand (no sockets, no clock). */
class NatTraversalTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final NodeAddress INSIDE = NodeAddress.parseIpv4("10.0.1.2:4000");
    private static final NodeAddress MAPPED = NodeAddress.parseIpv4("203.0.113.9:4000");
    private final Contact a = peer(1, "198.51.100.1:4000");
    private final Contact b = peer(2, "198.51.100.2:4000");
    private final NatTraversal nat = new NatTraversal(List.of(INSIDE), new SplittableRandom(7), new DhtRole(), 0);

    private static Contact peer(int n, String address) {
        byte[] key = new byte[Contact.PUBLIC_KEY_BYTES];
        key[0] = (byte) n;
        return new Contact(new NodeId(n, n, n, n), key, 0, NodeAddress.parseIpv4(address));
    }

    private List<NatTraversal.Request> drain() {
        List<NatTraversal.Request> out = new ArrayList<>();
        NatTraversal.Request r;
        while ((r = nat.pollRequest()) != null) {
            out.add(r);
        }
        return out;
    }

    private NatTraversal.Request dialBack(List<NatTraversal.Request> requests, DialBackMode mode) {
        for (NatTraversal.Request r : requests) {
            if (r.mode() == mode) {
                return r;
            }
        }
        return null;
    }

    /** Two observers agree on MAPPED; the timer then asks both kinds of dial-back, each of a peer that observed. */
    private List<NatTraversal.Request> consistentMappingThenProbes() {
        nat.onObserved(0, a, MAPPED);
        nat.onObserved(0, b, MAPPED);
        assertEquals(NatType.UNKNOWN, nat.type(), "a mapping alone does not say how the NAT filters");
        nat.onTimer(0, List.of(a, b));
        List<NatTraversal.Request> requests = drain();
        assertNotNull(dialBack(requests, DialBackMode.OTHER_PORT), requests.toString());
        assertNotNull(dialBack(requests, DialBackMode.OTHER_ADDRESS), requests.toString());
        return requests;
    }

    @Test
    void seenAtItsOwnAddressIsOpenAndAServer() {
        nat.onObserved(0, a, INSIDE);
        nat.onObserved(0, b, INSIDE);
        assertEquals(NatType.OPEN, nat.type());
        assertFalse(nat.role().client());
        nat.onTimer(0, List.of(a, b));
        assertTrue(drain().isEmpty(), "an open node asks no probes and keeps nothing alive");
        assertEquals(0, nat.keepaliveIntervalNs());
    }

    @Test
    void aDualStackNodeSeenAtItsIpv4AndItsIpv6AddressIsOpen() {
        NodeAddress v6 = NodeAddress.ipv6(0, 1, 4000);
        NatTraversal dual = new NatTraversal(List.of(INSIDE, v6), new SplittableRandom(7), new DhtRole(), 0);
        dual.onObserved(0, a, INSIDE);
        dual.onObserved(0, b, v6);
        assertEquals(NatType.OPEN, dual.type(), "two families, two addresses: not a symmetric NAT");
        assertFalse(dual.role().client());
    }

    @Test
    void aPeerOnTheSameLanSeesTheNodeUntranslatedAndSaysNothingOfTheNat() {
        Contact lan = peer(3, "10.0.1.7:4000");
        nat.onObserved(0, lan, INSIDE);
        nat.onObserved(0, a, MAPPED);
        nat.onObserved(0, b, MAPPED);
        assertEquals(NatType.UNKNOWN, nat.type(), "not symmetric: the LAN peer is on this side of the NAT");
        nat.onTimer(0, List.of(lan, a, b));
        for (NatTraversal.Request r : drain()) {
            assertFalse(r.peer().id().equals(lan.id()), "the LAN peer is not asked to probe the NAT: " + r);
        }
    }

    @Test
    void anIpv4AndAnIpv6MappingDoNotDisagree() {
        nat.onObserved(0, a, MAPPED);
        nat.onObserved(0, b, NodeAddress.ipv6(0x20010db8_00000000L, 9, 4000));
        nat.onTimer(0, List.of(a, b));
        assertEquals(NatType.UNKNOWN, nat.type(), "consistent per family: the filtering is probed next");
        assertNotNull(dialBack(drain(), DialBackMode.OTHER_PORT));
    }

    @Test
    void twoObserversSeeingDifferentPortsMeanASymmetricNatAndAClient() {
        nat.onObserved(0, a, MAPPED);
        nat.onObserved(0, b, NodeAddress.parseIpv4("203.0.113.9:4001"));
        assertEquals(NatType.SYMMETRIC, nat.type());
        assertTrue(nat.role().client());
        assertEquals(DhtRole.FEATURE_CLIENT, nat.role().features());
    }

    @Test
    void aProbeFromAnAddressNeverContactedMeansAFullCone() {
        List<NatTraversal.Request> requests = consistentMappingThenProbes();
        NatTraversal.Request other = dialBack(requests, DialBackMode.OTHER_ADDRESS);
        nat.onDialBackAnswer(S / 10, other.nonce(), true);
        assertTrue(nat.onProbe(S / 5, NodeAddress.parseIpv4("198.51.100.101:50000"), other.nonce()));
        assertEquals(NatType.FULL_CONE, nat.type());
        assertFalse(nat.role().client(), "reachable: a server");
    }

    @Test
    void onlyTheOtherPortProbeArrivingMeansAddressRestricted() {
        List<NatTraversal.Request> requests = consistentMappingThenProbes();
        for (NatTraversal.Request r : requests) {
            nat.onDialBackAnswer(S / 10, r.nonce(), true);
        }
        assertTrue(nat.onProbe(S / 5, NodeAddress.parseIpv4("198.51.100.1:50000"),
                dialBack(requests, DialBackMode.OTHER_PORT).nonce()));
        assertEquals(NatType.UNKNOWN, nat.type(), "the other-address probe may still come");
        nat.onTimer(NatTraversal.PROBE_TIMEOUT_NS + S, List.of(a, b));
        assertEquals(NatType.ADDRESS_RESTRICTED, nat.type());
        assertTrue(nat.role().client());
        assertEquals(1, nat.counters().probesFailed);
    }

    @Test
    void neitherProbeArrivingMeansPortRestricted() {
        List<NatTraversal.Request> requests = consistentMappingThenProbes();
        for (NatTraversal.Request r : requests) {
            nat.onDialBackAnswer(S / 10, r.nonce(), true);
        }
        nat.onTimer(NatTraversal.PROBE_TIMEOUT_NS + S, List.of(a, b));
        assertEquals(NatType.PORT_RESTRICTED, nat.type());
        assertTrue(nat.role().client());
    }

    @Test
    void aDeclinedDialBackIsAskedOfAnotherObserverAndEveryoneDecliningCountsAsNoServer() {
        List<NatTraversal.Request> requests = consistentMappingThenProbes();
        NatTraversal.Request other = dialBack(requests, DialBackMode.OTHER_ADDRESS);
        nat.onDialBackAnswer(S / 10, dialBack(requests, DialBackMode.OTHER_PORT).nonce(), true);
        nat.onDialBackAnswer(S / 10, other.nonce(), false);
        nat.onTimer(S, List.of(a, b));
        NatTraversal.Request retry = dialBack(drain(), DialBackMode.OTHER_ADDRESS);
        assertNotNull(retry, "asked of the other observer");
        assertFalse(retry.peer().id().equals(other.peer().id()));
        nat.onDialBackAnswer(S + S / 10, retry.nonce(), false);
        nat.onTimer(2 * S, List.of(a, b));
        assertNull(dialBack(drain(), DialBackMode.OTHER_ADDRESS), "no observer left to ask");
        assertEquals(NatTraversal.Outcome.NO_SERVER, nat.status(2 * S).otherAddressProbe());
        nat.onTimer(NatTraversal.PROBE_TIMEOUT_NS + S, List.of(a, b));
        assertEquals(NatType.PORT_RESTRICTED, nat.type());
        assertEquals(2, nat.counters().dialBacksRefused);
    }

    @Test
    void aProbeWithANonceNeverGivenIsCountedAndChangesNothing() {
        consistentMappingThenProbes();
        assertFalse(nat.onProbe(S, NodeAddress.parseIpv4("192.0.2.66:6666"), 12345));
        assertEquals(1, nat.counters().probesUnknown);
        assertEquals(NatType.UNKNOWN, nat.type());
    }

    @Test
    void tooFewObserversAreFoundByPingingPeersOfTheTable() {
        nat.onObserved(0, a, MAPPED);
        nat.onTimer(0, List.of(a, b));
        List<NatTraversal.Request> requests = drain();
        assertEquals(1, requests.size(), requests.toString());
        assertNull(requests.get(0).mode(), "a ping");
        assertEquals(b.id(), requests.get(0).peer().id());
        nat.onTimer(2 * S, List.of(a, b));
        assertTrue(drain().isEmpty(), "each peer is asked once");
    }

    @Test
    void theKeepaliveGapGrowsWhileTheMappingSurvivesAndSettlesBelowTheGapItDidNot() {
        nat.onObserved(0, a, MAPPED);
        nat.onObserved(0, b, NodeAddress.parseIpv4("203.0.113.9:4001")); // symmetric: a NAT, no probes needed
        assertEquals(NatTraversal.FIRST_KEEPALIVE_NS, nat.keepaliveIntervalNs());
        long t = NatTraversal.FIRST_KEEPALIVE_NS;
        nat.onTimer(t, List.of(a, b));
        List<NatTraversal.Request> requests = drain();
        assertEquals(1, requests.size());
        assertEquals(a.id(), requests.get(0).peer().id(), "the first observer keeps the mapping alive");
        nat.onObserved(t + S / 10, a, MAPPED);
        assertEquals(15 * S, nat.mappingLifetimeAtLeastNs());
        assertEquals(30 * S, nat.keepaliveIntervalNs(), "survived 15 s: the gap doubles");
        t += 30 * S;
        nat.onTimer(t, List.of(a, b));
        assertEquals(1, drain().size());
        nat.onObserved(t + S / 10, a, NodeAddress.parseIpv4("203.0.113.9:4100")); // a new mapping: 30 s was too long
        assertEquals(15 * S, nat.keepaliveIntervalNs(), "settles at the longest gap that survived, below 30 s");
        assertEquals(1, nat.counters().mappingChanges);
        assertEquals(2, nat.counters().keepalivesSent);
    }
}
