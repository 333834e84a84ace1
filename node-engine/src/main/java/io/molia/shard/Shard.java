package io.molia.shard;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.core.NodeCore;
import io.molia.core.Outbound;
import io.molia.core.PeerScores;
import io.molia.core.RoutingNote;
import io.molia.core.ShardPartition;
import io.molia.nat.NatProbe;
import io.molia.relay.BirthdayPunch;
import io.molia.relay.Relay;
import io.molia.relay.RelayFrame;
import io.molia.relay.RelayLimits;
import io.molia.relay.RelayRoutes;
import io.molia.session.SessionManager;

/**
 * One shard of a node, with no I/O (DESIGN §3.1–3.2): the WireGuard sessions whose receiver index it issued, a
 * {@link NodeCore} holding the records of its key partition and the lookups started on it, and the glue between
 * the two. Datagrams, inbox messages and the time go in; datagrams to send, messages for other shards, the next
 * deadline and completed operations come out. A node's event loop drives one per core; the simulator and tests
 * drive it by hand.
 *
 * <p>After each input the driver drains {@link #pollTransmit} (to the socket), {@link #pollHandover} (to the named
 * shard's inbox) and {@link #pollEvent}, then arms its timer for {@link #nextDeadlineNs}. Record writes are
 * journaled before their acknowledgement is queued; a driver with a WAL that batches syncs forces it before it
 * sends or hands over anything.
 *
 * <p>Owned by the shard's thread; not thread-safe.
 */
public final class Shard {
    /** How often a peer this shard talks with is reported alive to the routing table's owner. */
    static final long ALIVE_REPORT_EVERY_NS = TimeUnit.SECONDS.toNanos(30);
    /** A relayed server heard from within this is still reached on its session (many NATs keep a mapping 30 s). */
    static final long RELAYED_SESSION_FRESH_NS = TimeUnit.SECONDS.toNanos(20);

    /** A message for shard {@code shard}'s inbox. */
    public record Handover(int shard, ShardMessage message) {
    }

    private final ShardPartition partition;
    private final NodeCore core;
    private final SessionManager sessions;
    private final Supplier<BanList.View> bans;
    private final ArrayDeque<Handover> handovers = new ArrayDeque<>();
    /** On the routing table's owner: which other shard lately heard from a peer (its alive reports). */
    private final SessionDirectory directory = new SessionDirectory();
    private long directorySweptNs = Long.MIN_VALUE / 2;
    /** While a record request another shard handed over is handled: that shard, which seals the answer. */
    private int answerVia = -1;
    /** The circuits this node is an end of (shared by its shards); none until the driver gives the node's. */
    private RelayRoutes relayRoutes = new RelayRoutes();
    /** The node's egress (bytes its shards handed their drivers to send): a relay spends a share of it. */
    private LongAdder egressBytes = new LongAdder();

    /** {@code bans} gives the operator's bans as last published (read on every datagram, never locked). */
    public Shard(NodeCore core, SessionManager sessions, Supplier<BanList.View> bans) {
        this.partition = core.partition();
        if (sessions.shard() != partition.index()) {
            throw new IllegalArgumentException("sessions of shard " + sessions.shard() + " for shard "
                    + partition.index());
        }
        this.core = core;
        this.sessions = sessions;
        this.bans = bans;
    }

    public int index() {
        return partition.index();
    }

    public NodeCore core() {
        return core;
    }

    public SessionManager sessions() {
        return sessions;
    }

    /** Relaying: the node's circuits ({@code routes}) and egress counter, both shared by its shards. */
    public void relaying(RelayRoutes routes, LongAdder egressBytes) {
        this.relayRoutes = routes;
        this.egressBytes = egressBytes;
    }

    // ---------------------------------------------------------------- inputs

    /**
     * A datagram this shard's socket received from {@code from}: handled here, or handed to the shard whose receiver
     * index it names (copied). {@code wallNs} is the wall clock, for TAI64N timestamps only.
     */
    public void onDatagram(NodeAddress from, byte[] buf, int off, int len, long nowNs, long wallNs) {
        if (NatProbe.isProbe(buf, off, len)) {
            long nonce = NatProbe.nonceOf(buf, off);
            if (core.ownsRoutingTable()) {
                core.onNatProbe(nowNs, from, nonce);
            } else {
                handovers.add(new Handover(0, new ShardMessage.Probe(from, nonce)));
            }
            return;
        }
        if (RelayFrame.isFrame(buf, off, len)) {
            onFrame(from, buf, off, len, nowNs, wallNs);
            return;
        }
        if (BirthdayPunch.isProbe(buf, off, len)) {
            relayRoutes.birthdayCounters().stray.incrementAndGet(); // only a punch socket takes one; never answered
            return;
        }
        int owner = ShardSteering.ownerOf(buf, off, len, partition.index(), partition.count(),
                partition.bits());
        if (owner != partition.index()) {
            handovers.add(new Handover(owner, new ShardMessage.Datagram(from, Arrays.copyOfRange(buf, off,
                    off + len)))); // a full inbox drops it, counted
            return;
        }
        receive(from, buf, off, len, nowNs, wallNs);
    }

