package io.molia.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Test;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.CoreConfig;
import io.molia.core.CoreEvent;
import io.molia.core.NodeCore;
import io.molia.crypto.Blake3;
import io.molia.crypto.Ed25519Identity;
import io.molia.nat.DhtRole;
import io.molia.relay.Relay;
import io.molia.relay.RelayClient;
import io.molia.relay.RelayFrame;
import io.molia.relay.RelayLimits;
import io.molia.relay.RelayRefusal;
import io.molia.relay.RelayRoutes;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;

/**
 * Relays and hole punching between whole shards (sessions and cores, no sockets), with NATs modelled as RFC 4787
 * describes them: two nodes behind endpoint-independent NATs punch and end up talking directly; a symmetric NAT
 * against a port-restricted one stays on the relay and still talks; the relay forwards ciphertext it cannot read,
 * within its budget, and a stranger's frames get nothing back.
 */
class RelayShardTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long START = 1_000_000_000_000L;

    enum Kind { OPEN, PORT_RESTRICTED, SYMMETRIC }

    /** A NAT in front of one node: its outside address(es) and what it lets in. */
    static final class Nat {
        final Kind kind;
        final NodeAddress inside;
        final int publicIp;
        final Map<NodeAddress, Integer> portByDestination = new HashMap<>();
        final Set<NodeAddress> sentTo = new HashSet<>();
        int nextPort = 40_000;

        Nat(Kind kind, NodeAddress inside, int publicIp) {
            this.kind = kind;
            this.inside = inside;
            this.publicIp = publicIp;
        }

        NodeAddress outbound(NodeAddress to) {
            sentTo.add(to);
            int port = kind == Kind.SYMMETRIC ? portByDestination.computeIfAbsent(to, d -> nextPort += 7)
                    : inside.port();
            return NodeAddress.ipv4(publicIp, port);
        }

        boolean inbound(NodeAddress from, NodeAddress to) {
            return switch (kind) {
                case OPEN -> to.port() == inside.port();
                case PORT_RESTRICTED -> to.port() == inside.port() && sentTo.contains(from);
                case SYMMETRIC -> {
                    Integer port = portByDestination.get(from);
                    yield port != null && port == to.port();
                }
            };
        }
    }

    final class Node {
        final Contact self;
        final Shard shard;
        final Nat nat;
        final RelayRoutes routes = new RelayRoutes();
        final LongAdder egressBytes = new LongAdder();
        /** Bytes a second this node sends of its own (the DHT traffic of a busy public node), beside the modelled. */
        long ownBytesPerSecond;

        Node(int n, Kind kind, Relay relay) {
            byte[] seed = new byte[32];
            new SplittableRandom(n).nextBytes(seed);
            byte[] key = Ed25519Identity.fromSeed(seed).publicKey();
            int ip = 0x64400000 | n << 8 | 2; // 100.64.n.2
            NodeAddress inside = NodeAddress.ipv4(kind == Kind.OPEN ? 0xc6336400 | n : 0x0a000002, 4000);
            nat = new Nat(kind, inside, kind == Kind.OPEN ? 0xc6336400 | n : ip);
            self = new Contact(NodeId.ofPublicKey(key), key, 0, NodeAddress.ipv4(nat.publicIp, 4000));
            NodeCore core = new NodeCore(CoreConfig.defaults(), self, new SplittableRandom(n), now);
            core.enableRelay(relay, new RelayClient(routes));
            SessionManager sessions = new SessionManager(StaticIdentity.fromEd25519Seed(seed), key, new byte[32], 0,
                    0, 64, new SplittableRandom(100 + n), (id, k, pow) -> true);
            shard = new Shard(core, sessions, new BanList()::view);
            shard.relaying(routes, egressBytes);
            byIp.put(nat.publicIp, this);
        }

        NodeCore core() {
            return shard.core();
        }
    }

    private record InFlight(NodeAddress from, NodeAddress to, byte[] data) {
    }

    private final Map<Integer, Node> byIp = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final ArrayDeque<InFlight> wire = new ArrayDeque<>();
    private final List<CoreEvent> events = new ArrayList<>();
    private long now = START;
    private long strangerAnswers;

    private Node node(int n, Kind kind, Relay relay) {
        Node node = new Node(n, kind, relay);
        nodes.add(node);
        return node;
    }

    private void drain(Node n) {
        SessionManager.Transmit t;
        while ((t = n.shard.pollTransmit()) != null) {
            wire.add(new InFlight(n.nat.outbound(t.to()), t.to(), t.copy()));
        }
        CoreEvent e;
        while ((e = n.shard.pollEvent()) != null) {
            events.add(e);
        }
    }

    /** Runs the network for {@code ms} milliseconds of its clock: every datagram takes 1 ms. */
    private void run(long ms) {
        long end = now + ms * MS;
        while (now < end) {
            now += MS;
            for (Node n : nodes) {
                n.egressBytes.add(n.ownBytesPerSecond / 1000);
                n.shard.onTimeout(now, now);
                drain(n);
            }
            for (int i = wire.size(); i > 0; i--) {
                InFlight f = wire.poll();
                Node to = byIp.get(f.to().isIpv4() ? f.to().ipv4() : 0);
                if (to == null) {
                    if (f.to().port() == 1) {
                        strangerAnswers++; // to the stranger
                    }
                    continue;
                }
                if (to.nat.inbound(f.from(), f.to())) {
                    to.shard.onDatagram(f.from(), f.data(), 0, f.data().length, now, now);
                    drain(to);
                }
            }
        }
    }

    private long ping(Node from, Contact to) {
        events.clear();
        from.core().ping(now, to);
        from.shard.afterCommand(now, now);
        drain(from);
        run(2_000);
        for (CoreEvent e : events) {
            if (e instanceof CoreEvent.PingCompleted p) {
                return p.rttNs();
            }
        }
        throw new AssertionError("no ping completed");
    }

    /** B, behind a NAT, reserves at the public relay R; A asks R for a circuit to B. Returns B via the relay. */
    private Contact connect(Node a, Node r, Node b) {
        assertTrue(b.core().reserveRelay(now, r.self));
        b.shard.afterCommand(now, now);
        drain(b);
        run(3_000); // the request rode in B's handshake initiation, refused there; re-sent on the session
        assertTrue(b.core().relayClient().reserved(now), "B holds a reservation at R");
        assertEquals(1, r.core().relay().reservations());
        assertTrue(a.core().connectViaRelay(now, r.self, b.self));
        a.shard.afterCommand(now, now);
        drain(a);
        run(3_000);
        assertEquals(1, a.core().relayClient().status(now).connectsGranted());
        assertEquals(1, b.core().relayClient().status(now).incoming());
        return b.self.withAddress(RelayRoutes.relayedAddress(r.self.address(),
                r.core().relay().status(now).circuits().get(0).id()));
    }

    private static Relay relay() {
        return new Relay(RelayLimits.DEFAULTS, 9);
    }

    @Test
    void twoNodesBehindConeNatsPunchAndThenTalkDirectly() {
        Node r = node(1, Kind.OPEN, relay());
        Node a = node(2, Kind.PORT_RESTRICTED, null);
        Node b = node(3, Kind.PORT_RESTRICTED, null);
        r.ownBytesPerSecond = 1_000_000; // a busy public node: its own traffic leaves room for relaying
        Contact bViaRelay = connect(a, r, b);

        // One end's punch meets a NAT the other has not opened yet; the one that gets through is answered straight
        // back, so both ends learn the direct path.
        assertEquals(1, a.routes.upgrades(), "A heard B directly");
        assertEquals(1, b.routes.upgrades(), "B heard A directly");
        assertTrue(a.routes.punchesSent() >= 1 && b.routes.punchesSent() >= 1, "both ends punched");
        long relayed = r.core().relay().framesRelayed();
        assertTrue(relayed >= 2, "the session opened through the relay: " + relayed);
        // Later traffic goes straight between the NATs, whichever address the caller names.
        assertTrue(ping(a, b.self) >= 0);
        assertTrue(ping(b, a.self) >= 0);
        assertTrue(ping(a, bViaRelay) >= 0);
        assertEquals(relayed, r.core().relay().framesRelayed(), "nothing more through the relay");
    }

    @Test
    void aPunchedCircuitClosedByOneEndFreesTheRelaysSlotAtOnceAndTheTwoStillTalkDirectly() {
        Node r = node(1, Kind.OPEN, relay());
        Node a = node(2, Kind.PORT_RESTRICTED, null);
        Node b = node(3, Kind.PORT_RESTRICTED, null);
        r.ownBytesPerSecond = 1_000_000;
        Contact bViaRelay = connect(a, r, b);
        assertEquals(1, a.routes.upgrades(), "A heard B directly");
        assertEquals(1, r.core().relay().openCircuits());

        assertFalse(a.core().closeRelayedRoute(now, bViaRelay.address(), b.self), "only the route's relay is told");
        assertTrue(a.core().closeRelayedRoute(now, bViaRelay.address(), r.self));
        a.shard.afterCommand(now, now);
        drain(a);
        run(10); // a round trip: the relay frees the slot and tells B
        assertEquals(0, r.core().relay().openCircuits(), "the relay's slot freed at once, not after 2 minutes");
        assertEquals(1, r.core().relay().circuitsClosed());
        assertEquals(1, a.routes.closesSent());
        assertNull(a.routes.route(bViaRelay.address()), "A forgot the route");
        assertEquals(1, b.routes.closed(), "B was told by the relay");
        assertTrue(b.routes.routes().isEmpty(), "B forgot its route too");
        assertFalse(a.core().closeRelayedRoute(now, bViaRelay.address(), r.self), "closed once");

        long relayed = r.core().relay().framesRelayed();
        assertTrue(ping(a, b.self) >= 0, "A and B still talk, straight between the NATs");
        assertTrue(ping(b, a.self) >= 0);
        assertEquals(relayed, r.core().relay().framesRelayed(), "nothing through the relay");
    }

    @Test
    void symmetricAgainstPortRestrictedStaysOnTheRelayAndStillTalks() {
        Node r = node(1, Kind.OPEN, relay());
        Node a = node(2, Kind.SYMMETRIC, null);
        Node b = node(3, Kind.PORT_RESTRICTED, null);
        r.ownBytesPerSecond = 1_000_000;
        Contact bViaRelay = connect(a, r, b);

        assertEquals(0, a.routes.upgrades() + b.routes.upgrades(), "no punch can pass these two");
        assertTrue(a.routes.punchesSent() >= 1 && b.routes.punchesSent() >= 1, "both ends tried");
        long before = r.core().relay().framesRelayed();
        for (int i = 0; i < 3; i++) {
            assertTrue(ping(a, bViaRelay) >= 0, "ping " + i + " through the relay");
        }
        assertTrue(r.core().relay().framesRelayed() >= before + 6, "each ping and pong went through R");
        assertEquals(0, r.core().relay().refusals(RelayRefusal.BUDGET));
    }

    /**
     * What relaying costs the relay, per datagram: the frame in and the same frame out (its bytes twice, each with
     * 28 bytes of IP and UDP headers, of which 8 are the frame's own header), and the shard's CPU between (the
     * circuit's checks, the budget, the copy into a transmit slot; the sockets' system calls are not in it: one
     * recvmmsg and one sendmmsg slot, as for any datagram). Printed for docs/benchmarks.md, "What a relayed datagram
     * costs the relay".
     */
    @Test
    void aRelayedDatagramCostsTheRelayItsBytesTwiceAndMicrosecondsOfCpu() {
        RelayLimits roomy = new RelayLimits(100, RelayLimits.DEFAULTS.budgetWindowNs(), 128, 8,
                TimeUnit.HOURS.toNanos(1), 16, 4, Long.MAX_VALUE / 4, TimeUnit.HOURS.toNanos(1));
        Node r = node(1, Kind.OPEN, new Relay(roomy, 9));
        Node a = node(2, Kind.SYMMETRIC, null);
        Node b = node(3, Kind.PORT_RESTRICTED, null);
        r.ownBytesPerSecond = 1_000_000;
        Contact bViaRelay = connect(a, r, b);
        // One real frame from A: a ping to B sealed on their end-to-end session, through the relay.
        a.core().ping(now, bViaRelay);
        a.shard.afterCommand(now, now);
        SessionManager.Transmit t = a.shard.pollTransmit();
        assertNotNull(t);
        assertEquals(r.self.address(), t.to(), "A sends B's datagram to the relay");
        byte[] frame = t.copy();
        NodeAddress from = a.nat.outbound(t.to());
        while (a.shard.pollTransmit() != null) {
            // the rest of A's output is not measured
        }
        r.egressBytes.add(1L << 40); // a relay whose own traffic leaves the budget room: only the relay's work counts
        r.shard.onTimeout(now, now);
        measureRelaying(r, from, frame);
        // A full datagram (a NODES answer's size): the relay copies it whole, the rest is the same.
        byte[] large = java.util.Arrays.copyOf(frame, 1200);
        new SplittableRandom(5).nextBytes(large); // ciphertext to the relay, whatever it is
        System.arraycopy(frame, 0, large, 0, RelayFrame.HEADER_BYTES);
        measureRelaying(r, from, large);
    }

    private void measureRelaying(Node r, NodeAddress from, byte[] frame) {
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        int warmup = 50_000;
        int measured = 200_000;
        long framesBefore = r.core().relay().framesRelayed();
        long cpuStartNs = 0;
        long bytesOut = 0;
        for (int i = 0; i < warmup + measured; i++) {
            if (i == warmup) {
                cpuStartNs = cpu.getCurrentThreadCpuTime();
                bytesOut = 0;
            }
            r.shard.onDatagram(from, frame, 0, frame.length, now, now);
            SessionManager.Transmit out;
            while ((out = r.shard.pollTransmit()) != null) {
                bytesOut += out.length();
            }
        }
        long cpuNs = cpu.getCurrentThreadCpuTime() - cpuStartNs;
        assertEquals(warmup + measured, r.core().relay().framesRelayed() - framesBefore, "every frame relayed");
        assertEquals((long) measured * frame.length, bytesOut, "each frame leaves as it came: its bytes, once");
        System.out.printf("relay cost: a %d-byte frame (%d-byte inner datagram + %d-byte header): %d bytes in and "
                + "%d out on the wire (IP+UDP headers included); shard CPU %.0f ns per relayed datagram over %d "
                + "(warmed up over %d)%n", frame.length, frame.length - RelayFrame.HEADER_BYTES,
                RelayFrame.HEADER_BYTES, frame.length + 28, frame.length + 28, (double) cpuNs / measured, measured,
                warmup);
    }

    @Test
    void aRelayOutOfBudgetRefusesFramesAndCountsThem() {
        Node r = node(1, Kind.OPEN, relay());
        Node a = node(2, Kind.SYMMETRIC, null);
        Node b = node(3, Kind.PORT_RESTRICTED, null);
        // R sends nothing of its own but its answers: 10 % of that cannot carry a handshake's frames.
        assertTrue(b.core().reserveRelay(now, r.self));
        b.shard.afterCommand(now, now);
        drain(b);
        run(3_000);
        assertTrue(a.core().connectViaRelay(now, r.self, b.self));
        a.shard.afterCommand(now, now);
        drain(a);
        run(5_000);
        assertTrue(r.core().relay().refusals(RelayRefusal.BUDGET) > 0, "refused for the budget, counted");
        Relay.Status s = r.core().relay().status(now);
        assertTrue(s.relayedBytes() * 10 <= s.egressBytes(), s.relayedBytes() + " of " + s.egressBytes());
    }

    /** {@code client}, behind its NAT, runs as a DHT client and holds a reservation at {@code r}: a relayed server. */
    private void reserveAsRelayedServer(Node client, Node r) {
        DhtRole role = new DhtRole();
        role.client(true);
        client.core().role(role, false);
        assertTrue(client.core().reserveRelay(now, r.self));
        client.shard.afterCommand(now, now);
        drain(client);
        run(3_000);
        assertTrue(role.relayed(), "a client holding a reservation announces itself as a relayed server");
    }

    @Test
    void aGetFindsAValueHeldOnlyByAClientBehindItsRelay() {
        Node r = node(1, Kind.OPEN, relay());
        Node x = node(2, Kind.PORT_RESTRICTED, null);
        Node c = node(3, Kind.PORT_RESTRICTED, null);
        r.ownBytesPerSecond = 1_000_000;
        for (Node n : nodes) {
            n.core().enableRelayedServers(n.routes);
        }
        reserveAsRelayedServer(c, r);
        // The relay enters its client in the form that reaches it, and hands that out.
        Contact inRelayTable = r.core().routingTable().entry(c.self.id()).contact();
        assertEquals(r.self.id(), inRelayTable.relay().id(), "R's table holds C as reached through R");

        byte[] value = "held only behind a NAT".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        NodeId key = NodeId.fromBytes(new Blake3().hash(value));
        assertTrue(c.core().records().put(now, key, value, TimeUnit.HOURS.toNanos(1)));
        x.core().routingTable().onContactSeen(now, r.self); // X knows only the relay
        events.clear();
        x.core().startGet(now, key);
        x.shard.afterCommand(now, now);
        drain(x);
        run(5_000);

        CoreEvent.GetCompleted get = null;
        for (CoreEvent e : events) {
            if (e instanceof CoreEvent.GetCompleted g) {
                get = g;
            }
        }
        assertNotNull(get, "the get ended");
        assertNotNull(get.value(), "the value came from the client, through a circuit at its relay");
        assertEquals(new String(value, java.nio.charset.StandardCharsets.UTF_8),
                new String(get.value(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(1, x.core().circuits().opened(), "X opened one circuit at C's relay");
        assertEquals(1, c.core().relayClient().status(now).incoming(), "C was told of it by R");
        assertTrue(r.core().relay().framesRelayed() >= 2, "the session with C opened through R");
        Contact learned = x.core().routingTable().entry(c.self.id()).contact();
        assertEquals(r.self.id(), learned.relay().id(), "X entered C as reached through R, not at its NAT's address");
        assertEquals(1, x.routes.upgrades(), "two port-restricted NATs: the punch got X and C talking directly");
        long relayed = r.core().relay().framesRelayed();
        assertTrue(ping(x, learned) >= 0, "a later request to the relayed contact is answered");
        assertEquals(1, x.core().circuits().opened(), "it rode the live session: no second circuit");
        assertEquals(relayed, r.core().relay().framesRelayed(), "straight between the NATs, not through R");
    }

    @Test
    void aRelayedServerWhoseRelayRefusesFailsLikeADeadContact() {
        Node r = node(1, Kind.OPEN, relay());
        Node x = node(2, Kind.PORT_RESTRICTED, null);
        Node c = node(3, Kind.PORT_RESTRICTED, null);
        r.ownBytesPerSecond = 1_000_000;
        for (Node n : nodes) {
            n.core().enableRelayedServers(n.routes);
        }
        // X was handed C as reached through R, but C holds no reservation there (it expired, or never was).
        Contact stale = c.self.withRelay(r.self);
        events.clear();
        x.core().ping(now, stale);
        x.shard.afterCommand(now, now);
        drain(x);
        run(15_000);
        assertEquals(1, x.core().circuits().refused(), "R refused the circuit");
        CoreEvent.PingCompleted ping = null;
        for (CoreEvent e : events) {
            if (e instanceof CoreEvent.PingCompleted p) {
                ping = p;
            }
        }
        assertNotNull(ping, "the ping ended");
        assertTrue(ping.rttNs() < 0, "the ping failed: " + ping.rttNs());
        assertEquals(0, c.core().relayClient().status(now).incoming(), "C heard nothing");
        assertEquals(0, x.core().circuits().circuits(), "no circuit kept for it");
    }

    @Test
    void aStrangersFramesGetNothingBackAndRelayNothing() {
        Node r = node(1, Kind.OPEN, relay());
        r.ownBytesPerSecond = 1_000_000;
        NodeAddress stranger = NodeAddress.ipv4(0xcb007101, 1);
        byte[] frame = new byte[RelayFrame.HEADER_BYTES + 148];
        new SplittableRandom(5).nextBytes(frame);
        RelayFrame.writeHeader(frame, 0, 0x1234);
        frame[RelayFrame.HEADER_BYTES] = 1; // a WireGuard initiation inside
        r.shard.onDatagram(stranger, frame, 0, frame.length, now, now);
        drain(r);
        run(100);
        assertEquals(0, strangerAnswers, "a stranger hears nothing");
        assertEquals(1, r.core().relay().refusals(RelayRefusal.UNKNOWN_CIRCUIT));
        assertEquals(0, r.core().relay().framesRelayed());
        assertNull(r.shard.pollTransmit());
        assertFalse(r.core().relay().status(now).circuits().size() > 0);
        assertNotNull(r.core().relay().status(now));
    }
}
