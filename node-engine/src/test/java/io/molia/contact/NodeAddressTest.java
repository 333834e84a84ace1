package io.molia.contact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NodeAddressTest {
    @Test
    void ipv6IsWrittenInTheRfc5952FormWithBrackets() {
        assertEquals("[::1]:4000", NodeAddress.ipv6(0, 1, 4000).toString());
        assertEquals("[::]:4000", NodeAddress.ipv6(0, 0, 4000).toString());
        assertEquals("[2001:db8::7]:4000", NodeAddress.ipv6(0x2001_0db8_0000_0000L, 7, 4000).toString());
        assertEquals("2001:db8:0:1:1:1:1:1", NodeAddress.ipv6(0x2001_0db8_0000_0001L, 0x0001_0001_0001_0001L, 1)
                .hostText(), "a lone zero group is not shortened");
        assertEquals("2001:0:0:1::1", NodeAddress.ipv6(0x2001_0000_0000_0001L, 1, 1).hostText(),
                "the longest run of zeros is the one shortened");
        assertEquals("2001:db8::1:0:0:1", NodeAddress.ipv6(0x2001_0db8_0000_0000L, 0x0001_0000_0000_0001L, 1)
                .hostText(), "of equal runs, the first");
        assertEquals("fe80::", NodeAddress.ipv6(0xfe80_0000_0000_0000L, 0, 1).hostText());
        assertEquals("203.0.113.7:4000", NodeAddress.parseIpv4("203.0.113.7:4000").toString());
    }

    @Test
    void anIpv4MappedAddressIsTheIpv4Address() {
        NodeAddress v4 = NodeAddress.parseIpv4("192.0.2.1:4000");
        NodeAddress mapped = NodeAddress.ipv6(0, 0x0000_ffff_c000_0201L, 4000);
        assertEquals(v4, mapped);
        assertEquals(v4.hashCode(), mapped.hashCode());
        assertTrue(mapped.isIpv4());
        assertEquals(NodeAddress.IPV4_WIRE_BYTES, mapped.wireLength());
        assertEquals(v4.subnetKey(), mapped.subnetKey(), "one /24 for limits and bans");
        assertEquals("192.0.2.1:4000", mapped.toString());
    }

    @Test
    void subnetsAreTheIpv4Slash24AndTheIpv6Slash48() {
        NodeAddress a = NodeAddress.ipv6(0x2001_0db8_0001_0002L, 1, 4000);
        NodeAddress sameSlash48 = NodeAddress.ipv6(0x2001_0db8_0001_ffffL, 2, 4001);
        NodeAddress otherSlash48 = NodeAddress.ipv6(0x2001_0db8_0002_0002L, 1, 4000);
        assertEquals(a.subnetKey(), sameSlash48.subnetKey());
        assertNotEquals(a.subnetKey(), otherSlash48.subnetKey());
        assertEquals(NodeAddress.ipv6SubnetKey(0x2001_0db8_0001L), a.subnetKey());
        assertEquals("2001:db8:1::/48", NodeAddress.subnetText(a.subnetKey()));
        assertEquals("192.0.2.0/24", NodeAddress.subnetText(NodeAddress.parseIpv4("192.0.2.77:1").subnetKey()));
        assertFalse(NodeAddress.subnetText(NodeAddress.ipv6(0, 1, 1).subnetKey()).contains("."),
                "::1 is not mistaken for an IPv4 /24");
    }

    @Test
    void ipv6WireFormRoundTrips() {
        NodeAddress a = NodeAddress.ipv6(0x2001_0db8_0000_0000L, 0xdead_beef_0000_0001L, 65_535);
        byte[] wire = new byte[NodeAddress.IPV6_WIRE_BYTES];
        assertEquals(NodeAddress.IPV6_WIRE_BYTES, a.writeTo(wire, 0));
        assertEquals(a, NodeAddress.readFrom(wire, 0, wire.length));
    }
}
