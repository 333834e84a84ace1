package io.molia.sim;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.ToDoubleFunction;

import io.molia.codec.KnownIds;
import io.molia.codec.MessageCodec;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.contact.ProofOfWork;
import io.molia.core.CoreEvent;
import io.molia.core.NodeCore;
import io.molia.core.Outbound;
import io.molia.core.RoutingEntry;
import io.molia.core.TransmitBuffers;
import io.molia.core.lookup.LookupHop;
import io.molia.core.store.MutableStore;
import io.molia.core.store.RecordsConfig;
import io.molia.crypto.Blake3;
import io.molia.crypto.Ed25519Identity;
import io.molia.nat.DhtRole;
import io.molia.nat.NatProbe;
import io.molia.nat.NatTraversal;
import io.molia.nat.NatType;
import io.molia.record.MutableRecord;
import io.molia.record.SignedNodeRecord;
import io.molia.relay.Relay;
import io.molia.relay.RelayClient;
import io.molia.relay.RelayLimits;
import io.molia.relay.RelayRoutes;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;
import io.molia.shard.BanList;
import io.molia.shard.Shard;

/**
 * A discrete-event simulation of a Molia network: thousands of {@link NodeCore}s (the very class the real node
 * runs) in one JVM, on virtual time, exchanging the real encoded datagrams over a network modelled from measured
 * Internet RTTs, with loss and churn. With {@link SimConfig#sessions()} each node is a {@link Shard} with real
 * WireGuard sessions, driven as a node's event loop drives it: the datagrams on the simulated wire are sealed.
 *
 * <p>Deterministic: events are ordered by (time, sequence) and every random choice comes from a
 * {@link SplittableRandom} split per concern from the master seed; the same seed gives the same trace digest.
 *
 * <p>Model (documented in docs/simulator.md): each node sits on one of the matrix's 490 sites, plus its own
 * one-way access-link delay; one-way delay = RTT(site a, site b) / 2 + access(a) + access(b). The initial network
 * starts warm (tables filled from the global view, as after long uptime, with measured RTTs); every join during the
 * run goes through the real bootstrap protocol. Departures vanish silently. A {@link Partition} drops every datagram
 * between a region's sites and the rest for a while. A {@link SybilAttack} adds Sybils that pay the same proof of
 * work, placed around the measured keys or in one node's buckets; the measured lookups are then gets. With
 * {@link #withNats} a share of the nodes sits behind {@link SimulatedNat}s and runs the core's own NAT traversal.
 *
 * <p>Single-threaded; not thread-safe.
 */
public final class Simulation {
    private static final long PORT = 4000;
    private static final long MAX_DRAIN_AFTER_LAST_LOOKUP_NS = TimeUnit.SECONDS.toNanos(120);
    /** The wall clock of the simulated world at virtual time 0 (2027-01-01), for the handshakes' TAI64N stamps. */
    private static final long WALL_EPOCH_NS = 1_798_761_600L * 1_000_000_000L;
    /** Sessions a simulated node keeps: a lookup meets at most a few dozen peers; the table evicts beyond. */
    private static final int SESSIONS_PER_NODE = 512;
    private static final BanList.View NO_BANS = new BanList().view();
    /** How long the records the measured gets read were stored for: beyond any run. */
    private static final long TARGET_TTL_NS = TimeUnit.HOURS.toNanos(24);
    /** Records the measured gets read when Sybils are not placed around them. */
    private static final int DEFAULT_GET_TARGETS = 100;

    private final SimConfig config;
    private final LatencyMatrix latency;
    private final SplittableRandom topologyRandom;
    private final SplittableRandom lossRandom;
    private final SplittableRandom churnRandom;
    private final SplittableRandom lookupRandom;
    private final SplittableRandom identityRandom;
    private final SplittableRandom recordRandom;
    private final SplittableRandom attackRandom;
    /** Every NAT draw (types, alternate addresses, the cores' NAT state): split last, so runs without NATs keep theirs. */
    private final SplittableRandom natRandom;
    /** Which nodes sit behind which NAT, or null: every node is public and runs no NAT traversal. */
    private NatMix nats;
    /** Nodes behind NATs, by their NAT's external address. */
    private final Map<Integer, SimNode> byExternalIp = new HashMap<>();
    private int nextPrivateIp = 0x0A00_0001; // 10.0.0.1: behind a NAT a node is bound to a private address
    private long natFiltered;
    private long natProbesSent;
    private long natProbesDelivered;
    private final List<LookupSample> fromNatted = new ArrayList<>();
    private final List<LookupSample> fromPublic = new ArrayList<>();
    private final Map<NatType, Integer> failuresByClosestNat = new java.util.EnumMap<>(NatType.class);
    /** The record rounds of {@code --records}, or null. */
    private RecordWorkload records;
    /** The record settings every core runs ({@code molia sim --repair-interval} etc.); null: the core's defaults. */
    private RecordsConfig recordsConfig;
    /** The adversary, or null; with one, what the measured gets read, how Sybils answer, what they paid. */
    private final SybilAttack attack;
    private GetTargets targets;
    private SybilResponder responder;
    private final List<Contact> sybilContacts = new ArrayList<>();
    private final Blake3 blake3 = new Blake3();
    private final byte[] powInput = new byte[ProofOfWork.INPUT_BYTES];
    private final byte[] hashScratch = new byte[Blake3.OUTPUT_BYTES];
    private final byte[] sybilOut = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
    private long sybilHashes;
    /** Why measured gets failed; with an adversary only. */
    private GetAnalysis getAnalysis;
    private int sybilPrefixBits;
    private SimNode victim;
    private double victimShareStart = -1;
    /** Forged records refused by honest cores that have since left (the others are summed at the end). */
    private long rejectedByDeparted;
    /** Spare copies of writes (stores streamed to peers later out of the final k) counted by nodes that left. */
    private long spareCopiesByDeparted;
    private int gets;
    private int getsFound;
    private int getsCorrect;
    private final TimeOrderedQueue<Event> queue = new TimeOrderedQueue<>();
    /** One pool of datagram buffers for every node: each is drained after every input (see {@link #drain}). */
    private final TransmitBuffers transmitBuffers = new TransmitBuffers();
    /** The IDs of the keys any node decoded, for all of them: 2^18 slots (9 MB), room for a 100k run's identities. */
    private final KnownIds knownIds = new KnownIds(1 << 18);
    private final SimNode[] slots;
    private final Map<NodeAddress, SimNode> byAddress = new HashMap<>();
    private final Set<Integer> usedIps = new HashSet<>();
    private final Map<Long, MeasuredLookup> measured = new HashMap<>();
    private final List<LookupSample> completed = new ArrayList<>();
    private final LatencyBreakdown breakdown = new LatencyBreakdown();
    private final ChurnDiagnostics churnDiagnostics = new ChurnDiagnostics();
    private final ClosestNodeDiagnostics closestDiagnostics = new ClosestNodeDiagnostics();
    /** Sites of the region a {@link Partition} cuts off (all false without one). */
    private final boolean[] regionSites;
    private long seq;
    private long nowNs;
    private long digest = 0xcbf29ce484222325L;
    private long nodesReplaced;
    private long datagramsSent;
    private long datagramsLost;
    private long datagramsCut;
    private int initialNodesInside;
    private int lookupsIssued;
    private int nextIncarnation;
    private IntConsumer progress = done -> { };