    /** What another shard handed this one. */
    public void onInbox(ShardMessage message, long nowNs, long wallNs) {
        switch (message) {
            case ShardMessage.Datagram d -> {
                if (RelayFrame.isFrame(d.data(), 0, d.data().length)) {
                    relay(d.sender(), d.data(), 0, d.data().length, nowNs, wallNs); // handed over for the relay
                } else {
                    receive(d.sender(), d.data(), 0, d.data().length, nowNs, wallNs);
                }
                return; // both moved their output
            }
            case ShardMessage.Delivered d -> {
                answerVia = d.origin();
                core.onDatagram(nowNs, d.from(), d.data(), 0, d.data().length); // ours by the same partition rule
            }
            case ShardMessage.Send s -> sendRequest(nowNs, wallNs, s.to(), s.data(), s.data().length);
            case ShardMessage.Alive a -> {
                directory.note(a.from().id(), a.origin(), nowNs);
                core.onContactedBy(nowNs, a.from());
            }
            case ShardMessage.Routing r -> core.onRoutingNote(nowNs, r.note());
            case ShardMessage.Probe p -> core.onNatProbe(nowNs, p.sender(), p.nonce());
        }
        moveOutput(nowNs, wallNs);
        answerVia = -1;
    }

    /** Runs what is due at {@code nowNs}: the core's timers and the session layer's (each only when due). */
    public void onTimeout(long nowNs, long wallNs) {
        Relay relay = core.relay();
        if (relay != null) {
            relay.onEgressCounter(nowNs, egressBytes.sum()); // the budget's window fills before frames come
        }
        if (core.ownsRoutingTable()) { // the relays closed those circuits by now (a node that relays nothing has some)
            relayRoutes.expire(nowNs, (relay == null ? RelayLimits.DEFAULTS : relay.limits()).circuitNs());
        }
        if (nowNs >= core.nextDeadlineNs()) {
            core.onTimer(nowNs);
        }
        if (nowNs >= sessions.nextDeadlineNs()) {
            sessions.onTimer(nowNs, wallNs);
        }
        if (nowNs - directorySweptNs >= SessionDirectory.FRESH_NS) {
            directorySweptNs = nowNs; // a pass over the directory once per freshness period, not per timer
            directory.sweep(nowNs);
        }
        moveOutput(nowNs, wallNs);
    }

    /** Moves what a command given to {@link #core()} (a lookup, put, get, ping) queued: call after each one. */
    public void afterCommand(long nowNs, long wallNs) {
        moveOutput(nowNs, wallNs);
    }

    // ---------------------------------------------------------------- outputs

    /**
     * The next datagram for the socket, or null; valid until the next call into this shard. One to a peer at a
     * relayed address leaves as a {@link RelayFrame} to its relay.
     */
    public SessionManager.Transmit pollTransmit() {
        SessionManager.Transmit t;
        while ((t = sessions.pollTransmit()) != null && RelayRoutes.isRelayed(t.to())) {
            RelayRoutes.Route route = relayRoutes.route(t.to());
            if (route != null && t.prefix(RelayFrame.HEADER_BYTES, route.relay())) {
                RelayFrame.writeHeader(t.data(), 0, route.circuit());
                egressBytes.add(t.length());
                return t;
            }
            core.counters().relayFramesDropped++; // the circuit is gone: the session's retries meet the same, then it times out
        }
        if (t != null) {
            egressBytes.add(t.length());
        }
        return t;
    }

    /**
     * Sends {@code peer}'s session a keepalive to {@code to} now (a birthday punch hit: it leaves through the socket
     * that was hit); false when this shard holds no confirmed session with the peer.
     */
    public boolean punchNow(long nowNs, NodeId peer, NodeAddress to) {
        if (!sessions.sendKeepaliveTo(nowNs, peer, to)) {
            return false;
        }
        relayRoutes.onPunchSent();
        return true;
    }

    /** The next dial-back probe to send from the probe socket (see {@link NatProbe}), or null. */
    public NatProbe pollProbe() {
        return core.pollProbe();
    }

