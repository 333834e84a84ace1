package io.molia.contact;

/**
 * A UDP endpoint as the core sees it: an IPv6 address (IPv4 is held mapped, {@code ::ffff:a.b.c.d}) and a port,
 * in three primitive fields so comparing and hashing allocate nothing. The core never touches
 * {@code InetSocketAddress}; drivers convert at the edge.
 *
 * <p>Wire form: 4 address bytes + 2 port bytes for IPv4, 16 + 2 for IPv6, big-endian.
 */
public final class NodeAddress {
    public static final int IPV4_WIRE_BYTES = 6;
    public static final int IPV6_WIRE_BYTES = 18;
    private static final long V4_MAPPED_HI = 0L;
    private static final long V4_MAPPED_LO_PREFIX = 0x0000_ffff_0000_0000L;
    /** Marks an IPv6 /48 in a {@link #subnetKey}; an IPv4 /24 key has only its low 24 bits set. */
    private static final long IPV6_SUBNET_FLAG = 0x8000_0000_0000_0000L;

    private final long hi;
    private final long lo;
    private final int port;

    private NodeAddress(long hi, long lo, int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.hi = hi;
        this.lo = lo;
        this.port = port;
    }

    /** An IPv4 endpoint; {@code ipv4} holds the address big-endian (a.b.c.d = a<<24|b<<16|c<<8|d). */
    public static NodeAddress ipv4(int ipv4, int port) {
        return new NodeAddress(V4_MAPPED_HI, V4_MAPPED_LO_PREFIX | (ipv4 & 0xffff_ffffL), port);
    }

    /** An IPv6 endpoint, the address's first 64 bits in {@code hi}; an IPv4-mapped one equals its {@link #ipv4}. */
    public static NodeAddress ipv6(long hi, long lo, int port) {
        return new NodeAddress(hi, lo, port);
    }

    /** Parses "a.b.c.d:port", strictly; IPv6 text is parsed at the edge ({@code io.molia.node.SocketAddresses}). */
    public static NodeAddress parseIpv4(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected host:port, got '" + text + "'");
        }
        String[] parts = text.substring(0, colon).split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException("expected an IPv4 address, got '" + text + "'");
        }
        int ip = 0;
        for (String part : parts) {
            int octet = Integer.parseInt(part);
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("bad IPv4 octet in '" + text + "'");
            }
            ip = (ip << 8) | octet;
        }
        return ipv4(ip, Integer.parseInt(text.substring(colon + 1)));
    }

    public boolean isIpv4() {
        return hi == V4_MAPPED_HI && (lo & 0xffff_ffff_0000_0000L) == V4_MAPPED_LO_PREFIX;
    }

    public int ipv4() {
        return (int) lo;
    }

    public long hi() {
        return hi;
    }

    public long lo() {
        return lo;
    }

    public int port() {
        return port;
    }

    /**
     * The network an operator (or an attacker) controls as one unit: the /24 for IPv4, the /48 for IPv6. The
     * routing table admits at most two contacts per subnet per bucket.
     */
    public long subnetKey() {
        return isIpv4() ? (ipv4() >>> 8) & 0xff_ffffL : (hi >>> 16) | IPV6_SUBNET_FLAG;
    }

    /** The subnet key of an IPv6 /48 whose first 48 bits are {@code prefix48} (the form {@link #subnetKey} gives). */
    public static long ipv6SubnetKey(long prefix48) {
        return (prefix48 & 0xffff_ffff_ffffL) | IPV6_SUBNET_FLAG;
    }

    /** A {@link #subnetKey} as an operator writes it: {@code a.b.c.0/24} or {@code 2001:db8:1::/48}. */
    public static String subnetText(long subnetKey) {
        if ((subnetKey & IPV6_SUBNET_FLAG) == 0) {
            return ((subnetKey >>> 16) & 0xff) + "." + ((subnetKey >>> 8) & 0xff) + "." + (subnetKey & 0xff) + ".0/24";
        }
        return ipv6Text(subnetKey << 16, 0) + "/48";
    }

    /** The host part as text: dotted IPv4, or IPv6 in the RFC 5952 form ({@code 2001:db8::1}, no brackets). */
    public String hostText() {
        if (isIpv4()) {
            int ip = ipv4();
            return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
        }
        return ipv6Text(hi, lo);
    }

    /**
     * RFC 5952: lower-case groups without leading zeros; the longest run of two or more zero groups (the first of
     * equally long ones) written as {@code ::}.
     */
    private static String ipv6Text(long hi, long lo) {
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            groups[4 + i] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLength) {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    public int wireLength() {
        return isIpv4() ? IPV4_WIRE_BYTES : IPV6_WIRE_BYTES;
    }

    public int writeTo(byte[] b, int off) {
        if (isIpv4()) {
            int ip = ipv4();
            b[off] = (byte) (ip >>> 24);
            b[off + 1] = (byte) (ip >>> 16);
            b[off + 2] = (byte) (ip >>> 8);
            b[off + 3] = (byte) ip;
            off += 4;
        } else {
            NodeId.writeLong(b, off, hi);
            NodeId.writeLong(b, off + 8, lo);
            off += 16;
        }
        b[off] = (byte) (port >>> 8);
        b[off + 1] = (byte) port;
        return off + 2;
    }

    /** Reads the wire form of length 6 or 18; returns null for any other length (the caller counts it). */
    public static NodeAddress readFrom(byte[] b, int off, int len) {
        if (len == IPV4_WIRE_BYTES) {
            int ip = ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8)
                    | (b[off + 3] & 0xff);
            return ipv4(ip, ((b[off + 4] & 0xff) << 8) | (b[off + 5] & 0xff));
        }
        if (len == IPV6_WIRE_BYTES) {
            return ipv6(NodeId.readLong(b, off), NodeId.readLong(b, off + 8),
                    ((b[off + 16] & 0xff) << 8) | (b[off + 17] & 0xff));
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeAddress a && a.hi == hi && a.lo == lo && a.port == port;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi * 31 + lo) * 31 + port;
    }

    @Override
    /** {@code a.b.c.d:port} or {@code [v6]:port}, as operators and {@code molia://} addresses write it. */
    public String toString() {
        return isIpv4() ? hostText() + ":" + port : "[" + hostText() + "]:" + port;
    }
}
