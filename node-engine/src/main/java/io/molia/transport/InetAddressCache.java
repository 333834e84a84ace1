package io.molia.transport;

import java.net.InetSocketAddress;

import io.molia.contact.NodeAddress;

/**
 * Recent peers' endpoints in both forms, so a shard's Netty channel path ({@link ChannelDatagrams}) converts a datagram's source and destination without
 * allocating: {@link InetSocketAddress} and {@link NodeAddress} are immutable, so one instance serves every datagram
 * to or from that peer. Without it each transmit built an {@code InetSocketAddress}, an {@code InetAddress} and a
 * {@code byte[]}, and each receive cloned the sender's address bytes into a new {@code NodeAddress}.
 *
 * <p>Bounded and direct-mapped: an address has one slot (by hash) in each direction, and an address that hashes to
 * a taken slot replaces what is there. The table never holds more than {@link #SLOTS} entries per direction, however
 * many peers (or forged sources) there are; a miss costs what the conversion always cost.
 *
 * <p>Owned by the protocol loop's thread; not thread-safe.
 */
final class InetAddressCache {
    static final int SLOTS = 1_024;

    private final NodeAddress[] outKeys = new NodeAddress[SLOTS];
    private final InetSocketAddress[] outValues = new InetSocketAddress[SLOTS];
    private final InetSocketAddress[] inKeys = new InetSocketAddress[SLOTS];
    private final NodeAddress[] inValues = new NodeAddress[SLOTS];

    /** Where to send a datagram for {@code to}. */
    InetSocketAddress toInet(NodeAddress to) {
        int slot = slot(to.hashCode());
        NodeAddress key = outKeys[slot];
        if (key != null && key.equals(to)) {
            return outValues[slot];
        }
        InetSocketAddress inet = InetEndpoints.toInet(to);
        outKeys[slot] = to;
        outValues[slot] = inet;
        return inet;
    }

    /** The core's form of a datagram's source; also remembers {@code sender} as where to answer it. */
    NodeAddress toNodeAddress(InetSocketAddress sender) {
        int slot = slot(sender.hashCode());
        InetSocketAddress key = inKeys[slot];
        if (key != null && key.equals(sender)) {
            return inValues[slot];
        }
        NodeAddress address = InetEndpoints.toNodeAddress(sender.getAddress(), sender.getPort());
        inKeys[slot] = sender;
        inValues[slot] = address;
        int out = slot(address.hashCode());
        outKeys[out] = address; // the answer to a new peer needs no conversion either
        outValues[out] = sender;
        return address;
    }

    private static int slot(int hash) {
        return (hash ^ (hash >>> 16)) & (SLOTS - 1);
    }
}