    public Simulation(SimConfig config, LatencyMatrix latency) {
        this.config = config;
        this.latency = latency;
        SplittableRandom master = new SplittableRandom(config.seed());
        this.topologyRandom = master.split();
        this.lossRandom = master.split();
        this.churnRandom = master.split();
        this.lookupRandom = master.split();
        this.identityRandom = master.split();
        this.regionSites = region(config.partition(), latency, master.split());
        this.recordRandom = master.split();
        this.attackRandom = master.split();
        this.natRandom = master.split();
        this.attack = config.sybils();
        this.slots = new SimNode[config.nodes()];
    }

    /** The {@code fraction} of the sites nearest by RTT to one drawn at random: a part of the world. */
    private static boolean[] region(Partition partition, LatencyMatrix latency, SplittableRandom random) {
        boolean[] inside = new boolean[latency.sites()];
        if (partition == null) {
            return inside;
        }
        int center = random.nextInt(latency.sites());
        Integer[] bySiteDistance = new Integer[latency.sites()];
        for (int i = 0; i < bySiteDistance.length; i++) {
            bySiteDistance[i] = i;
        }
        Arrays.sort(bySiteDistance, (a, b) -> Double.compare(latency.rttMs(center, a), latency.rttMs(center, b)));
        int count = (int) Math.ceil(partition.fraction() * latency.sites());
        for (int i = 0; i < count; i++) {
            inside[bySiteDistance[i]] = true;
        }
        return inside;
    }

    /** Adds {@code rounds} record rounds ({@link RecordWorkload}) over the lookups' span; before {@link #run}. */
    public void withRecords(int rounds) {
        withRecords(rounds, 0);
    }

    /**
     * As {@link #withRecords(int)}, and every record stored is read again {@code checkAfterNs} of virtual time after
     * its write (its survival under churn, with republish and repair running); 0 checks nothing.
     */
    public void withRecords(int rounds, long checkAfterNs) {
        if (checkAfterNs < 0) {
            throw new IllegalArgumentException("--records-check-after must not be negative");
        }
        this.records = rounds > 0 ? new RecordWorkload(rounds, checkAfterNs) : null;
    }

    /**
     * Gives every node these record settings (TTLs, republish and repair intervals, probe budget), as a node's flags
     * do; null keeps the core's defaults (and their trace); before {@link #run}.
     */
    public void withRecordsConfig(RecordsConfig config) {
        this.recordsConfig = config;
    }

    /**
     * Puts a share of the nodes behind NATs ({@code mix}; null: none) and gives every node the core's NAT traversal
     * and relays, as the real node runs them; before {@link #run}.
     */
    public void withNats(NatMix mix) {
        if (mix != null && config.sessions()) {
            throw new IllegalArgumentException("--nat-share runs without --sessions (NATs are modelled between "
                    + "protocol cores)");
        }
        if (mix != null && attack != null) {
            throw new IllegalArgumentException("--nat-share and --sybil-fraction are not simulated together");
        }
        this.nats = mix;
    }

    /** The NAT figures after {@link #run}, or null when the run had no NATs. */
    public NatOutcome natOutcome() {
        if (nats == null) {
            return null;
        }
        return NatOutcome.of(nats, nowNs, List.of(slots).stream().map(n -> new NatOutcome.Node(n.natType,
                n.core.nat().type(), n.core.nat().role().client(),
                n.core.relayClient() != null && n.core.relayClient().reserved(nowNs),
                nowNs - n.bornNs >= seconds(NatOutcome.SETTLED_SECONDS))).toList(),
                natFiltered, natProbesSent, natProbesDelivered, fromNatted, fromPublic, failuresByClosestNat);
    }

    /** The record rounds' figures after {@link #run}, or null when none were asked for. */
    public RecordWorkload.Figures recordFigures() {
        if (records == null) {
            return null;
        }
        long spares = spareCopiesByDeparted;
        for (SimNode n : slots) {
            spares += n.core.counters().writeSpareCopies;
        }
        return records.figures(spares);
    }

    /** Called with the number of measured lookups completed so far, at most every 1% of them. */
    public void onProgress(IntConsumer listener) {
        this.progress = listener;
    }

    public SimReport run() {
        long wallStart = System.nanoTime();
        resetPeakHeap();
        int honest = slots.length - (attack == null ? 0 : attack.sybils(slots.length));
        for (int i = 0; i < honest; i++) {
            slots[i] = newNode(i, true);
            initialNodesInside += regionSites[slots[i].site] ? 1 : 0;
        }
        if (attack != null) {
            addSybils(honest);
        }
        warmStart();
        if (attack != null) {
            afterWarmStartUnderAttack(honest);
        }
        long warmupNs = seconds(config.warmupSeconds());
        long spanNs = seconds(config.lookupSeconds());
        for (int i = 0; i < config.lookups(); i++) {
            schedule(warmupNs + spanNs * i / Math.max(1, config.lookups()), EventKind.LOOKUP, -1, 0, null, null);
        }
        for (int i = 0; records != null && i < records.rounds(); i++) {
            schedule(warmupNs + spanNs * i / records.rounds(), EventKind.RECORD, -1, 0, null, null);
        }
        if (config.churnPerMinute() > 0) {
            schedule(nextChurnGapNs(), EventKind.CHURN, -1, 0, null, null);
        }
        long deadlineNs = warmupNs + spanNs + MAX_DRAIN_AFTER_LAST_LOOKUP_NS
                + (records == null ? 0 : records.checkAfterNs());
        int reported = 0;
        Event e;
        while ((e = queue.poll()) != null && e.timeNs <= deadlineNs) {
            nowNs = e.timeNs;
            dispatch(e);
            if (lookupsIssued >= config.lookups() && (measured.isEmpty() || originsAllLeft())
                    && (records == null || records.done())) {
                break;
            }
            if (completed.size() * 100L / Math.max(1, config.lookups()) > reported) {
                reported = (int) (completed.size() * 100L / Math.max(1, config.lookups()));
                progress.accept(completed.size());
            }
        }
        return report((System.nanoTime() - wallStart) / 1e9);
    }

    // ------------------------------------------------------------------ events

    private enum EventKind { DELIVER, PROBE, WAKE, LOOKUP, CHURN, RECORD, RECORD_CHECK }

    /** One thing that happens at {@code timeNs}; the queue orders events by time, then by when they were scheduled. */
    private static final class Event {
        final long timeNs;
        final EventKind kind;
        final int slot;
        final int incarnation;
        final Contact from;
        final byte[] data;

