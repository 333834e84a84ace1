package io.molia.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/**
 * The circuits this node is an end of, shared by its shards: each is named by a <em>relayed address</em>, an address
 * of the discard-only prefix {@code 100::/64} (RFC 6666) that no host has, so the session layer and the core can
 * treat a peer behind a relay as a peer at an address. A shard unwraps a {@link RelayFrame} arriving from a relay on
 * one of these circuits into a datagram "from" the relayed address, and wraps every datagram the session layer sends
 * "to" it into a frame for the relay.
 *
 * <p>Hole punching: each route knows where the relay saw the peer. The first {@link #PUNCHES} datagrams that come
 * through the relay are each answered by a keepalive sealed on the same session and sent straight to that address.
 * The circuit's initiator punches when its first request is answered, the other end when that request arrives: each
 * NAT then has a flow out to the other before the other's punch reaches it (a simultaneous open). A punch that gets
 * through moves the peer's session endpoint to the direct address (WireGuard's roaming, on an authenticated datagram
 * only: the handshake rules are unchanged, and a stranger's datagram moves nothing); the route is then marked direct
 * and counted as an upgrade, and the end it reached answers straight back once ({@link #onDirect}), so the other end
 * learns the direct path even when its own punch was the one its peer's NAT dropped. The route stays until its
 * circuit closes: the other end may still send through the relay until it too has heard directly.
 *
 * <p>Thread-safe: the owner's core adds routes, every shard reads them.
 */
public final class RelayRoutes {
    private static final long DISCARD_PREFIX_HI = 0x0100_0000_0000_0000L;

    /** How many punches each end sends per circuit. */
    public static final int PUNCHES = 3;

    /** A circuit through {@code relay} to {@code peer}, which the relay saw at {@code punchTo} (null: unknown). */
    public record Route(NodeAddress relay, int circuit, NodeId peer, NodeAddress punchTo, long openedNs,
            AtomicInteger punchesLeft, AtomicBoolean direct) {
        /** Where to punch now, or null when this route has punched its share (or has nowhere to). */
        public NodeAddress punchDue() {
            return punchTo != null && punchesLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? punchTo : null;
        }
    }

    private final ConcurrentHashMap<NodeAddress, Route> byAddress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<NodeId, NodeAddress> byPeer = new ConcurrentHashMap<>();
    private final AtomicLong punchesSent = new AtomicLong();
    private final AtomicLong upgrades = new AtomicLong();

    /** The relayed address of circuit {@code circuit} through {@code relay}. */
    public static NodeAddress relayedAddress(NodeAddress relay, int circuit) {
        return NodeAddress.ipv6(DISCARD_PREFIX_HI, (long) relay.hashCode() << 32 | (circuit & 0xffff_ffffL), 1);
    }

    /** Whether {@code address} is a relayed address (of a route this node has or had). */
    public static boolean isRelayed(NodeAddress address) {
        return address.hi() == DISCARD_PREFIX_HI && !address.isIpv4();
    }

    /** Records a circuit to {@code peer}, seen by the relay at {@code punchTo}; returns its relayed address. */
    public NodeAddress add(NodeAddress relay, int circuit, NodeId peer, NodeAddress punchTo, long nowNs) {
        NodeAddress at = relayedAddress(relay, circuit);
        byAddress.put(at, new Route(relay, circuit, peer, punchTo, nowNs, new AtomicInteger(PUNCHES),
                new AtomicBoolean()));
        byPeer.put(peer, at);
        return at;
    }

    /** A punch left for {@code peer}'s session. */
    public void onPunchSent() {
        punchesSent.incrementAndGet();
    }

    /**
     * An authenticated datagram from {@code peer} arrived straight from its address: if its route was not direct yet,
     * a punch got through (counted once per route). Returns true then: the caller answers straight back once, so
     * the peer hears directly too.
     */
    public boolean onDirect(NodeId peer) {
        if (byPeer.isEmpty()) {
            return false;
        }
        NodeAddress at = byPeer.get(peer);
        Route r = at == null ? null : byAddress.get(at);
        if (r != null && r.direct().compareAndSet(false, true)) {
            upgrades.incrementAndGet();
            return true;
        }
        return false;
    }

    /** The relayed address of the newest circuit to {@code peer}, or null when there is none. */
    public NodeAddress addressOf(NodeId peer) {
        return byPeer.get(peer);
    }

    public long punchesSent() {
        return punchesSent.get();
    }

    /** Relayed connections that became direct. */
    public long upgrades() {
        return upgrades.get();
    }

    /** The route a datagram to {@code to} takes, or null (a direct address, or a route forgotten). */
    public Route route(NodeAddress to) {
        return isRelayed(to) ? byAddress.get(to) : null;
    }

    /** The relayed address a frame from {@code from} on {@code circuit} came "from", or null if not ours. */
    public NodeAddress inbound(NodeAddress from, int circuit) {
        if (byAddress.isEmpty()) {
            return null;
        }
        NodeAddress at = relayedAddress(from, circuit);
        Route r = byAddress.get(at);
        return r != null && r.relay().equals(from) && r.circuit() == circuit ? at : null;
    }

    /** Drops routes older than {@code maxAgeNs} (the relay closed their circuits by then). */
    public void expire(long nowNs, long maxAgeNs) {
        byAddress.values().removeIf(r -> nowNs - r.openedNs() >= maxAgeNs);
        byPeer.values().removeIf(at -> !byAddress.containsKey(at));
    }

    public List<Route> routes() {
        return new ArrayList<>(byAddress.values());
    }
}
