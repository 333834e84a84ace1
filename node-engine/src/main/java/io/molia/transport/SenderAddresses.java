package io.molia.transport;

import io.molia.contact.NodeAddress;

/**
 * Datagram sources as the socket reports them (address words and port) to the core's {@link NodeAddress}, without
 * allocating for a source seen recently: {@link NodeAddress} is immutable, so one instance serves every datagram
 * from that peer. Direct-mapped and bounded like {@link InetAddressCache}: a source that hashes to a taken slot
 * replaces what is there, and a miss costs one {@link NodeAddress}, however many (forged) sources there are.
 *
 * <p>Owned by one shard's loop; not thread-safe.
 */
final class SenderAddresses {
    static final int SLOTS = 1_024;
    /** An IPv4 address in {@link NodeAddress}'s form: IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}). */
    private static final long V4_MAPPED_PREFIX = 0x0000_ffff_0000_0000L;

    private final NodeAddress[] slots = new NodeAddress[SLOTS];

    /** An IPv4 source; {@code ipv4} big-endian as {@link NodeAddress#ipv4(int, int)} takes it. */
    NodeAddress ipv4(int ipv4, int port) {
        return lookup(0L, V4_MAPPED_PREFIX | (ipv4 & 0xffff_ffffL), port);
    }

    /** An IPv6 source (an IPv4-mapped one is the same peer as its IPv4 form). */
    NodeAddress ipv6(long hi, long lo, int port) {
        return lookup(hi, lo, port);
    }

    private NodeAddress lookup(long hi, long lo, int port) {
        long h = (hi * 31 + lo) * 0x9e37_79b9_7f4a_7c15L + port;
        int slot = (int) (h ^ (h >>> 32)) & (SLOTS - 1);
        NodeAddress known = slots[slot];
        if (known != null && known.lo() == lo && known.port() == port && known.hi() == hi) {
            return known;
        }
        NodeAddress address = NodeAddress.ipv6(hi, lo, port);
        slots[slot] = address;
        return address;
    }
}
