package io.molia.relay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/**
 * A reachable node relaying for nodes behind NATs (DESIGN §3.8, issue 19 item 4), with no I/O. A client that cannot
 * be reached holds a <em>reservation</em> here; a node that wants to reach it opens a <em>circuit</em> to it; then
 * {@link RelayFrame}s from either end go out to the other, ciphertext as it came (the two ends run their own
 * WireGuard session through it, so the relay learns sizes and timing only). Everything is capped: the egress share of
 * {@link RelayBudget}, and {@link RelayLimits}' reservations, circuits, bytes and durations; each refusal is counted
 * by reason and by client.
 *
 * <p>Circuits are few (16 by default) and live in a fixed array scanned per frame: forwarding allocates nothing.
 * Expired reservations and circuits are dropped when next met, so the relay needs no timer.
 *
 * <p>Owned by the routing table owner's core thread; not thread-safe.
 */
public final class Relay {
    /** A client's reservation and what it got through it. */
    private static final class Reservation {
        final NodeId client;
        /** The client's key and where it was last seen asking (its NAT's mapping towards this relay). */
        Contact contact;
        NodeAddress address;
        long expiresNs;
        long relayedBytes;
        long refusals;
        /** The NAT type the client said it is behind (NatType's ordinal), told to the initiators of its circuits. */
        int natType;

        Reservation(NodeId client) {
            this.client = client;
        }
    }

    /** An open circuit between an initiator and a reserved client. */
    private static final class Circuit {
        /** A slot of the pool for requests to relayed servers (docs/nat.md, "Relayed servers"), else for connects. */
        final boolean forRequests;
        int id;

        Circuit(boolean forRequests) {
            this.forRequests = forRequests;
        }

        NodeId initiator;
        /** The initiator's key, to tell it of a close (null: connected without one, it is not told). */
        Contact initiatorContact;
        NodeAddress initiatorAddress;
        Reservation target;
        long openedNs;
        long bytesToTarget;
        long bytesToInitiator;
    }

    /** A reservation as the {@code relays} view shows it. */
    public record ReservationView(NodeId client, NodeAddress address, long expiresInNs, int circuits,
            long relayedBytes, long refusals) {
    }

    /** A circuit as the {@code relays} view shows it. */
    public record CircuitView(int id, NodeId initiator, NodeId target, long ageNs, long bytesToTarget,
            long bytesToInitiator) {
    }

    /** Everything the {@code relays} view and the metrics read, taken at one instant. */
    public record Status(int budgetPercent, long windowNs, long egressBytes, long relayedBytes, long limitBytes,
            long[] relayedPerSlot, List<ReservationView> reservations, List<CircuitView> circuits, long[] refusals,
            long framesRelayed, long bytesRelayed, long reservationsGranted, long circuitsOpened) {
    }

    private final RelayLimits limits;
    private final RelayBudget budget;
    private final SplittableRandom circuitIds;
    private final Map<NodeId, Reservation> reservations = new HashMap<>();
    private final Circuit[] circuits;
    private final long[] refusals = new long[RelayRefusal.count()];
    private long circuitsClosed;
    private RelayRefusal lastRefusal;
    private long framesRelayed;
    private long bytesRelayed;
    private long reservationsGranted;
    private long circuitsOpened;

    /** {@code seed} draws circuit numbers (a stranger cannot guess one to inject frames). */
    public Relay(RelayLimits limits, long seed) {
        this.limits = limits;
        this.budget = new RelayBudget(limits.budgetPercent(), limits.budgetWindowNs());
        this.circuitIds = new SplittableRandom(seed);
        // Two pools of limits.circuits() each: circuits for DHT requests to relayed servers never take the slots of
        // connections (an operator's connect, a peer that wants a session), nor their per-node caps.
        this.circuits = new Circuit[2 * limits.circuits()];
        for (int i = 0; i < circuits.length; i++) {
            circuits[i] = new Circuit(i >= limits.circuits());
        }
    }