        Event(long timeNs, EventKind kind, int slot, int incarnation, Contact from, byte[] data) {
            this.timeNs = timeNs;
            this.kind = kind;
            this.slot = slot;
            this.incarnation = incarnation;
            this.from = from;
            this.data = data;
        }
    }

    private void schedule(long timeNs, EventKind kind, int slot, int incarnation, Contact from, byte[] data) {
        queue.add(timeNs, seq++, new Event(timeNs, kind, slot, incarnation, from, data));
    }

    private void dispatch(Event e) {
        switch (e.kind) {
            case DELIVER -> {
                SimNode node = slots[e.slot];
                if (node.incarnation != e.incarnation) {
                    datagramsLost++; // the addressee left while the datagram was in flight
                    return;
                }
                mix(e.timeNs, e.slot, e.data.length);
                if (node.sybil && attack.behaviour() != SybilBehaviour.SLOW) {
                    answerAsSybil(node, e);
                    return;
                }
                if (node.shard != null) {
                    node.shard.onDatagram(e.from.address(), e.data, 0, e.data.length, nowNs, WALL_EPOCH_NS + nowNs);
                } else {
                    node.core.onDatagram(nowNs, e.from, e.data, 0, e.data.length);
                }
                drain(node);
            }
            case PROBE -> {
                SimNode node = slots[e.slot];
                if (node.incarnation != e.incarnation) {
                    return;
                }
                mix(e.timeNs, e.slot, e.data.length);
                natProbesDelivered++;
                node.core.onNatProbe(nowNs, e.from.address(), NatProbe.nonceOf(e.data, 0));
                drain(node);
            }
            case WAKE -> {
                SimNode node = slots[e.slot];
                if (node.incarnation != e.incarnation || node.wakeAtNs != e.timeNs) {
                    return; // superseded by an earlier wake, or the node left
                }
                node.wakeAtNs = Long.MAX_VALUE;
                if (node.shard != null) {
                    node.shard.onTimeout(nowNs, WALL_EPOCH_NS + nowNs);
                } else {
                    node.core.onTimer(nowNs);
                }
                drain(node);
            }
            case LOOKUP -> startMeasuredLookup();
            case RECORD -> startRecordRound();
            case RECORD_CHECK -> startRecordCheck(e.slot);
            case CHURN -> {
                replaceRandomNode();
                schedule(nowNs + nextChurnGapNs(), EventKind.CHURN, -1, 0, null, null);
            }
        }
    }

    /**
     * Sends what a node queued (sealed by its shard when sessions are on), reports what it finished, and re-arms its
     * wake-up. Call after every input and every command given to the node's core.
     */
    private void drain(SimNode node) {
        CoreEvent event;
        long deadline;
        if (node.shard != null) {
            node.shard.afterCommand(nowNs, WALL_EPOCH_NS + nowNs);
            SessionManager.Transmit t;
            while ((t = node.shard.pollTransmit()) != null) {
                transmit(node, t.to(), t.data(), t.length());
            }
            while ((event = node.shard.pollEvent()) != null) {
                onCoreEvent(node, event);
            }
            deadline = node.shard.nextDeadlineNs();
        } else {
            Outbound out;
            while ((out = node.core.pollTransmit()) != null) {
                transmit(node, out.to().address(), out.data(), out.length());
            }
            while ((event = node.core.pollEvent()) != null) {
                onCoreEvent(node, event);
            }
            NatProbe probe;
            while ((probe = node.core.pollProbe()) != null) {
                sendProbe(node, probe);
            }
            deadline = node.core.nextDeadlineNs();
        }
        if (deadline < node.wakeAtNs) {
            node.wakeAtNs = Math.max(deadline, nowNs);
            schedule(node.wakeAtNs, EventKind.WAKE, node.slot, node.incarnation, null, null);
        }
    }

    private void transmit(SimNode from, NodeAddress address, byte[] data, int length) {
        datagramsSent++;
        // Through the sender's NAT first: the mapping is made (or refreshed) even if the datagram is then lost.
        Contact sender = from.nat == null ? from.contact : from.seenAs(from.nat.outbound(nowNs, address));
        SimNode to = addressee(address, sender.address());
        if (to == null) {
            datagramsLost++;
            return;
        }
        if (cutOff(from, to)) {
            datagramsLost++;
            datagramsCut++;
            return;
        }
        if (lossRandom.nextDouble() < config.loss()) {
            datagramsLost++;
            return;
        }
        long delayNs = oneWayNs(from, to);
        if (from.sybil && attack.behaviour() == SybilBehaviour.SLOW) {
            delayNs += TimeUnit.MILLISECONDS.toNanos(SybilBehaviour.SLOW_ANSWER_MS);
        }
        if (config.handshakeRoundTrip() && from.sessions.add(to.contact.id())) {
            to.sessions.add(from.contact.id());
            delayNs += 2 * oneWayNs(from, to); // initiation and response before the first data packet
        }
        // The core (or the session layer) reuses its slot: the datagram in flight needs its own bytes.
        schedule(nowNs + delayNs, EventKind.DELIVER, to.slot, to.incarnation, sender,
                Arrays.copyOf(data, length));
    }

    /**
     * The node a datagram from {@code source} to {@code address} reaches: a public node at that address, or a node
     * behind the NAT that owns it if the NAT lets it in (decided when sent: the flight is far below any mapping's
     * lifetime); null when none.
     */
    private SimNode addressee(NodeAddress address, NodeAddress source) {
        SimNode to = byAddress.get(address);
        if (to != null || byExternalIp.isEmpty() || !address.isIpv4()) {
            return to;
        }
        to = byExternalIp.get(address.ipv4());
        if (to != null && !to.nat.admits(nowNs, address.port(), source)) {
            natFiltered++;
            return null;
        }
        return to;
    }

    /**
     * A dial-back probe a node sends for a peer: from another port of its (external) address, or from its alternate
     * address; it crosses the network and the peer's NAT like any datagram.
     */
    private void sendProbe(SimNode from, NatProbe probe) {
        natProbesSent++;
        int ip = from.nat != null ? from.nat.externalIp() : from.contact.address().ipv4();
        NodeAddress source = probe.fromAlternateAddress() ? NodeAddress.ipv4(from.alternateIp, (int) PORT)
                : NodeAddress.ipv4(ip, (int) PORT + 1);
        SimNode to = addressee(probe.to(), source);
        if (to == null || cutOff(from, to) || lossRandom.nextDouble() < config.loss()) {
            return;
        }
        byte[] data = new byte[NatProbe.BYTES];
        probe.writeTo(data, 0);
        schedule(nowNs + oneWayNs(from, to), EventKind.PROBE, to.slot, to.incarnation, from.seenAs(source), data);
    }

    /** True while a partition separates the two nodes' sites. */
    private boolean cutOff(SimNode a, SimNode b) {
        return regionSites[a.site] != regionSites[b.site] && duringCut(nowNs);
    }

    private boolean duringCut(long timeNs) {
        Partition p = config.partition();
        return p != null && timeNs >= seconds(p.startSeconds()) && timeNs < seconds(p.healSeconds());
    }

