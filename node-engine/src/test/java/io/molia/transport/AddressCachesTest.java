package io.molia.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.molia.contact.NodeAddress;
import io.molia.testing.SteadyStateAllocation;

/** The packet path's address caches: Netty's path ({@link InetAddressCache}) and the direct path's senders. */
class AddressCachesTest {
    @Test
    void theCacheAnswersWhatTheConversionAnswers() {
        InetAddressCache cache = new InetAddressCache();
        InetSocketAddress sender = new InetSocketAddress("2001:db8::7", 4000);
        NodeAddress from = cache.toNodeAddress(sender);
        assertEquals(InetEndpoints.toNodeAddress(sender.getAddress(), sender.getPort()), from);
        assertSame(from, cache.toNodeAddress(new InetSocketAddress("2001:db8::7", 4000)), "a hit");
        assertSame(sender, cache.toInet(from), "the answer goes where the datagram came from");
        for (int i = 0; i < 4 * InetAddressCache.SLOTS; i++) {
            NodeAddress a = NodeAddress.ipv4(0x0a00_0000 + i, 4000 + (i & 7));
            assertEquals(InetEndpoints.toInet(a), cache.toInet(a), "hit or replaced, always the right address");
            InetSocketAddress in = new InetSocketAddress(InetEndpoints.toInet(a).getAddress(), 5000);
            assertEquals(InetEndpoints.toNodeAddress(in.getAddress(), in.getPort()), cache.toNodeAddress(in));
        }
    }

    @Test
    @Tag("allocation")
    void aKnownPeerCostsNoAllocation() {
        InetAddressCache cache = new InetAddressCache();
        InetSocketAddress[] senders = new InetSocketAddress[64];
        NodeAddress[] peers = new NodeAddress[senders.length];
        for (int i = 0; i < senders.length; i++) {
            senders[i] = i % 2 == 0 ? new InetSocketAddress("2001:db8::" + Integer.toHexString(i + 1), 4000)
                    : new InetSocketAddress("10.0.0." + i, 4000);
            peers[i] = cache.toNodeAddress(senders[i]);
        }
        SteadyStateAllocation.assertAllocatesNothing("conversions", 100_000, round -> {
            long done = 0;
            for (int i = 0; i < 100_000; i++) {
                int p = i & (senders.length - 1);
                if (cache.toNodeAddress(senders[p]) == peers[p] && cache.toInet(peers[p]) == senders[p]) {
                    done++;
                }
            }
            return done;
        });
    }

    @Test
    void aSenderIsTheAddressItsWordsSayAndASecondDatagramReusesIt() {
        SenderAddresses senders = new SenderAddresses();
        NodeAddress v4 = senders.ipv4(0xc000_0201, 4000);
        assertEquals(NodeAddress.ipv4(0xc000_0201, 4000), v4);
        assertSame(v4, senders.ipv4(0xc000_0201, 4000), "a hit");
        assertSame(v4, senders.ipv6(0L, 0x0000_ffff_c000_0201L, 4000), "the IPv4-mapped form is the same peer");
        NodeAddress v6 = senders.ipv6(0x2001_0db8_0000_0000L, 7, 4000);
        assertEquals(NodeAddress.ipv6(0x2001_0db8_0000_0000L, 7, 4000), v6);
        for (int i = 0; i < 4 * SenderAddresses.SLOTS; i++) {
            assertEquals(NodeAddress.ipv4(0x0a00_0000 + i, 5000 + (i & 7)), senders.ipv4(0x0a00_0000 + i, 5000 + (i & 7)),
                    "hit or replaced, always the right address");
        }
    }
}
