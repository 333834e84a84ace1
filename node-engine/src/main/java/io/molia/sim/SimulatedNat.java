package io.molia.sim;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import io.molia.contact.NodeAddress;
import io.molia.nat.NatType;

/**
 * The NAT in front of one simulated node (RFC 4787 terms), on its own external IPv4 address: it maps the node's
 * outbound datagrams to an external port and decides which inbound datagrams reach the node.
 * <ul>
 *   <li>full cone, address-restricted, port-restricted: one mapping for every destination (endpoint-independent),
 *       port-preserving at first; inbound to it passes from anyone, from a host the node sent to, or from the exact
 *       host and port it sent to;</li>
 *   <li>symmetric: a new external port per destination, which only that destination may answer to.</li>
 * </ul>
 * A mapping, and what it lets in, lasts {@code timeoutNs} after the node's last datagram through it; an expired
 * mapping is replaced by one on a new port, as a NAT that forgot the flow does.
 *
 * <p>Single-threaded (the simulation's thread).
 */
final class SimulatedNat {
    /** Filter entries kept before expired ones are swept out. */
    private static final int SWEEP_AT = 4096;

    private final NatType type;
    private final int externalIp;
    private final int internalPort;
    private final long timeoutNs;
    /** The endpoint-independent mapping's port (-1: none yet) and its last outbound datagram. */
    private int port = -1;
    private long lastOutboundNs;
    /** Whom the node sent to (host, or host and port), and when last: what may answer. */
    private final Map<Long, Long> sentTo = new HashMap<>();
    /** Symmetric only: each destination's mapping (port, last outbound) and the reverse. */
    private final Map<Long, long[]> byDestination = new HashMap<>();
    private final Map<Integer, Long> byPort = new HashMap<>();
    private int nextPort;
    private long filtered;

    SimulatedNat(NatType type, int externalIp, int internalPort, long timeoutNs) {
        if (!(type == NatType.FULL_CONE || type == NatType.ADDRESS_RESTRICTED || type == NatType.PORT_RESTRICTED
                || type == NatType.SYMMETRIC)) {
            throw new IllegalArgumentException("not a NAT type: " + type);
        }
        this.type = type;
        this.externalIp = externalIp;
        this.internalPort = internalPort;
        this.timeoutNs = timeoutNs;
        this.nextPort = type == NatType.SYMMETRIC ? 1024 : 20_000;
    }

    NatType type() {
        return type;
    }

    int externalIp() {
        return externalIp;
    }

    /** Inbound datagrams this NAT dropped. */
    long filtered() {
        return filtered;
    }

    /** The external address the node's datagram to {@code to} leaves from, creating or refreshing its mapping. */
    NodeAddress outbound(long nowNs, NodeAddress to) {
        long endpoint = endpoint(to);
        if (type == NatType.SYMMETRIC) {
            long[] m = byDestination.get(endpoint);
            if (m == null || nowNs - m[1] > timeoutNs) {
                if (m != null) {
                    byPort.remove((int) m[0]);
                }
                m = new long[] {newPort(), nowNs};
                byDestination.put(endpoint, m);
                byPort.put((int) m[0], endpoint);
                sweepSymmetric(nowNs);
            }
            m[1] = nowNs;
            return NodeAddress.ipv4(externalIp, (int) m[0]);
        }
        if (port < 0 || nowNs - lastOutboundNs > timeoutNs) {
            port = port < 0 ? internalPort : newPort(); // port-preserving at first
            sentTo.clear(); // the old mapping's filter state went with it
        }
        lastOutboundNs = nowNs;
        if (type != NatType.FULL_CONE) {
            if (sentTo.size() >= SWEEP_AT) {
                sentTo.values().removeIf(t -> nowNs - t > timeoutNs);
            }
            sentTo.put(type == NatType.ADDRESS_RESTRICTED ? host(to) : endpoint, nowNs);
        }
        return NodeAddress.ipv4(externalIp, port);
    }

    /** Whether a datagram from {@code from} to this NAT's external {@code toPort} reaches the node (counted if not). */
    boolean admits(long nowNs, int toPort, NodeAddress from) {
        boolean in;
        if (type == NatType.SYMMETRIC) {
            Long endpoint = byPort.get(toPort);
            long[] m = endpoint == null ? null : byDestination.get(endpoint);
            in = m != null && endpoint == endpoint(from) && nowNs - m[1] <= timeoutNs;
        } else if (toPort != port || port < 0 || nowNs - lastOutboundNs > timeoutNs) {
            in = false;
        } else if (type == NatType.FULL_CONE) {
            in = true;
        } else {
            Long sent = sentTo.get(type == NatType.ADDRESS_RESTRICTED ? host(from) : endpoint(from));
            in = sent != null && nowNs - sent <= timeoutNs;
        }
        filtered += in ? 0 : 1;
        return in;
    }

    /** The external address others reach the node at now (its endpoint-independent mapping), or null: none. */
    NodeAddress mapped(long nowNs) {
        if (type == NatType.SYMMETRIC || port < 0 || nowNs - lastOutboundNs > timeoutNs) {
            return null;
        }
        return NodeAddress.ipv4(externalIp, port);
    }

    private int newPort() {
        int p = nextPort++;
        if (nextPort > 65_535) {
            nextPort = 1024;
        }
        return p;
    }

    private void sweepSymmetric(long nowNs) {
        if (byDestination.size() < SWEEP_AT) {
            return;
        }
        for (Iterator<long[]> it = byDestination.values().iterator(); it.hasNext(); ) {
            long[] m = it.next();
            if (nowNs - m[1] > timeoutNs) {
                byPort.remove((int) m[0]);
                it.remove();
            }
        }
    }

    private static long host(NodeAddress a) {
        return a.ipv4() & 0xffffffffL;
    }

    private static long endpoint(NodeAddress a) {
        return host(a) << 16 | a.port();
    }
}
