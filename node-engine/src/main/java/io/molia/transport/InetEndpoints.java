package io.molia.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/**
 * The core's {@link NodeAddress} to and from the JDK's {@link InetSocketAddress}. An IPv4-mapped IPv6 address (how a
 * dual-stack socket may report an IPv4 peer) becomes the same {@link NodeAddress} as the IPv4 one, so subnet limits,
 * bans and sessions treat the peer alike whichever socket it reached. Cold paths: the packet path goes through
 * {@link InetAddressCache} or reads socket addresses itself.
 */
public final class InetEndpoints {
    private InetEndpoints() {
    }

    public static NodeAddress toNodeAddress(InetAddress address, int port) {
        byte[] ip = address.getAddress();
        if (ip.length == 4) {
            return NodeAddress.ipv4(((ip[0] & 0xff) << 24) | ((ip[1] & 0xff) << 16) | ((ip[2] & 0xff) << 8)
                    | (ip[3] & 0xff), port);
        }
        return NodeAddress.ipv6(NodeId.readLong(ip, 0), NodeId.readLong(ip, 8), port);
    }

    /** An IPv4 address (also one held mapped) as an {@code Inet4Address}, which any socket family can send to. */
    public static InetSocketAddress toInet(NodeAddress address) {
        byte[] ip;
        if (address.isIpv4()) {
            int v4 = address.ipv4();
            ip = new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
        } else {
            ip = new byte[16];
            NodeId.writeLong(ip, 0, address.hi());
            NodeId.writeLong(ip, 8, address.lo());
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), address.port());
        } catch (UnknownHostException e) {
            throw new AssertionError("4 and 16 bytes are always valid", e);
        }
    }
}