    private long oneWayNs(SimNode a, SimNode b) {
        double ms = latency.rttMs(a.site, b.site) / 2 + a.accessMs + b.accessMs;
        return (long) (ms * 1_000_000);
    }

    // ------------------------------------------------------------------ nodes, warm start, churn

    private static final class SimNode {
        final int slot;
        final int incarnation;
        final NodeCore core;
        /** The shard that seals the core's datagrams (sessions on), or null: the core is driven directly. */
        final Shard shard;
        final Contact contact;
        /** Its Ed25519 identity's seed: it signs the provider and mutable records of {@code --records}. */
        final byte[] seed;
        final int site;
        final double accessMs;
        final Set<NodeId> sessions = new HashSet<>();
        /** The NAT in front of it, or null: public. */
        SimulatedNat nat;
        /** Its NAT's type, {@link NatType#OPEN} for a public node; null when the run models no NATs. */
        NatType natType;
        /** A public node's second address, which it sends other-address probes from. */
        int alternateIp;
        /** Its contact at the address a peer last saw it at (through its NAT), reused while that stays. */
        private Contact seen;
        /** One of the attackers' nodes; its codec (carrying its proof) encodes its forged answers. */
        boolean sybil;
        MessageCodec sybilCodec;
        /** When it came up (0 for the initial nodes). */
        long bornNs;
        boolean joined;
        long joinedNs;
        long wakeAtNs = Long.MAX_VALUE;

        SimNode(int slot, int incarnation, NodeCore core, Shard shard, byte[] seed, int site, double accessMs) {
            this.slot = slot;
            this.seed = seed;
            this.incarnation = incarnation;
            this.core = core;
            this.shard = shard;
            this.contact = core.self();
            this.site = site;
            this.accessMs = accessMs;
        }

        /** This node's contact as a peer sees it when its datagram arrives from {@code address}. */
        Contact seenAs(NodeAddress address) {
            if (address.equals(contact.address())) {
                return contact;
            }
            if (seen == null || !seen.address().equals(address)) {
                seen = new Contact(contact.id(), contact.publicKeyBytes(), contact.powNonce(), address);
            }
            return seen;
        }
    }

    private SimNode newNode(int slot, boolean joined) {
        byte[] seed = new byte[Ed25519Identity.SEED_BYTES];
        identityRandom.nextBytes(seed);
        byte[] publicKey = Ed25519Identity.fromSeed(seed).publicKey();
        int ip;
        do {
            ip = topologyRandom.nextInt();
        } while (!usedIps.add(ip));
        NodeId id = NodeId.ofPublicKey(publicKey);
        Contact contact = new Contact(id, publicKey, attack == null ? 0 : powNonce(id, false),
                NodeAddress.ipv4(ip, (int) PORT));
        int site = topologyRandom.nextInt(latency.sites());
        double accessMs = config.minAccessMs()
                + topologyRandom.nextDouble() * (config.maxAccessMs() - config.minAccessMs());
        NatType natType = nats == null ? null : nats.draw(natRandom);
        if (natType != null && natType != NatType.OPEN) {
            // Bound to a private address; the drawn public one becomes its NAT's.
            contact = new Contact(id, publicKey, contact.powNonce(), NodeAddress.ipv4(privateIp(), (int) PORT));
        }
        SimNode node = register(slot, joined, contact, seed, site, accessMs);
        if (natType != null) {
            traverseNats(node, natType, ip);
        }
        return node;
    }

    private int privateIp() {
        int ip;
        do {
            ip = nextPrivateIp++;
        } while (!usedIps.add(ip));
        return ip;
    }

    /**
     * Runs the node's NAT traversal and relaying as the real node does ({@code MoliaNode}); behind a NAT (not
     * {@link NatType#OPEN}) it is reached only through a {@link SimulatedNat} on {@code externalIp}. A public node has
     * an alternate address (it serves other-address probes), so full cones can be told from restricted ones.
     */
    private void traverseNats(SimNode node, NatType natType, int externalIp) {
        node.natType = natType;
        DhtRole role = new DhtRole();
        boolean alternate = natType == NatType.OPEN;
        if (alternate) {
            do {
                node.alternateIp = natRandom.nextInt();
            } while (!usedIps.add(node.alternateIp));
        } else {
            byAddress.remove(node.contact.address());
            node.nat = new SimulatedNat(natType, externalIp, (int) PORT, seconds(nats.mappingTimeoutSeconds()));
            byExternalIp.put(externalIp, node);
        }
        node.core.role(role, alternate);
        node.core.enableNat(new NatTraversal(List.of(node.contact.address()), natRandom.split(), role, nowNs), nowNs);
        node.core.enableRelay(new Relay(RelayLimits.DEFAULTS, natRandom.nextLong()), new RelayClient(new RelayRoutes()));
    }

    private SimNode register(int slot, boolean joined, Contact contact, byte[] seed, int site, double accessMs) {
        NodeCore core = new NodeCore(config.core(), contact, identityRandom.split(), nowNs);
        core.borrowTransmitBuffersFrom(transmitBuffers);
        core.shareKnownIds(knownIds);
        if (recordsConfig != null) {
            core.recordsConfig(recordsConfig);
        }
        if (attack != null) {
            core.proofOfWork(new ProofOfWork(attack.powBits()));
        }
        Shard shard = null;
        if (config.sessions()) {
            SessionManager sessions = new SessionManager(StaticIdentity.fromEd25519Seed(seed), contact.publicKeyBytes(),
                    new byte[32], 0, 0, SESSIONS_PER_NODE, identityRandom.split(), (id, key, pow) -> true);
            sessions.setHandshakeCpuBudget(0); // its load signal reads gaps of real time; virtual time has none
            shard = new Shard(core, sessions, () -> NO_BANS);
        }
        SimNode node = new SimNode(slot, nextIncarnation++, core, shard, seed, site, accessMs);
        node.joined = joined;
        node.joinedNs = nowNs;
        node.bornNs = nowNs;
        byAddress.put(contact.address(), node);
        if (attack != null) {
            core.observeFinishedLookups((handle, lookup) -> {
                MeasuredLookup m = measured.get(key(node, handle));
                if (m != null && m.record() != null) {
                    getAnalysis.onLookupFinished(key(node, handle), lookup, m.record());
                }
            });
        }
        return node;
    }