    /** The next birthday punch for the driver ({@link BirthdayPunch}), or null. */
    public BirthdayPunch pollBirthday() {
        return relayRoutes.pollBirthday();
    }

    /** The next message for another shard's inbox, or null. */
    public Handover pollHandover() {
        return handovers.poll();
    }

    public CoreEvent pollEvent() {
        return core.pollEvent();
    }

    /** When {@link #onTimeout} is next due (System.nanoTime scale). */
    public long nextDeadlineNs() {
        return Math.min(core.nextDeadlineNs(), sessions.nextDeadlineNs());
    }

    // ---------------------------------------------------------------- the glue between sessions and core

    /**
     * A {@link RelayFrame}: on a circuit this node is an end of, its inner datagram comes "from" the circuit's
     * relayed address (and is steered like any other); else it is for this node's relay, on the routing table's
     * owner.
     */
    private void onFrame(NodeAddress from, byte[] buf, int off, int len, long nowNs, long wallNs) {
        NodeAddress via = relayRoutes.inbound(from, RelayFrame.circuitOf(buf, off));
        if (via != null) {
            if (RelayFrame.isFrame(buf, off + RelayFrame.HEADER_BYTES, len - RelayFrame.HEADER_BYTES)) {
                core.counters().relayFramesDropped++; // a frame in a frame: nothing relays twice
                return;
            }
            onDatagram(via, buf, off + RelayFrame.HEADER_BYTES, len - RelayFrame.HEADER_BYTES, nowNs, wallNs);
        } else if (core.ownsRoutingTable()) {
            relay(from, buf, off, len, nowNs, wallNs);
        } else {
            handovers.add(new Handover(0, new ShardMessage.Datagram(from, Arrays.copyOfRange(buf, off, off + len))));
        }
    }

    /**
     * After an authenticated datagram: one through a relay asks for a punch (while the route has some left); one
     * straight from a peer that had a route means a punch got through.
     */
    private void punchOrUpgrade(long nowNs, NodeAddress from, int status) {
        NodeId peer = sessions.lastAuthenticatedPeer();
        if (peer == null && status == SessionManager.DELIVERED && sessions.delivery().session != null) {
            peer = sessions.delivery().from.id(); // a handshake response: it proved the peer's keys
        }
        if (peer == null) {
            return;
        }
        if (!RelayRoutes.isRelayed(from)) {
            if (relayRoutes.onDirect(peer, from)) {
                sessions.sendKeepaliveTo(nowNs, peer, from); // its punch got through: ours back tells it so
            }
            return;
        }
        RelayRoutes.Route route = relayRoutes.route(from);
        NodeAddress direct = route == null ? null : route.punchDue();
        if (direct != null && sessions.sendKeepaliveTo(nowNs, peer, direct)) {
            relayRoutes.onPunchSent();
            relayRoutes.onFirstPunch(route); // a symmetric NAT against a port-restricted one: many ports at once
        }
    }

    /** Sends a frame on to its circuit's other end, as it came, if this node's relay allows it (else counted). */
    private void relay(NodeAddress from, byte[] buf, int off, int len, long nowNs, long wallNs) {
        Relay relay = core.relay();
        if (relay == null) {
            core.counters().relayFramesDropped++;
            return;
        }
        relay.onEgressCounter(nowNs, egressBytes.sum());
        NodeAddress to = relay.onFrame(nowNs, from, buf, off, len);
        if (to != null) {
            sessions.sendAsIs(to, buf, off, len);
        }
        moveOutput(nowNs, wallNs);
    }

    private void receive(NodeAddress from, byte[] buf, int off, int len, long nowNs, long wallNs) {
        BanList.View banned = bans.get();
        if (!banned.isEmpty() && banned.bansAddress(nowNs, from)) {
            banned.onDropped();
            return;
        }
        int status = sessions.onDatagram(nowNs, wallNs, from, buf, off, len);
        if (status != SessionManager.DROPPED) {
            punchOrUpgrade(nowNs, from, status);
        } else {
            NodeId limited = sessions.pollLimitedPeer();
            if (limited != null) {
                core.onPeerBehaviour(nowNs, limited, PeerScores.Reason.LIMITER_HIT);
            }
        }
        if (status == SessionManager.DELIVERED || status == SessionManager.CONFIRMED) {
            SessionManager.Delivery d = sessions.delivery();
            if (!banned.isEmpty() && banned.bansPeer(nowNs, d.from.id())) {
                banned.onDropped();
            } else if (status == SessionManager.CONFIRMED) {
                reportAlive(nowNs, d.from); // it proved its keys from its address: a candidate
            } else if (d.session == null) {
                // Carried by an initiation, maybe a replay: a read-only answer that rides in the handshake response,
                // or none (the initiator asks again on the session, and a record request is then handed over).
                core.onUnconfirmedDatagram(nowNs, d.from, d.data, d.offset, d.length);
            } else {
                int owner = core.onDatagram(nowNs, d.from, d.data, d.offset, d.length);
                if (owner != NodeCore.HANDLED) {
                    handovers.add(new Handover(owner, new ShardMessage.Delivered(partition.index(), d.from,
                            Arrays.copyOfRange(d.data, d.offset, d.offset + d.length))));
                }
                if (!core.ownsRoutingTable() && d.session.aliveReportDue(nowNs, ALIVE_REPORT_EVERY_NS)) {
                    handovers.add(new Handover(0, new ShardMessage.Alive(partition.index(), d.from)));
                }
            }
        }
        moveOutput(nowNs, wallNs);
    }

