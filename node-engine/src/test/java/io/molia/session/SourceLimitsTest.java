package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.molia.contact.NodeAddress;
import org.junit.jupiter.api.Test;

/**
 * The three limiters in their order (address, then /24 or /48, then AS): each refusal is counted by the limiter that
 * said no. The session layer around them is driven in {@code HandshakeAdmissionTest} and on a live node in
 * {@code LookupsAndHandshakesTest}.
 */
class SourceLimitsTest {
    private final SessionCounters counters = new SessionCounters();
    private final SourceLimits limits = new SourceLimits(counters);
    private final long now = 7_000_000_000L;

    private int allowed(List<NodeAddress> from) {
        int n = 0;
        for (NodeAddress a : from) {
            if (limits.allow(now, a)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void oneAddressGetsItsBurst() {
        NodeAddress a = NodeAddress.ipv4(0x0b000001, 1);
        assertEquals(SourceLimits.IP_BURST, allowed(java.util.Collections.nCopies(SourceLimits.IP_BURST + 3, a)));
        assertEquals(3, counters.rateLimitedIp);
        assertEquals(3, counters.silentDrops());
    }

    @Test
    void oneSlash24GetsItsBurstWhateverTheAddressesItSendsFrom() {
        List<NodeAddress> hosts = new java.util.ArrayList<>();
        for (int i = 1; i <= SourceLimits.PREFIX_BURST + 10; i++) {
            hosts.add(NodeAddress.ipv4(0x0b000000 | i, 1)); // 11.0.0.1..35, once each
        }
        assertEquals(SourceLimits.PREFIX_BURST, allowed(hosts));
        assertEquals(10, counters.rateLimitedPrefix);
        assertEquals(0, counters.rateLimitedIp);
        assertTrue(limits.allow(now, NodeAddress.ipv4(0x0b000101, 1)), "the next /24 has its own bucket");
    }

    @Test
    void oneIpv6Slash48IsOneNetworkAndOneSlash64IsOneAddress() {
        List<NodeAddress> sameSlash64 = new java.util.ArrayList<>();
        for (int i = 0; i < SourceLimits.IP_BURST + 1; i++) {
            sameSlash64.add(NodeAddress.ipv6(0x2001_0db8_0001_0002L, i, 1));
        }
        assertEquals(SourceLimits.IP_BURST, allowed(sameSlash64));
        assertEquals(1, counters.rateLimitedIp);
        List<NodeAddress> sameSlash48 = new java.util.ArrayList<>();
        for (int i = 0; i < SourceLimits.PREFIX_BURST; i++) {
            sameSlash48.add(NodeAddress.ipv6(0x2001_0db8_0001_0100L + i, 1, 1));
        }
        assertEquals(SourceLimits.PREFIX_BURST - SourceLimits.IP_BURST, allowed(sameSlash48));
        assertEquals(SourceLimits.IP_BURST, counters.rateLimitedPrefix);
    }

    @Test
    void oneAutonomousSystemGetsItsBurstAcrossItsNetworksAndUnknownSpaceIsNotLimitedByIt() {
        limits.setAsnTable(AsnTable.parse(List.of("11.0.0.0\t11.255.255.255\t64500\tZZ\tTEST"), "t"));
        List<NodeAddress> networks = new java.util.ArrayList<>();
        for (int i = 0; i < SourceLimits.ASN_BURST + 5; i++) {
            networks.add(NodeAddress.ipv4(0x0b000000 | i << 8 | 1, 1)); // one address in each of 105 /24s
        }
        assertEquals(SourceLimits.ASN_BURST, allowed(networks));
        assertEquals(5, counters.rateLimitedAsn);
        assertEquals(0, counters.rateLimitedIp + counters.rateLimitedPrefix);
        assertTrue(limits.allow(now, NodeAddress.ipv4(0x0c000001, 1)), "12.0.0.1: no known AS");
    }

    @Test
    void everyRefusalCountsItsNetworkAndAutonomousSystemAmongTheMostLimited() {
        limits.setAsnTable(AsnTable.parse(List.of("11.0.0.0\t11.255.255.255\t64500\tZZ\tTEST"), "t"));
        NodeAddress a = NodeAddress.ipv4(0x0b000001, 1);
        allowed(java.util.Collections.nCopies(SourceLimits.IP_BURST + 3, a));
        allowed(java.util.Collections.nCopies(SourceLimits.IP_BURST + 1, NodeAddress.ipv4(0x0c000001, 1)));
        assertEquals(List.of(new TopSources.Hits(a.subnetKey(), 3, 0),
                new TopSources.Hits(NodeAddress.ipv4(0x0c000001, 1).subnetKey(), 1, 0)),
                counters.limitedPrefixes.top(10));
        assertEquals(List.of(new TopSources.Hits(64500, 3, 0)), counters.limitedAsns.top(10),
                "12.0.0.1 is in no known AS");
    }

    @Test
    void aLimiterTableFullOfSourcesEvictsAndCounts() {
        for (int i = 0; i < SourceLimits.IP_SLOTS * 2; i++) {
            limits.allow(now + i * 1_000_000_000L, NodeAddress.ipv4(0x0c000000 + i * 256, 1)); // a new /24 each
        }
        assertTrue(counters.rateLimitEvictionsIp > 0 && counters.rateLimitEvictionsPrefix > 0,
                counters.rateLimitEvictionsIp + " " + counters.rateLimitEvictionsPrefix);
        assertEquals(0, counters.silentDrops(), "a second apart: nothing limited");
    }
}