    /** Fills every initial node's buckets from the global view, with measured RTTs, as after a long uptime. */
    private void warmStart() {
        SimNode[] sorted = slots.clone();
        Arrays.sort(sorted, (a, b) -> a.contact.id().compareTo(b.contact.id()));
        NodeId[] ids = new NodeId[sorted.length];
        for (int i = 0; i < sorted.length; i++) {
            ids[i] = sorted[i].contact.id();
        }
        int k = config.core().k();
        for (int position = 0; position < sorted.length; position++) {
            SimNode node = sorted[position];
            NodeId self = ids[position];
            if (node.sybil && attack.behaviour() != SybilBehaviour.SLOW) {
                continue; // it never asks anyone: its own table would go unused
            }
            // The deepest non-empty bucket is the longer prefix shared with either neighbour in ID order.
            int deepest = Math.max(position > 0 ? self.commonPrefixLength(ids[position - 1]) : 0,
                    position + 1 < ids.length ? self.commonPrefixLength(ids[position + 1]) : 0);
            for (int b = 0; b <= Math.min(deepest, NodeId.BITS - 1); b++) {
                int lo = firstAtLeast(ids, prefixBound(self, b, false));
                NodeId upper = prefixBound(self, b, true);
                int hi = firstAtLeast(ids, upper);
                if (hi < ids.length && ids[hi].equals(upper)) {
                    hi++;
                }
                // Offer up to 3k random members: the table keeps the nearest (proximity neighbour selection), as a
                // node that has seen that many contacts over its uptime would have.
                for (int pick : samples(hi - lo, 3 * k)) {
                    SimNode peer = sorted[lo + pick];
                    Contact reachable = reachableContact(peer);
                    if (reachable != null) {
                        node.core.addTrustedContact(nowNs, reachable, 2 * oneWayNs(node, peer));
                    }
                }
            }
            drain(node);
        }
    }

    /**
     * The contact others can reach {@code node} at, as they would know it after a long uptime: its own when public, its
     * NAT's mapping behind a full cone (made port-preserving by its first datagram); null behind a NAT that lets in
     * only peers the node contacted (it runs as a DHT client: in no table).
     */
    private Contact reachableContact(SimNode node) {
        if (node.nat == null) {
            return node.contact;
        }
        return node.natType == NatType.FULL_CONE ? node.seenAs(NodeAddress.ipv4(node.nat.externalIp(), (int) PORT))
                : null;
    }

    /** The smallest (or largest) ID in bucket {@code b} of {@code self}: its b-bit prefix, bit b flipped. */
    static NodeId prefixBound(NodeId self, int b, boolean upper) {
        long[] w = new long[4];
        for (int i = 0; i < 4; i++) {
            int first = i * 64;
            long keep = b >= first + 64 ? -1L : b <= first ? 0L : -1L << (64 - (b - first));
            w[i] = (self.word(i) & keep) | (upper ? ~keep : 0L);
        }
        NodeId bound = new NodeId(w[0], w[1], w[2], w[3]);
        return bound.bit(b) == self.bit(b) ? bound.flipBit(b) : bound;
    }

