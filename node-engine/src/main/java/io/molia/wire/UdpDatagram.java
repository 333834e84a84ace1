package io.molia.wire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A UDP datagram taken out of a captured frame: where it went, and its payload as captured ({@code wireLength}
 * says how long it was on the wire, more when the capture's snap length cut it).
 */
public record UdpDatagram(int frame, long epochNanos, InetSocketAddress source, InetSocketAddress destination,
        byte[] payload, int wireLength) {

    /** Link types (LINKTYPE_* of the pcap specification) {@link #of} reads. */
    public static final int LINK_NULL = 0;
    public static final int LINK_ETHERNET = 1;
    public static final int LINK_RAW_BSD = 12;
    public static final int LINK_RAW_OPENBSD = 14;
    public static final int LINK_RAW = 101;
    public static final int LINK_LOOP = 108;
    public static final int LINK_LINUX_SLL = 113;
    public static final int LINK_IPV4 = 228;
    public static final int LINK_IPV6 = 229;
    public static final int LINK_LINUX_SLL2 = 276;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int PROTOCOL_UDP = 17;

    public static boolean supports(int linkType) {
        return switch (linkType) {
            case LINK_NULL, LINK_ETHERNET, LINK_RAW_BSD, LINK_RAW_OPENBSD, LINK_RAW, LINK_LOOP, LINK_LINUX_SLL,
                    LINK_IPV4, LINK_IPV6, LINK_LINUX_SLL2 -> true;
            default -> false;
        };
    }

    /**
     * The UDP datagram in {@code frame} (IPv4 or IPv6 over one of the supported link types), or null when the
     * frame holds none: another protocol, an IP fragment (not reassembled), or too short to tell.
     */
    public static UdpDatagram of(PcapReader.Frame frame) {
        byte[] d = frame.data();
        int ip = switch (frame.linkType()) {
            case LINK_ETHERNET -> ethernetPayload(d);
            case LINK_LINUX_SLL -> d.length >= 16 && isIp(u16(d, 14)) ? 16 : -1;
            case LINK_LINUX_SLL2 -> d.length >= 20 && isIp(u16(d, 0)) ? 20 : -1;
            case LINK_NULL, LINK_LOOP -> 4; // the address family (in either byte order): the IP version says the rest
            case LINK_RAW, LINK_RAW_BSD, LINK_RAW_OPENBSD, LINK_IPV4, LINK_IPV6 -> 0;
            default -> -1;
        };
        if (ip < 0 || ip >= d.length) {
            return null;
        }
        return switch ((d[ip] & 0xff) >>> 4) {
            case 4 -> fromIpv4(frame, d, ip);
            case 6 -> fromIpv6(frame, d, ip);
            default -> null;
        };
    }

    private static int ethernetPayload(byte[] d) {
        int at = 12;
        while (at + 2 <= d.length) {
            int type = u16(d, at);
            if (type == 0x8100 || type == 0x88a8) {
                at += 4; // VLAN tags
                continue;
            }
            return isIp(type) ? at + 2 : -1;
        }
        return -1;
    }

    private static boolean isIp(int etherType) {
        return etherType == ETHERTYPE_IPV4 || etherType == ETHERTYPE_IPV6;
    }

    private static UdpDatagram fromIpv4(PcapReader.Frame frame, byte[] d, int ip) {
        if (ip + 20 > d.length) {
            return null;
        }
        int headerLength = (d[ip] & 0x0f) * 4;
        int flagsAndOffset = u16(d, ip + 6);
        boolean fragment = (flagsAndOffset & 0x2000) != 0 || (flagsAndOffset & 0x1fff) != 0;
        if (d[ip + 9] != PROTOCOL_UDP || fragment || headerLength < 20) {
            return null;
        }
        return udp(frame, d, ip + headerLength, address(d, ip + 12, 4), address(d, ip + 16, 4));
    }

    private static UdpDatagram fromIpv6(PcapReader.Frame frame, byte[] d, int ip) {
        if (ip + 40 > d.length) {
            return null;
        }
        int next = d[ip + 6] & 0xff;
        int at = ip + 40;
        while (next != PROTOCOL_UDP) {
            if (at + 8 > d.length) {
                return null;
            }
            switch (next) {
                case 0, 43, 60 -> { // hop-by-hop, routing, destination options
                    next = d[at] & 0xff;
                    at += ((d[at + 1] & 0xff) + 1) * 8;
                }
                case 44 -> { // fragment: not reassembled
                    return null;
                }
                case 51 -> { // authentication header
                    next = d[at] & 0xff;
                    at += ((d[at + 1] & 0xff) + 2) * 4;
                }
                default -> {
                    return null;
                }
            }
        }
        return udp(frame, d, at, address(d, ip + 8, 16), address(d, ip + 24, 16));
    }

    private static UdpDatagram udp(PcapReader.Frame frame, byte[] d, int at, InetAddress src, InetAddress dst) {
        if (at + 8 > d.length) {
            return null;
        }
        int length = u16(d, at + 4) - 8;
        if (length < 0) {
            return null;
        }
        byte[] payload = Arrays.copyOfRange(d, at + 8, Math.min(d.length, at + 8 + length));
        return new UdpDatagram(frame.number(), frame.epochNanos(), new InetSocketAddress(src, u16(d, at)),
                new InetSocketAddress(dst, u16(d, at + 2)), payload, length);
    }

    private static InetAddress address(byte[] d, int at, int length) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(d, at, at + length));
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are an address", e);
        }
    }

    private static int u16(byte[] d, int at) {
        return (d[at] & 0xff) << 8 | (d[at + 1] & 0xff);
    }

    /** Whether the capture cut the payload short (its snap length). */
    public boolean truncated() {
        return payload.length < wireLength;
    }
}
