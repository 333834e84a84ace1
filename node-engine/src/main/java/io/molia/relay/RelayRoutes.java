package io.molia.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.nat.NatType;

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

    /**
     * A circuit through {@code relay} to {@code peer}, which the relay saw at {@code punchTo} (null: unknown);
     * {@code directFrom}: where the first punch that got through came from (null: none yet).
     */
    public record Route(NodeAddress relay, int circuit, NodeId peer, NodeAddress punchTo, long openedNs,
            AtomicInteger punchesLeft, AtomicBoolean direct, int ownNat, int peerNat, AtomicBoolean birthdayAsked,
            AtomicReference<NodeAddress> directFrom) {
        /** Where to punch now, or null when this route has punched its share (or has nowhere to). */
        public NodeAddress punchDue() {
            return punchTo != null && punchesLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? punchTo : null;
        }
    }

    /** Punch outcomes by pair of NAT types (this node's when the circuit opened, the peer's as it said). */
    public record PunchOutcomes(NatType own, NatType peer, long punched, long relayed) {
    }

    private static final int TYPES = NatType.values().length;

    private final ConcurrentHashMap<NodeAddress, Route> byAddress = new ConcurrentHashMap<>();
    /** [own type][peer type][0 punched, 1 relayed], flattened. */
    private final AtomicLongArray outcomes = new AtomicLongArray(TYPES * TYPES * 2);
    private final ConcurrentHashMap<NodeId, NodeAddress> byPeer = new ConcurrentHashMap<>();
    private final AtomicLong punchesSent = new AtomicLong();
    private final AtomicLong upgrades = new AtomicLong();
    private final AtomicLong closed = new AtomicLong();
    private final AtomicLong closesSent = new AtomicLong();
    /** Birthday punches asked of the node's driver (the shard decides, the driver owns the sockets). */
    private final ConcurrentLinkedQueue<BirthdayPunch> birthdays = new ConcurrentLinkedQueue<>();
    private final BirthdayCounters birthdayCounters = new BirthdayCounters();

    /** The relayed address of circuit {@code circuit} through {@code relay}. */
    public static NodeAddress relayedAddress(NodeAddress relay, int circuit) {
        return NodeAddress.ipv6(DISCARD_PREFIX_HI, (long) relay.hashCode() << 32 | (circuit & 0xffff_ffffL), 1);
    }

    /** Whether {@code address} is a relayed address (of a route this node has or had). */
    public static boolean isRelayed(NodeAddress address) {
        return address.hi() == DISCARD_PREFIX_HI && !address.isIpv4();
    }

    /**
     * Records a circuit to {@code peer}, seen by the relay at {@code punchTo}, between this node behind a NAT of type
     * {@code ownNat} and the peer behind {@code peerNat} (NatType's ordinals; others count as unknown); returns its
     * relayed address.
     */
    public NodeAddress add(NodeAddress relay, int circuit, NodeId peer, NodeAddress punchTo, long nowNs, int ownNat,
            int peerNat) {
        NodeAddress at = relayedAddress(relay, circuit);
        byAddress.put(at, new Route(relay, circuit, peer, punchTo, nowNs, new AtomicInteger(PUNCHES),
                new AtomicBoolean(), known(ownNat), known(peerNat), new AtomicBoolean(), new AtomicReference<>()));
        byPeer.put(peer, at);
        return at;
    }

    /**
     * The first punch on {@code route}: when its pair of NATs needs a birthday punch ({@link BirthdayPunch#kindFor}),
     * asks the driver for one, once per circuit.
     */
    public void onFirstPunch(Route route) {
        BirthdayPunch.Kind kind = BirthdayPunch.kindFor(route.ownNat(), route.peerNat());
        if (kind != null && route.punchTo() != null && route.birthdayAsked().compareAndSet(false, true)) {
            birthdays.add(new BirthdayPunch(kind, route.peer(), route.punchTo(),
                    BirthdayPunch.nonceOf(route.circuit())));
        }
    }

    /** The next birthday punch for the driver to run, or null. */
    public BirthdayPunch pollBirthday() {
        return birthdays.poll();
    }

    /** What the birthday punches cost and won (the driver counts, the views read). */
    public BirthdayCounters birthdayCounters() {
        return birthdayCounters;
    }

    /** A punch left for {@code peer}'s session. */
    public void onPunchSent() {
        punchesSent.incrementAndGet();
    }

    /**
     * An authenticated datagram from {@code peer} arrived straight from its address {@code from}: if its route was
     * not direct yet, a punch got through (counted once per route, {@code from} kept). Returns true then: the caller
     * answers straight back once, so the peer hears directly too.
     */
    public boolean onDirect(NodeId peer, NodeAddress from) {
        if (byPeer.isEmpty()) {
            return false;
        }
        NodeAddress at = byPeer.get(peer);
        Route r = at == null ? null : byAddress.get(at);
        if (r != null && r.directFrom().compareAndSet(null, from)) {
            r.direct().set(true);
            upgrades.incrementAndGet();
            outcomes.incrementAndGet(outcomeIndex(r, 0));
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

    /**
     * The relay at {@code relay} closed circuit {@code circuit} (RELAY_CLOSE from it): its route is forgotten, as one
     * that expired (counted relayed when no punch got through on it). False when this node has no such route.
     */
    public boolean onClosed(NodeAddress relay, int circuit) {
        NodeAddress at = inbound(relay, circuit);
        Route r = at == null ? null : byAddress.remove(at);
        if (r == null) {
            return false;
        }
        if (!r.direct().get()) {
            outcomes.incrementAndGet(outcomeIndex(r, 1));
        }
        byPeer.remove(r.peer(), at);
        closed.incrementAndGet();
        return true;
    }

    /** Circuits this node was an end of that a close ended (its own RELAY_CLOSE, or its relay's). */
    public long closed() {
        return closed.get();
    }

    /** This node sent its relay a RELAY_CLOSE for a circuit it no longer uses. */
    public void onCloseSent() {
        closesSent.incrementAndGet();
    }

    /** Circuits this node closed at their relays (RELAY_CLOSE) before their time. */
    public long closesSent() {
        return closesSent.get();
    }

    /** Drops routes older than {@code maxAgeNs} (the relay closed their circuits by then). */
    public void expire(long nowNs, long maxAgeNs) {
        byAddress.values().removeIf(r -> {
            boolean closed = nowNs - r.openedNs() >= maxAgeNs;
            if (closed && !r.direct().get()) {
                outcomes.incrementAndGet(outcomeIndex(r, 1)); // no punch got through while the circuit lived
            }
            return closed;
        });
        byPeer.values().removeIf(at -> !byAddress.containsKey(at));
    }

    /**
     * Punch outcomes by pair of NAT types, the pairs seen only: {@code punched} when a punch got through on a
     * circuit, {@code relayed} when a circuit closed with none.
     */
    public List<PunchOutcomes> outcomes() {
        List<PunchOutcomes> list = new ArrayList<>();
        for (int own = 0; own < TYPES; own++) {
            for (int peer = 0; peer < TYPES; peer++) {
                long punched = outcomes.get((own * TYPES + peer) * 2);
                long relayed = outcomes.get((own * TYPES + peer) * 2 + 1);
                if (punched + relayed > 0) {
                    list.add(new PunchOutcomes(NatType.values()[own], NatType.values()[peer], punched, relayed));
                }
            }
        }
        return list;
    }

    /**
     * Circuits between this node behind {@code own} and a peer behind {@code peer} that a punch got through on
     * ({@code punched}), or that closed with none through; read without allocating (the metrics).
     */
    public long outcome(NatType own, NatType peer, boolean punched) {
        return outcomes.get((own.ordinal() * TYPES + peer.ordinal()) * 2 + (punched ? 0 : 1));
    }

    private static int known(int natType) {
        return natType >= 0 && natType < TYPES ? natType : 0;
    }

    private static int outcomeIndex(Route r, int outcome) {
        return (r.ownNat() * TYPES + r.peerNat()) * 2 + outcome;
    }

    public List<Route> routes() {
        return new ArrayList<>(byAddress.values());
    }
}