    /**
     * Seals the request {@code data[0, len)} for {@code to}. To a relayed server (a contact naming its relay): on a
     * live session that still reaches it, else through a circuit its core opens at the relay. One to a circuit's
     * relayed address moves the peer's session onto that circuit when the session's own circuit has closed: else it
     * would keep sending into a circuit no relay holds any more.
     */
    private void sendRequest(long nowNs, long wallNs, Contact to, byte[] data, int len) {
        if (to.relay() != null) {
            if (!sessionReaches(nowNs, to.id()) && core.sendThroughCircuit(nowNs, to, data, len)) {
                return; // queued again by the core, to the circuit's relayed address (now or once granted)
            }
            to = to.withoutRelay();
        }
        if (RelayRoutes.isRelayed(to.address())) {
            NodeAddress at = sessions.endpointOf(to.id());
            if (at != null && !at.equals(to.address()) && RelayRoutes.isRelayed(at) && relayRoutes.route(at) == null) {
                sessions.moveEndpoint(to.id(), to.address());
            }
        }
        sessions.send(nowNs, wallNs, to, data, 0, len);
    }

    /**
     * Whether a request to {@code peer}, a relayed server, can ride this shard's session with it: live, heard from
     * lately (its NAT still lets this node in), on a path still open (direct, or a circuit its relay still holds).
     */
    private boolean sessionReaches(long nowNs, NodeId peer) {
        if (!sessions.canSendNow(nowNs, peer) || nowNs - sessions.lastHeardFromNs(peer) > RELAYED_SESSION_FRESH_NS) {
            return false;
        }
        NodeAddress at = sessions.endpointOf(peer);
        return at != null && (!RelayRoutes.isRelayed(at) || relayRoutes.route(at) != null);
    }

    private void reportAlive(long nowNs, Contact peer) {
        if (core.ownsRoutingTable()) {
            core.onContactedBy(nowNs, peer);
        } else {
            handovers.add(new Handover(0, new ShardMessage.Alive(partition.index(), peer)));
        }
    }

    /**
     * The shard a request to {@code peer} is sealed on: this one if it holds a live session with the peer that has
     * heard from it since another shard last reported the peer alive (a peer that restarted talks to that shard on a
     * new session, and the old one here holds keys it no longer has); else that other shard; else the peer's home
     * shard, which opens the node's one outgoing session to it.
     */
    private int requestVia(long nowNs, NodeId peer) {
        int elsewhere = directory.shardOf(peer, nowNs);
        if (sessions.canSendNow(nowNs, peer)
                && (elsewhere < 0 || sessions.lastHeardFromNs(peer) >= directory.seenNs(peer))) {
            return partition.index();
        }
        return elsewhere >= 0 ? elsewhere : partition.homeOf(peer);
    }

    /**
     * Seals what the core queued: an answer on the session its request came on (another shard's, for a record
     * request handed over); a request on this shard's live session with the peer, else through the peer's home
     * shard, which opens the node's one outgoing session to it. Then hands the owner what the core learned.
     */
    private void moveOutput(long nowNs, long wallNs) {
        Outbound out;
        while ((out = core.pollTransmit()) != null) {
            Contact to = out.to();
            int via = out.reply() ? (answerVia >= 0 ? answerVia : partition.index()) : requestVia(nowNs, to.id());
            if (via == partition.index()) {
                sendRequest(nowNs, wallNs, to, out.data(), out.length());
            } else {
                handovers.add(new Handover(via, new ShardMessage.Send(to, Arrays.copyOf(out.data(), out.length()))));
            }
        }
        sessions.finishResponses(nowNs);
        RoutingNote note;
        while ((note = core.pollRoutingNote()) != null) {
            handovers.add(new Handover(0, new ShardMessage.Routing(note)));
        }
        core.publishRouting();
    }
}