    /** Index of the first ID not below {@code key} in sorted {@code ids}. */
    private static int firstAtLeast(NodeId[] ids, NodeId key) {
        int lo = 0;
        int hi = ids.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ids[mid].compareTo(key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private int[] samples(int count, int k) {
        if (count <= k) {
            int[] all = new int[count];
            for (int i = 0; i < count; i++) {
                all[i] = i;
            }
            return all;
        }
        Set<Integer> picked = new java.util.LinkedHashSet<>();
        while (picked.size() < k) {
            picked.add(topologyRandom.nextInt(count));
        }
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }

    private long nextChurnGapNs() {
        double perSecond = config.churnPerMinute() * config.nodes() / 60.0;
        double gapSeconds = -Math.log(1 - churnRandom.nextDouble()) / perSecond;
        return Math.max(1, (long) (gapSeconds * 1e9));
    }

    /** One node leaves without a word; a fresh one (new key, address, site) joins through a random live node. */
    private void replaceRandomNode() {
        int slot;
        do {
            slot = churnRandom.nextInt(slots.length);
        } while (slots[slot].sybil || slots[slot] == victim); // the attackers keep theirs up; the victim stays
        SimNode leaving = slots[slot];
        rejectedByDeparted += leaving.core.counters().invalidRecordAnswers;
        spareCopiesByDeparted += leaving.core.counters().writeSpareCopies;
        byAddress.remove(leaving.contact.address());
        if (leaving.nat != null) {
            byExternalIp.remove(leaving.nat.externalIp());
        }
        if (records != null) {
            records.forget(leaving.incarnation);
        }
        SimNode joining = newNode(slot, false);
        slots[slot] = joining;
        nodesReplaced++;
        SimNode seed = randomSeed(churnRandom, slot);
        joining.core.bootstrap(nowNs, List.of(seed.contact));
        drain(joining);
    }

    /** A node to bootstrap through: a public one (an operator's seed list names public nodes). */
    private SimNode randomSeed(SplittableRandom random, int notSlot) {
        while (true) {
            SimNode n = randomJoinedNode(random, notSlot);
            if (n.nat == null) {
                return n;
            }
        }
    }

    private SimNode randomJoinedNode(SplittableRandom random, int notSlot) {
        while (true) {
            SimNode n = slots[random.nextInt(slots.length)];
            if (n.joined && n.slot != notSlot && !n.sybil) {
                return n;
            }
        }
    }


    // ------------------------------------------------------------------ the adversary

    /**
     * The proof of work of a new identity: nonces tried from 0 until BLAKE3(ID ‖ nonce) shows the network's bits, as
     * {@code molia keygen} searches. The Sybils' hashes are counted as the attackers' cost.
     */
    private long powNonce(NodeId id, boolean sybil) {
        long nonce = 0;
        while (ProofOfWork.leadingZeroBits(blake3, id, nonce, powInput, hashScratch) < attack.powBits()) {
            nonce++;
        }
        if (sybil) {
            sybilHashes += nonce + 1;
        }
        return nonce;
    }

    /**
     * The Sybils, in slots {@code [honest, nodes)}: each grinds candidate keys until its ID (BLAKE3 of the key) lands
     * where the attack wants it, then pays the proof of work on that ID like any node.
     */
    private void addSybils(int honest) {
        int sybils = slots.length - honest;
        int k = config.core().k();
        if (attack.eclipse()) {
            victim = slots[attackRandom.nextInt(honest)];
        }
        int targetCount = attack.nearTarget() && sybils >= k ? sybils / k : DEFAULT_GET_TARGETS;
        targets = new GetTargets(Math.min(targetCount, Math.max(1, config.lookups())), attackRandom);
        // Close enough to precede all but about half an honest node: log2(honest) + 1 bits shared with the key.
        int nearBits = 64 - Long.numberOfLeadingZeros(Math.max(1, honest - 1)) + 1;
        // An eclipse fills the victim's buckets 0..depth, the depth its table reaches among the honest nodes.
        int depth = 64 - Long.numberOfLeadingZeros(Math.max(1, honest / k));
        long prefixBitsSum = 0;
        for (int i = 0; i < sybils; i++) {
            NodeId near = null;
            int bits = 0;
            if (attack.nearTarget()) {
                near = targets.get(i).key();
                bits = nearBits;
            } else if (attack.eclipse()) {
                int bucket = i % (depth + 1);
                near = victim.contact.id().flipBit(bucket);
                bits = bucket + 1; // the victim's first `bucket` bits, then the other value of the next
            }
            prefixBitsSum += bits;
            slots[honest + i] = newSybil(honest + i, near, bits);
        }
        sybilPrefixBits = sybils == 0 ? 0 : (int) Math.round((double) prefixBitsSum / sybils);
        responder = new SybilResponder(sybilContacts, attack.behaviour(), targets.mutables(), k,
                attackRandom.split());
        getAnalysis = new GetAnalysis(new GetAnalysis.Truth() {
            @Override
            public boolean sybil(Contact c) {
                SimNode n = byAddress.get(c.address());
                return n != null && n.sybil;
            }

            @Override
            public boolean holder(Contact c, GetTargets.Target record) {
                SimNode n = byAddress.get(c.address());
                if (n == null || n.sybil || slots[n.slot] != n || !n.contact.id().equals(c.id())) {
                    return false;
                }
                return record.value() != null ? n.core.records().get(nowNs, record.key()) != null
                        : n.core.recordRequests().mutables().get(nowNs, record.key()) != null;
            }
        });
    }

    private SimNode newSybil(int slot, NodeId near, int prefixBits) {
        byte[] publicKey = new byte[Contact.PUBLIC_KEY_BYTES];
        byte[] idBytes = new byte[NodeId.BYTES];
        NodeId id;
        do {
            attackRandom.nextBytes(publicKey);
            id = NodeId.ofPublicKey(blake3, publicKey, 0, idBytes);
            sybilHashes++;
        } while (near != null && id.commonPrefixLength(near) < prefixBits);
        int ip;
        do {
            ip = topologyRandom.nextInt();
        } while (!usedIps.add(ip));
        Contact contact = new Contact(id, publicKey, powNonce(id, true), NodeAddress.ipv4(ip, (int) PORT));
        // An eclipse's Sybils sit beside the victim, so its proximity selection keeps them over farther honest peers.
        int site = victim != null ? victim.site : topologyRandom.nextInt(latency.sites());
        double accessMs = victim != null ? config.minAccessMs() : config.minAccessMs()
                + topologyRandom.nextDouble() * (config.maxAccessMs() - config.minAccessMs());
        SimNode node = register(slot, true, contact, null, site, accessMs);
        node.sybil = true;
        node.sybilCodec = new MessageCodec(config.core().protocol(), contact.powNonce());
        sybilContacts.add(contact);
        return node;
    }

    /**
     * After the warm start: the victim of an eclipse has met every Sybil aimed at it (they contacted it and answered
     * its pings), and each record the measured gets read is stored on the k closest honest nodes to its key.
     */
    private void afterWarmStartUnderAttack(int honest) {
        if (victim != null) {
            for (int i = honest; i < slots.length; i++) {
                victim.core.addTrustedContact(nowNs, slots[i].contact, 2 * oneWayNs(victim, slots[i]));
            }
            drain(victim);
            victimShareStart = victimSybilShare();
        }
        for (GetTargets.Target t : targets.all()) {
            for (SimNode holder : trueClosest(t.key(), config.core().k(), nowNs)) {
                if (t.value() != null) {
                    holder.core.records().put(nowNs, t.key(), t.value(), TARGET_TTL_NS);
                } else {
                    holder.core.recordRequests().mutables().put(nowNs, t.mutable(), MutableStore.NO_CAS,
                            TARGET_TTL_NS);
                }
            }
        }
    }

    /** A datagram reached a Sybil that does not run the protocol honestly: dropped, or answered with a forgery. */
    private void answerAsSybil(SimNode sybil, Event e) {
        if (attack.behaviour() == SybilBehaviour.DROP) {
            return;
        }
        int length = responder.answer(sybil.contact, sybil.sybilCodec, e.from, e.data, e.data.length, sybilOut);
        if (length > 0) {
            transmit(sybil, e.from.address(), sybilOut, length);
        }
    }

    /** The share of the victim's routing table that Sybils hold. */
    private double victimSybilShare() {
        int all = 0;
        int sybils = 0;
        for (int b = 0; b < NodeId.BITS; b++) {
            for (RoutingEntry entry : victim.core.routingTable().bucketEntries(b)) {
                all++;
                SimNode n = byAddress.get(entry.contact().address());
                sybils += n != null && n.sybil ? 1 : 0;
            }
        }
        return all == 0 ? 0 : (double) sybils / all;
    }

    private SybilOutcome sybilOutcome() {
        long rejected = rejectedByDeparted;
        for (SimNode n : slots) {
            rejected += n.sybil ? 0 : n.core.counters().invalidRecordAnswers;
        }
        String placement = attack.nearTarget() ? "near-target" : attack.eclipse() ? "eclipse" : "random";
        return new SybilOutcome(sybilContacts.size(), attack.behaviour(), placement, sybilPrefixBits, attack.powBits(),
                config.core().disjointPaths(), sybilHashes, gets, getsFound, getsCorrect, rejected,
                responder.forgedRecords(),
                victimShareStart, victim == null ? -1 : victimSybilShare(), getAnalysis.toJsonMap());
    }

    // ------------------------------------------------------------------ measured lookups

    /** A measured lookup in flight; {@code record} is what a measured get must return (null for a lookup). */
    private record MeasuredLookup(SimNode origin, NodeId target, GetTargets.Target record) {
    }

    private void startMeasuredLookup() {
        if (attack != null) {
            startMeasuredGet();
            return;
        }
        SimNode origin = randomJoinedNode(lookupRandom, -1);
        NodeId target = new NodeId(lookupRandom.nextLong(), lookupRandom.nextLong(), lookupRandom.nextLong(),
                lookupRandom.nextLong());
        lookupsIssued++;
        long handle = origin.core.startTracedLookup(nowNs, target, false); // traced for the latency breakdown
        if (handle < 0) {
            completed.add(new LookupSample(nowNs / 1e9, 0, 0, 0, 0, 0, false, LookupSample.Side.NO_CUT));
            return;
        }
        measured.put(key(origin, handle), new MeasuredLookup(origin, target, null));
        churnDiagnostics.onStart(key(origin, handle), tableAtStart(origin));
        closestDiagnostics.onStart(key(origin, handle), closestAtStart(origin, target));
        drain(origin);
    }

    /** The origin's age and how many of its table's entries have left the network, for {@link ChurnDiagnostics}. */
    private ChurnDiagnostics.Start tableAtStart(SimNode origin) {
        int entries = 0;
        int dead = 0;
        for (int b = 0; b < NodeId.BITS; b++) {
            for (RoutingEntry e : origin.core.routingTable().bucketEntries(b)) {
                entries++;
                dead += departed(e.contact()) ? 1 : 0;
            }
        }
        return new ChurnDiagnostics.Start(ageClass(origin), nowNs / 1e9, entries, dead);
    }

    /** How long {@code n} has been in the network, as the churn diagnostics split it. */
    private String ageClass(SimNode n) {
        return n.bornNs == 0 ? "warm_start"
                : (nowNs - n.joinedNs) / 1e9 < ChurnDiagnostics.NEWCOMER_SECONDS ? "joined_under_60s"
                : "joined_earlier";
    }

    /** The true closest node to {@code target} now, and how well the network's tables know it. */
    private ClosestNodeDiagnostics.Start closestAtStart(SimNode origin, NodeId target) {
        List<SimNode> truth = trueClosest(target, 1, nowNs);
        SimNode closest = truth.get(0);
        NodeId id = closest.contact.id();
        int knownBy = 0;
        for (SimNode n : slots) {
            if (n.joined && !n.sybil && n.core.routingTable().entry(id) != null) {
                knownBy++;
            }
        }
        int knownByNearest = 0;
        for (SimNode n : trueClosest(id, config.core().k() + 1, nowNs)) {
            if (n != closest && n.core.routingTable().entry(id) != null) {
                knownByNearest++;
            }
        }
        return new ClosestNodeDiagnostics.Start(id, ageClass(closest), 2 * oneWayNs(origin, closest) / 1e6, knownBy,
                knownByNearest, origin.core.routingTable().entry(id) != null);
    }

    /** Whether the node {@code c} names has left the network (its address is gone or another's now). */
    private boolean departed(Contact c) {
        SimNode n = byAddress.get(c.address());
        return n == null || slots[n.slot] != n || !n.contact.id().equals(c.id());
    }

    /** The next of the {@link GetTargets}, read by a random honest node (the victim, under an eclipse). */
    private void startMeasuredGet() {
        SimNode origin = victim != null ? victim : randomJoinedNode(lookupRandom, -1);
        GetTargets.Target t = targets.get(lookupsIssued);
        lookupsIssued++;
        long handle = t.value() != null ? origin.core.startGet(nowNs, t.key())
                : origin.core.startGetMutable(nowNs, t.key());
        if (handle < 0) {
            completed.add(new LookupSample(nowNs / 1e9, 0, 0, 0, 0, 0, false, LookupSample.Side.NO_CUT));
            return;
        }
        measured.put(key(origin, handle), new MeasuredLookup(origin, t.key(), t));
        List<Contact> seeds = new ArrayList<>();
        origin.core.routingTable().closest(t.key(), config.core().k(), false, null, seeds);
        getAnalysis.onStart(key(origin, handle), origin.bornNs > 0, (nowNs - origin.joinedNs) / 1e9, seeds, t);
        drain(origin);
    }

    /** Whether {@code event} ended a measured get (then it is counted). */
    private boolean onMeasuredGet(SimNode node, CoreEvent event) {
        if (!(event instanceof CoreEvent.GetCompleted || event instanceof CoreEvent.MutableGetCompleted)) {
            return false;
        }
        MeasuredLookup m = measured.remove(key(node, event.handle()));
        if (m == null) {
            return false;
        }
        if (event instanceof CoreEvent.GetCompleted g) {
            countGet(g.startedNs(), g.finishedNs(), g.finishedNs(), g.requests(), g.value() != null,
                    m.record().correct(g.value()));
            getAnalysis.onEnd(key(node, event.handle()), m.record().correct(g.value()));
        } else if (event instanceof CoreEvent.MutableGetCompleted g) {
            countGet(g.startedNs(), g.firstValidNs() >= 0 ? g.firstValidNs() : g.finishedNs(), g.finishedNs(),
                    g.requests(), g.record() != null, m.record().correct(g.record()));
            getAnalysis.onEnd(key(node, event.handle()), m.record().correct(g.record()));
        }
        return true;
    }

    /** A measured get finished: it counts as correct only if it returned exactly what was stored. */
    private void countGet(long startedNs, long valueNs, long finishedNs, int requests, boolean found,
            boolean correct) {
        gets++;
        getsFound += found ? 1 : 0;
        getsCorrect += correct ? 1 : 0;
        completed.add(new LookupSample(startedNs / 1e9, (valueNs - startedNs) / 1e6, (finishedNs - startedNs) / 1e6, 0,
                requests, 0, correct, LookupSample.Side.NO_CUT));
    }

    /** A random node publishes a mutable record it signs and announces itself as a provider of a random key. */
    private void startRecordRound() {
        SimNode origin = randomJoinedNode(recordRandom, -1);
        Ed25519Identity identity = Ed25519Identity.fromSeed(origin.seed);
        byte[] salt = new byte[8];
        recordRandom.nextBytes(salt);
        byte[] value = new byte[100];
        recordRandom.nextBytes(value);
        MutableRecord mutable = MutableRecord.sign(identity, salt, 1, value);
        long handle = origin.core.startPutMutable(nowNs, mutable, MutableStore.NO_CAS);
        records.onWriteStarted(handle < 0 ? -1 : key(origin, handle), mutable, null, null);
        NodeId content = new NodeId(recordRandom.nextLong(), recordRandom.nextLong(), recordRandom.nextLong(),
                recordRandom.nextLong());
        SignedNodeRecord self = SignedNodeRecord.sign(identity, List.of(origin.contact.address()), 1, 0);
        origin.core.provideSigner(identity); // once it provides: the identity is derived only for the nodes that do
        handle = origin.core.startProvide(nowNs, content, self);
        records.onWriteStarted(handle < 0 ? -1 : key(origin, handle), null, origin.contact.id(), content);
        drain(origin);
    }

    /** A random node reads again the record of check {@code index}: is it still retrievable? */
    private void startRecordCheck(int index) {
        RecordWorkload.Expected e = records.takeCheck(index);
        SimNode reader = randomJoinedNode(recordRandom, -1);
        long handle = e.mutable() != null ? reader.core.startGetMutable(nowNs, e.mutable().key())
                : reader.core.startFindProviders(nowNs, e.content());
        if (handle >= 0) {
            records.onCheckStarted(key(reader, handle), e);
        }
        drain(reader);
    }

    private void onRecordEvent(SimNode node, CoreEvent event) {
        switch (event) {
            case CoreEvent.RecordWriteCompleted w -> {
                long k = key(node, w.handle());
                RecordWorkload.Expected e = records.onWriteCompleted(k, w);
                if (e == null) {
                    return; // a republish, not a round's write
                }
                if (records.checkAfterNs() > 0 && w.stored() > 0) {
                    schedule(nowNs + records.checkAfterNs(), EventKind.RECORD_CHECK, records.addCheck(e), 0, null,
                            null);
                }
                SimNode reader = randomJoinedNode(recordRandom, node.slot);
                long handle = e.mutable() != null ? reader.core.startGetMutable(nowNs, e.mutable().key())
                        : reader.core.startFindProviders(nowNs, e.content());
                if (handle >= 0) {
                    records.onReadStarted(key(reader, handle), e);
                }
                drain(reader);
            }
            case CoreEvent.MutableGetCompleted g -> records.onMutableGet(key(node, g.handle()), g);
            case CoreEvent.ProvidersFound p -> records.onProvidersFound(key(node, p.handle()), p);
            default -> {
            }
        }
    }

    private boolean originsAllLeft() {
        for (MeasuredLookup m : measured.values()) {
            if (slots[m.origin.slot] == m.origin) {
                return false;
            }
        }
        return true;
    }

    private static long key(SimNode node, long handle) {
        return ((long) node.incarnation << 32) ^ handle;
    }

    private void onCoreEvent(SimNode node, CoreEvent event) {
        if (records != null) {
            onRecordEvent(node, event);
        }
        if (attack != null && onMeasuredGet(node, event)) {
            return;
        }
        if (!(event instanceof CoreEvent.LookupCompleted done)) {
            return;
        }
        MeasuredLookup m = measured.remove(key(node, done.handle()));
        List<LookupHop> trace = m == null ? null : node.core.takeTrace(done.handle());
        if (m == null) {
            if (done.target().equals(node.contact.id()) && !node.joined) {
                if (done.closest().isEmpty()) {
                    // Its seed left before answering: try another, as an operator's bootstrap list would.
                    node.core.bootstrap(nowNs, List.of(randomSeed(churnRandom, node.slot).contact));
                } else {
                    node.joined = true;
                    node.joinedNs = nowNs;
                }
            }
            return;
        }
        List<SimNode> truth = trueClosest(m.target, config.core().k(), done.startedNs());
        boolean ok = false;
        int found = 0;
        Set<NodeId> truthSet = new HashSet<>();
        for (SimNode n : truth) {
            truthSet.add(n.contact.id());
        }
        for (Contact c : done.closest()) {
            if (truthSet.contains(c.id())) {
                found++;
            }
            ok |= c.id().equals(truth.get(0).contact.id());
        }
        double latencyMs = (done.closestAnsweredNs() >= 0 ? done.closestAnsweredNs() : done.finishedNs())
                - done.startedNs();
        if (done.closestAnsweredNs() >= 0 && trace != null) {
            breakdown.add(done.startedNs(), done.closestAnsweredNs(), done.closest().get(0).id(), trace);
        }
        churnDiagnostics.onEnd(key(node, done.handle()), latencyMs / 1e6, done.hops(), trace, this::departed);
        closestDiagnostics.onEnd(key(node, done.handle()), truth.get(0).contact.id(), done.startedNs(),
                latencyMs / 1e6, done.hops(), trace);
        LookupSample sample = new LookupSample(done.startedNs() / 1e9, latencyMs / 1e6,
                (done.finishedNs() - done.startedNs()) / 1e6, done.hops(), done.requests(),
                (double) found / truth.size(), ok, side(done.startedNs(), m.origin, truth.get(0)));
        completed.add(sample);
        if (nats != null) {
            (m.origin.nat != null ? fromNatted : fromPublic).add(sample);
            if (!ok) {
                failuresByClosestNat.merge(truth.get(0).natType, 1, Integer::sum);
            }
        }
    }

    private LookupSample.Side side(long startedNs, SimNode origin, SimNode closest) {
        if (!duringCut(startedNs)) {
            return LookupSample.Side.NO_CUT;
        }
        boolean in = regionSites[origin.site];
        return in != regionSites[closest.site] ? LookupSample.Side.ACROSS
                : in ? LookupSample.Side.INSIDE : LookupSample.Side.OUTSIDE;
    }

    /**
     * The simulator's global view: the k nodes closest to {@code target}, closest first, among those alive now that
     * had finished joining when the lookup started (no lookup can be expected to find a node born after it began),
     * and serve in the DHT: a node that runs as a DHT client (it found itself behind a NAT) is in no table.
     */
    private List<SimNode> trueClosest(NodeId target, int k, long lookupStartedNs) {
        SimNode[] best = new SimNode[k];
        int size = 0;
        for (SimNode n : slots) {
            if (!n.joined || n.joinedNs > lookupStartedNs || n.sybil
                    || n.core.nat() != null && n.core.nat().role().client()) {
                continue;
            }
            NodeId id = n.contact.id();
            if (size == k && target.compareDistance(id, best[k - 1].contact.id()) >= 0) {
                continue;
            }
            int pos = size == k ? k - 1 : size++;
            while (pos > 0 && target.compareDistance(id, best[pos - 1].contact.id()) < 0) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = n;
        }
        return List.of(Arrays.copyOf(best, size));
    }

    // ------------------------------------------------------------------ report

    private SimReport report(double wallSeconds) {
        int n = completed.size();
        double[] latencyMs = sorted(LookupSample::latencyMs);
        double[] terminationMs = sorted(LookupSample::finishedMs);
        double ok = 0;
        double share = 0;
        double hops = 0;
        double requests = 0;
        for (LookupSample c : completed) {
            hops += c.hops();
            requests += c.requests();
            share += c.kShare();
            ok += c.ok() ? 1 : 0;
        }
        int abandoned = 0;
        for (MeasuredLookup m : measured.values()) {
            if (slots[m.origin.slot] != m.origin) {
                abandoned++; // its origin left the network before the answer: nobody is waiting for it
            }
        }
        int denominator = Math.max(1, lookupsIssued - abandoned);
        return new SimReport(config.nodes(), config.seed(), config.churnPerMinute(), config.loss(), config.sessions(),
                lookupsIssued,
                n, abandoned, ok / denominator, share / denominator, percentiles(latencyMs), percentiles(terminationMs),
                hops / Math.max(1, n), requests / Math.max(1, n), nodesReplaced, datagramsSent, datagramsLost,
                nowNs / 1e9, wallSeconds, peakHeapBytes(), String.format("%016x", digest), partitionOutcome(),
                List.copyOf(completed), attack == null ? null : sybilOutcome(), breakdownWithChurn());
    }

    private Map<String, Object> breakdownWithChurn() {
        Map<String, Object> m = breakdown.toJsonMap();
        m.put("churn", churnDiagnostics.toJsonMap());
        m.put("closest", closestDiagnostics.toJsonMap());
        return m;
    }

    private PartitionOutcome partitionOutcome() {
        if (config.partition() == null) {
            return null;
        }
        return PartitionOutcome.of(config.partition(), initialNodesInside, completed, datagramsCut);
    }

    private double[] sorted(ToDoubleFunction<LookupSample> column) {
        double[] v = new double[completed.size()];
        for (int j = 0; j < v.length; j++) {
            v[j] = column.applyAsDouble(completed.get(j));
        }
        Arrays.sort(v);
        return v;
    }

    static SimReport.Percentiles percentiles(double[] sorted) {
        if (sorted.length == 0) {
            return new SimReport.Percentiles(0, 0, 0, 0);
        }
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        return new SimReport.Percentiles(rank(sorted, 0.50), rank(sorted, 0.95), rank(sorted, 0.99),
                sum / sorted.length);
    }

    /** Nearest-rank percentile. */
    private static double rank(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** FNV-1a over every delivery (time, addressee, size): equal digests mean equal traces. */
    private void mix(long timeNs, int slot, int length) {
        digest = (digest ^ timeNs) * 0x100000001b3L;
        digest = (digest ^ slot) * 0x100000001b3L;
        digest = (digest ^ length) * 0x100000001b3L;
    }

    private static long seconds(double s) {
        return (long) (s * 1e9);
    }

    private static void resetPeakHeap() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