    public RelayLimits limits() {
        return limits;
    }

    /** Why the last {@link #reserve}, {@link #connect} or {@link #onFrame} said no. */
    public RelayRefusal lastRefusal() {
        return lastRefusal;
    }

    /** The node's egress counter (bytes sent, all shards), read by the driver: relaying takes a share of it. */
    public void onEgressCounter(long nowNs, long egressCounterBytes) {
        budget.onEgressCounter(nowNs, egressCounterBytes);
    }

    /**
     * {@code contact}, over an authenticated session from its address, asks to be reachable through this node. A
     * held reservation is renewed (at its new address, if the client's mapping changed). Returns when it expires, or
     * -1 when refused ({@link #lastRefusal}). {@code natType}: the NAT type the client says it is behind.
     */
    public long reserve(long nowNs, Contact contact, int natType) {
        NodeId client = contact.id();
        NodeAddress address = contact.address();
        if (limits.budgetPercent() == 0) {
            return refuse(null, RelayRefusal.OFF);
        }
        dropExpired(nowNs);
        Reservation r = reservations.get(client);
        if (r == null) {
            if (reservations.size() >= limits.reservations()) {
                return refuse(null, RelayRefusal.RESERVATIONS_FULL);
            }
            if (reservationsAt(address) >= limits.reservationsPerAddress()) {
                return refuse(null, RelayRefusal.ADDRESS_RESERVATIONS);
            }
            r = new Reservation(client);
            reservations.put(client, r);
        }
        r.contact = contact;
        r.address = address;
        r.natType = natType;
        r.expiresNs = nowNs + limits.reservationNs();
        reservationsGranted++;
        return r.expiresNs;
    }

    /**
     * {@code initiator}, seen at {@code initiatorAddress} over an authenticated session, asks for a circuit to
     * {@code target}. Returns the circuit's number (nonzero), or 0 when refused ({@link #lastRefusal}).
     */
    public int connect(long nowNs, NodeId initiator, NodeAddress initiatorAddress, NodeId target) {
        return connect(nowNs, initiator, initiatorAddress, target, false);
    }

    /**
     * As {@link #connect(long, NodeId, NodeAddress, NodeId)}; {@code forRequests}: a circuit for DHT requests to a
     * relayed server, from a pool of its own with the same caps (so such traffic never starves connections).
     */
    public int connect(long nowNs, NodeId initiator, NodeAddress initiatorAddress, NodeId target,
            boolean forRequests) {
        if (limits.budgetPercent() == 0) {
            refuse(null, RelayRefusal.OFF);
            return 0;
        }
        dropExpired(nowNs);
        Reservation r = reservations.get(target);
        if (r == null) {
            refuse(null, RelayRefusal.NO_RESERVATION);
            return 0;
        }
        if (circuitsOf(initiator, forRequests) >= limits.circuitsPerPeer()
                || circuitsOf(target, forRequests) >= limits.circuitsPerPeer()) {
            refuse(r, RelayRefusal.PEER_CIRCUITS);
            return 0;
        }
        Circuit c = freeCircuit(forRequests);
        if (c == null) {
            refuse(r, RelayRefusal.CIRCUITS_FULL);
            return 0;
        }
        int id;
        do {
            id = circuitIds.nextInt();
        } while (id == 0 || find(id) != null);
        c.id = id;
        c.initiator = initiator;
        c.initiatorContact = null;
        c.initiatorAddress = initiatorAddress;
        c.target = r;
        c.openedNs = nowNs;
        c.bytesToTarget = 0;
        c.bytesToInitiator = 0;
        circuitsOpened++;
        return id;
    }

    /**
     * As {@link #connect(long, NodeId, NodeAddress, NodeId, boolean)} for {@code initiator} as it asked over its
     * session: its key is kept, so a close by the target is told to it ({@link #close}).
     */
    public int connect(long nowNs, Contact initiator, NodeId target, boolean forRequests) {
        int id = connect(nowNs, initiator.id(), initiator.address(), target, forRequests);
        if (id != 0) {
            find(id).initiatorContact = initiator;
        }
        return id;
    }

