package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import io.molia.contact.NodeAddress;
import org.junit.jupiter.api.Test;

class SocketAddressesTest {
    @Test
    void splitsIpv4AndBracketedIpv6() {
        assertEquals(new SocketAddresses.HostPort("203.0.113.7", 4000), SocketAddresses.split("203.0.113.7:4000"));
        assertEquals(new SocketAddresses.HostPort("::1", 0), SocketAddresses.split("[::1]:0"));
        assertEquals(new SocketAddresses.HostPort("::", 4000), SocketAddresses.split("[::]:4000"));
        assertEquals(new SocketAddresses.HostPort("localhost", 4000), SocketAddresses.split("localhost:4000"));
    }

    @Test
    void eachMistakeIsOneLine() {
        assertMessage("missing ']' after the IPv6 address in '[::1'", "[::1");
        assertMessage("expected [ipv6]:port, got '[::1]4000'", "[::1]4000");
        assertMessage("expected [ipv6]:port, got '[::1]'", "[::1]");
        assertMessage("write an IPv6 address in brackets, e.g. [::1]:4000, got '::1:4000'", "::1:4000");
        assertMessage("expected host:port, got '4000'", "4000");
        assertMessage("expected host:port, got '[]:4000'", "[]:4000");
        assertMessage("port is not a number in '[::1]:x'", "[::1]:x");
        assertMessage("port is not a number in '1.2.3.4:-1'", "1.2.3.4:-1");
    }

    private static void assertMessage(String expected, String text) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> SocketAddresses.split(text))
                .getMessage());
    }

    @Test
    void literalsAreNeverResolved() {
        assertTrue(SocketAddresses.literal("::1") instanceof Inet6Address);
        assertTrue(SocketAddresses.literal("127.0.0.1") instanceof Inet4Address);
        assertEquals("'example.org' is not an IPv4 or IPv6 address (names are not resolved)",
                assertThrows(IllegalArgumentException.class, () -> SocketAddresses.literal("example.org"))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.literal("1:2:3:4:5:6:7:8:9"));
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.literal("300.1.1.1"));
        assertThrows(IllegalArgumentException.class, () -> SocketAddresses.literal("::1%lo"));
    }

    @Test
    void convertsBothWaysAndUnmapsIpv4() throws Exception {
        NodeAddress v6 = SocketAddresses.toNodeAddress(new InetSocketAddress("2001:db8::7", 4000));
        assertEquals(NodeAddress.ipv6(0x2001_0db8_0000_0000L, 7, 4000), v6);
        assertEquals(new InetSocketAddress("2001:db8::7", 4000), SocketAddresses.toInet(v6));

        NodeAddress v4 = SocketAddresses.toNodeAddress(new InetSocketAddress("192.0.2.1", 4000));
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(new byte[] {(byte) 192, 0, 2, 1}, 0, mapped, 12, 4);
        // As a dual-stack socket may report an IPv4 peer: an Inet6Address holding ::ffff:192.0.2.1.
        InetAddress mappedSender = Inet6Address.getByAddress(null, mapped, -1);
        assertEquals(v4, SocketAddresses.toNodeAddress(mappedSender, 4000));
        assertTrue(SocketAddresses.toInet(v4).getAddress() instanceof Inet4Address);
    }

    @Test
    void aSocketReachesTheAddressesOfItsFamilyAndTheWildcardBoth() throws Exception {
        NodeAddress v4 = NodeAddress.parseIpv4("203.0.113.7:4000");
        NodeAddress v6 = SocketAddresses.toNodeAddress(InetAddress.getByName("2001:db8::7"), 4000);
        var fromV4 = SocketAddresses.reachableFrom(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        var fromV6 = SocketAddresses.reachableFrom(new InetSocketAddress(InetAddress.getByName("::1"), 0));
        var fromWildcard = SocketAddresses.reachableFrom(new InetSocketAddress(InetAddress.getByName("::"), 0));
        assertTrue(fromV4.test(v4) && !fromV4.test(v6), "an IPv4 socket");
        assertTrue(!fromV6.test(v4) && fromV6.test(v6), "an IPv6 socket");
        assertTrue(fromWildcard.test(v4) && fromWildcard.test(v6), "the dual-stack wildcard");
    }
}