    /** A circuit an end closed: the other end, to be told (null: the relay holds no key for it). */
    public record Closed(Contact tell) {
    }

    /**
     * {@code from} ends circuit {@code circuit} (RELAY_CLOSE): when it is one of the circuit's ends, the slot is
     * freed at once (counted in {@link #circuitsClosed}); else nothing changes, the refusal is counted and null is
     * returned.
     */
    public Closed close(NodeAddress from, int circuit) {
        Circuit c = find(circuit);
        if (c == null) {
            refuse(null, RelayRefusal.UNKNOWN_CIRCUIT);
            return null;
        }
        boolean byInitiator = from.equals(c.initiatorAddress);
        if (!byInitiator && !from.equals(c.target.address)) {
            refuse(null, RelayRefusal.NOT_AN_END); // only an end may close it: a stranger who guessed the number
            return null;
        }
        Contact other = byInitiator ? c.target.contact : c.initiatorContact;
        NodeAddress otherAt = byInitiator ? c.target.address : c.initiatorAddress;
        circuitsClosed++;
        free(c);
        return new Closed(other == null ? null : other.withAddress(otherAt));
    }

    /** Circuits an end closed (RELAY_CLOSE) before their time. */
    public long circuitsClosed() {
        return circuitsClosed;
    }

    /** The NAT type {@code client} said it is behind when it reserved (0, unknown, without a reservation). */
    public int natTypeOf(NodeId client) {
        Reservation r = reservations.get(client);
        return r == null ? 0 : r.natType;
    }

    /** {@code client} as its reservation holds it (where the relay tells it of a new circuit), or null. */
    public Contact reserved(long nowNs, NodeId client) {
        Reservation r = reservations.get(client);
        return r == null || nowNs >= r.expiresNs ? null : r.contact;
    }

    /**
     * A {@link RelayFrame} of {@code len} bytes from {@code from}: where to send it on (as it is), or null when it is
     * dropped (counted by reason, {@link #lastRefusal}). A circuit that ran out of time or bytes is closed.
     */
    public NodeAddress onFrame(long nowNs, NodeAddress from, byte[] buf, int off, int len) {
        Circuit c = find(RelayFrame.circuitOf(buf, off));
        if (c == null) {
            refuse(null, RelayRefusal.UNKNOWN_CIRCUIT);
            return null;
        }
        boolean toTarget = from.equals(c.initiatorAddress);
        if (!toTarget && !from.equals(c.target.address)) {
            refuse(null, RelayRefusal.NOT_AN_END); // a stranger who guessed the number, or an end that moved
            return null;
        }
        if (nowNs - c.openedNs >= limits.circuitNs()) {
            close(c, RelayRefusal.CIRCUIT_EXPIRED);
            return null;
        }
        long carried = toTarget ? c.bytesToTarget : c.bytesToInitiator;
        if (carried + len > limits.circuitBytesPerDirection()) {
            close(c, RelayRefusal.CIRCUIT_BYTES);
            return null;
        }
        if (!budget.tryRelay(nowNs, len)) {
            refuse(c.target, RelayRefusal.BUDGET); // the circuit stays: the window moves on
            return null;
        }
        if (toTarget) {
            c.bytesToTarget += len;
        } else {
            c.bytesToInitiator += len;
        }
        c.target.relayedBytes += len;
        framesRelayed++;
        bytesRelayed += len;
        return toTarget ? c.target.address : c.initiatorAddress;
    }

    /**
     * Relayed bytes and the node's egress in the budget's window as last updated: racy plain reads for the metrics
     * endpoint, which may not move the window (it is not the owner's thread).
     */
    public long windowRelayedBytes() {
        return budget.relayedAsLastUpdated();
    }

    public long windowEgressBytes() {
        return budget.egressAsLastUpdated();
    }

    public long refusals(RelayRefusal reason) {
        return refusals[reason.ordinal()];
    }

    public long framesRelayed() {
        return framesRelayed;
    }

    public long bytesRelayed() {
        return bytesRelayed;
    }

    public int openCircuits() {
        int n = 0;
        for (Circuit c : circuits) {
            n += c.id != 0 ? 1 : 0;
        }
        return n;
    }

    public int reservations() {
        return reservations.size();
    }

    public Status status(long nowNs) {
        dropExpired(nowNs);
        long[] perSlot = new long[RelayBudget.SLOTS];
        budget.relayedPerSlot(nowNs, perSlot);
        List<ReservationView> rs = new ArrayList<>();
        for (Reservation r : reservations.values()) {
            rs.add(new ReservationView(r.client, r.address, r.expiresNs - nowNs, circuitsOf(r.client), r.relayedBytes,
                    r.refusals));
        }
        rs.sort((a, b) -> a.client().compareTo(b.client()));
        List<CircuitView> cs = new ArrayList<>();
        for (Circuit c : circuits) {
            if (c.id != 0) {
                cs.add(new CircuitView(c.id, c.initiator, c.target.client, nowNs - c.openedNs, c.bytesToTarget,
                        c.bytesToInitiator));
            }
        }
        return new Status(limits.budgetPercent(), budget.windowNs(), budget.egressBytes(nowNs),
                budget.relayedBytes(nowNs), budget.limitBytes(nowNs), perSlot, List.copyOf(rs), List.copyOf(cs),
                refusals.clone(), framesRelayed, bytesRelayed, reservationsGranted, circuitsOpened);
    }

    private long refuse(Reservation client, RelayRefusal reason) {
        refusals[reason.ordinal()]++;
        if (client != null) {
            client.refusals++;
        }
        lastRefusal = reason;
        return -1;
    }

    private void close(Circuit c, RelayRefusal reason) {
        refuse(c.target, reason);
        free(c);
    }

    private static void free(Circuit c) {
        c.id = 0;
        c.initiator = null;
        c.initiatorContact = null;
        c.initiatorAddress = null;
        c.target = null;
    }

    private Circuit find(int id) {
        if (id == 0) {
            return null;
        }
        for (Circuit c : circuits) {
            if (c.id == id) {
                return c;
            }
        }
        return null;
    }

    private Circuit freeCircuit(boolean forRequests) {
        for (Circuit c : circuits) {
            if (c.id == 0 && c.forRequests == forRequests) {
                return c;
            }
        }
        return null;
    }

    /** Circuits open with {@code peer} at either end, of both pools. */
    private int circuitsOf(NodeId peer) {
        return circuitsOf(peer, false) + circuitsOf(peer, true);
    }

    private int circuitsOf(NodeId peer, boolean forRequests) {
        int n = 0;
        for (Circuit c : circuits) {
            if (c.id != 0 && c.forRequests == forRequests && (peer.equals(c.initiator) || peer.equals(c.target.client))) {
                n++;
            }
        }
        return n;
    }

    private int reservationsAt(NodeAddress address) {
        int n = 0;
        for (Reservation r : reservations.values()) {
            if (r.address.hi() == address.hi() && r.address.lo() == address.lo()) {
                n++;
            }
        }
        return n;
    }

    /** Drops reservations that ran out, with their circuits, and circuits that outlived their duration. */
    private void dropExpired(long nowNs) {
        for (Circuit c : circuits) {
            if (c.id != 0 && (nowNs - c.openedNs >= limits.circuitNs() || nowNs >= c.target.expiresNs)) {
                c.id = 0;
                c.initiator = null;
                c.initiatorAddress = null;
                c.target = null;
            }
        }
        for (Iterator<Reservation> it = reservations.values().iterator(); it.hasNext(); ) {
            if (nowNs >= it.next().expiresNs) {
                it.remove();
            }
        }
    }
}
