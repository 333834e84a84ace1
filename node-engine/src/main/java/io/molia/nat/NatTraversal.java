package io.molia.nat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/**
 * Where this node stands behind a NAT (DESIGN §3.8), with no I/O: peers' observations of its address (the
 * {@code observed_address} of their PONGs) and dial-back probes it asks of them go in; the requests to send (pings
 * to more observers, DIAL_BACKs, keepalives), its {@link NatType}, its {@link DhtRole} and the next deadline come out.
 *
 * <p>Mapping: at least {@link #MIN_OBSERVERS} peers (by address) that agree on the observed address mean one mapping
 * for all peers; two that disagree mean a symmetric NAT (a mapping that changes for one peer resets what the others
 * said: it expired, the NAT did not change kind). Filtering, as RFC 5780's behaviour discovery and libp2p's AutoNAT
 * ask a server to dial back: a probe from another port of a peer this node sent to passes address-restricted
 * filtering; a probe from an address this node never sent to (a peer's alternate address) passes only a full cone.
 * A node seen at its own bound address is open.
 *
 * <p>Keepalive: once behind a NAT, the node pings one observer ({@link #keepalivePeer}) after a gap that doubles
 * while the observer keeps seeing the same mapping; a changed mapping bounds the lifetime from above and the gap
 * settles below it. The interval is learned, not a constant.
 *
 * <p>Call {@link #onTimer} when {@code now >= nextDeadlineNs()} with the peers the node may ask (its routing table's),
 * then drain {@link #pollRequest}. Owned by the routing table owner's shard thread; not thread-safe.
 */
public final class NatTraversal {
    /** Distinct observers that must agree before the mapping is called consistent (HyperDHT decides on 3 samples). */
    public static final int MIN_OBSERVERS = 2;
    static final int MAX_OBSERVATIONS = 16;
    /** How long a probe may take to arrive before its NAT is taken to have dropped it. */
    static final long PROBE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(4);
    /** Ticks while undecided: fast enough to decide within seconds of joining. */
    static final long UNDECIDED_TICK_NS = TimeUnit.SECONDS.toNanos(1);
    static final long DECIDED_TICK_NS = TimeUnit.SECONDS.toNanos(30);
    /** Filtering is probed again this long after a decision (a home router restarts, a laptop moves). */
    static final long REPROBE_NS = TimeUnit.MINUTES.toNanos(15);
    /** The first keepalive gap: below the 30 s many NATs keep an idle UDP mapping (Tailscale's observation). */
    static final long FIRST_KEEPALIVE_NS = TimeUnit.SECONDS.toNanos(15);
    static final long MIN_KEEPALIVE_NS = TimeUnit.SECONDS.toNanos(5);
    static final long MAX_KEEPALIVE_NS = TimeUnit.MINUTES.toNanos(10);
    /** Peers asked at once for an observation while too few observed this node. */
    static final int OBSERVER_PINGS_PER_TICK = 2;

    /** What the node must send for NAT traversal: a PING ({@code mode == null}) or a DIAL_BACK with its nonce. */
    public record Request(Contact peer, DialBackMode mode, long nonce) {
    }

    /** One peer's report of where this node's datagrams came from. */
    public record Observation(Contact reporter, NodeAddress observed, long atNs) {
        public NodeAddress reporterAddress() {
            return reporter.address();
        }
    }

    /** Where a dial-back probe stands. */
    public enum Outcome { NONE, PENDING, ARRIVED, FAILED, NO_SERVER }

    /** A snapshot for the admin view and the metrics, taken on the owner's thread. */
    public record Status(NatType type, boolean client, List<Observation> observations, NodeAddress mapped,
            Outcome otherPortProbe, Outcome otherAddressProbe, long mappingLifetimeAtLeastNs,
            long mappingLifetimeBelowNs, long keepaliveIntervalNs, NodeId keepalivePeer, Counters counters) {
    }

    /** Counts, each a Prometheus counter. */
    public static final class Counters {
        public long observations;
        public long mappingChanges;
        public long dialBacksSent;
        public long dialBacksRefused;
        public long probesArrived;
        public long probesFailed;
        /** Probe-shaped datagrams with no nonce this node asked for: dropped, unanswered. */
        public long probesUnknown;
        public long keepalivesSent;
        public long roleChanges;

        Counters copy() {
            Counters c = new Counters();
            c.observations = observations;
            c.mappingChanges = mappingChanges;
            c.dialBacksSent = dialBacksSent;
            c.dialBacksRefused = dialBacksRefused;
            c.probesArrived = probesArrived;
            c.probesFailed = probesFailed;
            c.probesUnknown = probesUnknown;
            c.keepalivesSent = keepalivesSent;
            c.roleChanges = roleChanges;
            return c;
        }
    }

    private static final class Probe {
        final DialBackMode mode;
        Outcome outcome = Outcome.NONE;
        long nonce;
        NodeId peer;
        long sentNs;
        boolean accepted;
        final Set<NodeId> tried = new HashSet<>();

        Probe(DialBackMode mode) {
            this.mode = mode;
        }

        void reset() {
            outcome = Outcome.NONE;
            nonce = 0;
            peer = null;
            accepted = false;
            tried.clear();
        }
    }

    private final List<NodeAddress> localAddresses;
    private final RandomGenerator random;
    private final DhtRole role;
    private final Map<NodeId, Observation> observations = new LinkedHashMap<>();
    private final Set<NodeId> askedToObserve = new HashSet<>();
    private final Probe otherPort = new Probe(DialBackMode.OTHER_PORT);
    private final Probe otherAddress = new Probe(DialBackMode.OTHER_ADDRESS);
    private final ArrayDeque<Request> requests = new ArrayDeque<>();
    private final Counters counters = new Counters();
    private NatType type = NatType.UNKNOWN;
    private long decidedNs;
    private long nextTickNs;
    private Contact keepalivePeer;
    private NodeAddress keepaliveMapped;
    private long keepaliveIntervalNs = FIRST_KEEPALIVE_NS;
    private long lastKeepaliveNs;
    /** When the keepalive now in flight was sent, and the gap before it; -1 when none is in flight. */
    private long keepaliveSentNs = -1;
    private long keepaliveGapNs;
    private long survivedNs;
    private long expiredBelowNs = Long.MAX_VALUE;

    /**
     * {@code localAddresses}: the addresses this node's socket is bound to (every interface's, with the port, when
     * bound to the wildcard). {@code role} starts as a server: a node alone cannot be classified, and a public seed
     * must serve before anyone observes it.
     */
    public NatTraversal(List<NodeAddress> localAddresses, RandomGenerator random, DhtRole role, long nowNs) {
        this.localAddresses = List.copyOf(localAddresses);
        this.random = random;
        this.role = role;
        this.nextTickNs = nowNs;
    }

    public NatType type() {
        return type;
    }

    public DhtRole role() {
        return role;
    }

    public long nextDeadlineNs() {
        return nextTickNs;
    }

    public Request pollRequest() {
        return requests.poll();
    }

    // ---------------------------------------------------------------- inputs

    /** {@code reporter} (answering from its address) saw this node's request come from {@code observed}. */
    public void onObserved(long nowNs, Contact reporter, NodeAddress observed) {
        counters.observations++;
        Observation before = observations.remove(reporter.id());
        if (before != null && !before.observed().equals(observed)) {
            // This peer's mapping changed: the old one expired (or the NAT restarted). What others saw is stale.
            counters.mappingChanges++;
            observations.clear();
            otherPort.reset();
            otherAddress.reset();
        }
        observations.put(reporter.id(), new Observation(reporter, observed, nowNs));
        while (observations.size() > MAX_OBSERVATIONS) {
            observations.remove(observations.keySet().iterator().next());
        }
        if (keepalivePeer != null && keepalivePeer.id().equals(reporter.id()) && keepaliveSentNs >= 0) {
            onKeepaliveAnswered(observed);
        }
        decide(nowNs);
    }

    /** The peer asked for the DIAL_BACK with {@code nonce} answered: {@code accepted} when it sent (or forwards) it. */
    public void onDialBackAnswer(long nowNs, long nonce, boolean accepted) {
        for (Probe p : new Probe[] {otherPort, otherAddress}) {
            if (p.outcome == Outcome.PENDING && p.nonce == nonce) {
                p.accepted = accepted;
                if (!accepted) {
                    counters.dialBacksRefused++;
                    p.outcome = Outcome.NONE; // another peer is asked on the next tick
                    nextTickNs = Math.min(nextTickNs, nowNs);
                }
            }
        }
    }

    /**
     * A probe-shaped datagram arrived from {@code source}: true when it carries the nonce of a probe this node asked
     * for (its NAT let it in), false when it is unknown (counted, dropped, never answered).
     */
    public boolean onProbe(long nowNs, NodeAddress source, long nonce) {
        for (Probe p : new Probe[] {otherPort, otherAddress}) {
            if (p.outcome == Outcome.PENDING && p.nonce == nonce && nonce != 0) {
                p.outcome = Outcome.ARRIVED;
                counters.probesArrived++;
                decide(nowNs);
                return true;
            }
        }
        counters.probesUnknown++;
        return false;
    }

    /** Runs what is due: timed-out probes, more observers, the next DIAL_BACK, the keepalive. */
    public void onTimer(long nowNs, List<Contact> peers) {
        if (nowNs < nextTickNs) {
            return;
        }
        for (Probe p : new Probe[] {otherPort, otherAddress}) {
            if (p.outcome == Outcome.PENDING && nowNs - p.sentNs >= PROBE_TIMEOUT_NS) {
                if (p.accepted) {
                    p.outcome = Outcome.FAILED; // the peer sent it; the NAT dropped it
                    counters.probesFailed++;
                } else {
                    p.outcome = Outcome.NONE; // no answer: ask another peer
                }
            }
        }
        if (type != NatType.UNKNOWN && nowNs - decidedNs >= REPROBE_NS) {
            otherPort.reset();
            otherAddress.reset();
            askedToObserve.clear();
            decidedNs = nowNs;
        }
        if (distinctObservers() < MIN_OBSERVERS) {
            askForObservations(peers);
        } else if (mappingConsistent() && !mappedLocally()) {
            startProbe(nowNs, otherPort);
            startProbe(nowNs, otherAddress);
        }
        decide(nowNs);
        keepalive(nowNs);
        long tick = type == NatType.UNKNOWN || otherPort.outcome == Outcome.PENDING
                || otherAddress.outcome == Outcome.PENDING ? UNDECIDED_TICK_NS : DECIDED_TICK_NS;
        nextTickNs = nowNs + tick;
        if (keepalivePeer != null) {
            nextTickNs = Math.min(nextTickNs, lastKeepaliveNs + keepaliveIntervalNs);
        }
    }

    // ---------------------------------------------------------------- deciding

    private void askForObservations(List<Contact> peers) {
        int asked = 0;
        for (Contact c : peers) {
            if (asked == OBSERVER_PINGS_PER_TICK) {
                break;
            }
            if (!observations.containsKey(c.id()) && askedToObserve.add(c.id())) {
                requests.add(new Request(c, null, 0));
                asked++;
            }
        }
    }

    private void startProbe(long nowNs, Probe p) {
        if (p.outcome != Outcome.NONE) {
            return;
        }
        Observation target = null;
        for (Observation o : observations.values()) {
            if (!p.tried.contains(o.reporter().id()) && !localAddresses.contains(o.observed())) {
                target = o;
                break;
            }
        }
        if (target == null) {
            p.outcome = Outcome.NO_SERVER; // every observer refused or did not answer
            return;
        }
        p.tried.add(target.reporter().id());
        p.peer = target.reporter().id();
        p.nonce = random.nextLong() | 1; // never 0, which no probe matches
        p.sentNs = nowNs;
        p.accepted = false;
        p.outcome = Outcome.PENDING;
        counters.dialBacksSent++;
        requests.add(new Request(target.reporter(), p.mode, p.nonce));
    }

    private void decide(long nowNs) {
        NatType decided = classify();
        if (decided == NatType.UNKNOWN && type != NatType.UNKNOWN && !observations.isEmpty()
                && (otherPort.outcome == Outcome.PENDING || otherAddress.outcome == Outcome.PENDING)) {
            return; // re-probing: keep the last decision until the new one is in
        }
        if (decided != type) {
            type = decided;
            decidedNs = nowNs;
            Observation first = firstExternal();
            if (decided != NatType.UNKNOWN && decided != NatType.OPEN && keepalivePeer == null && first != null) {
                keepalivePeer = first.reporter();
                keepaliveMapped = first.observed();
                lastKeepaliveNs = nowNs;
            }
            if (decided == NatType.OPEN) {
                keepalivePeer = null;
            }
        }
        if (type != NatType.UNKNOWN && role.client() == type.reachable()) {
            role.client(!type.reachable());
            counters.roleChanges++;
        }
    }

    private NatType classify() {
        if (mappedLocally()) {
            return NatType.OPEN; // a dual-stack or multi-homed node is seen at several of its own addresses
        }
        if (distinctObservers() < MIN_OBSERVERS) {
            return NatType.UNKNOWN;
        }
        if (!mappingConsistent()) {
            return NatType.SYMMETRIC;
        }
        if (otherAddress.outcome == Outcome.ARRIVED) {
            return NatType.FULL_CONE;
        }
        boolean addressDone = otherAddress.outcome == Outcome.FAILED || otherAddress.outcome == Outcome.NO_SERVER;
        if (otherPort.outcome == Outcome.ARRIVED && addressDone) {
            return NatType.ADDRESS_RESTRICTED;
        }
        if ((otherPort.outcome == Outcome.FAILED || otherPort.outcome == Outcome.NO_SERVER) && addressDone) {
            return NatType.PORT_RESTRICTED;
        }
        return NatType.UNKNOWN;
    }

    /** Observers on the far side of the NAT, by address (a peer on this node's own LAN sees it untranslated). */
    private int distinctObservers() {
        Set<NodeAddress> seen = new HashSet<>();
        for (Observation o : observations.values()) {
            if (!localAddresses.contains(o.observed())) {
                seen.add(o.reporterAddress());
            }
        }
        return seen.size();
    }

    /** Every observer of one address family saw the same address (IPv4 and IPv6 mappings are separate). */
    private boolean mappingConsistent() {
        NodeAddress firstV4 = null;
        NodeAddress firstV6 = null;
        for (Observation o : observations.values()) {
            if (localAddresses.contains(o.observed())) {
                continue; // a peer on this side of the NAT
            }
            NodeAddress first = o.observed().isIpv4() ? firstV4 : firstV6;
            if (first == null) {
                if (o.observed().isIpv4()) {
                    firstV4 = o.observed();
                } else {
                    firstV6 = o.observed();
                }
            } else if (!first.equals(o.observed())) {
                return false;
            }
        }
        return true;
    }

    /** The oldest observation from beyond the NAT (one that saw a translated address), or null. */
    private Observation firstExternal() {
        for (Observation o : observations.values()) {
            if (!localAddresses.contains(o.observed())) {
                return o;
            }
        }
        return null;
    }

    /** Every observer saw this node at an address it is bound to: no NAT in between. */
    private boolean mappedLocally() {
        for (Observation o : observations.values()) {
            if (!localAddresses.contains(o.observed())) {
                return false;
            }
        }
        return !observations.isEmpty();
    }

    // ---------------------------------------------------------------- keepalive

    private void keepalive(long nowNs) {
        if (keepalivePeer == null || keepaliveSentNs >= 0 && nowNs - keepaliveSentNs < PROBE_TIMEOUT_NS) {
            return;
        }
        if (nowNs - lastKeepaliveNs < keepaliveIntervalNs) {
            return;
        }
        keepaliveGapNs = nowNs - lastKeepaliveNs;
        lastKeepaliveNs = nowNs;
        keepaliveSentNs = nowNs;
        counters.keepalivesSent++;
        requests.add(new Request(keepalivePeer, null, 0));
    }

    /**
     * The keepalive peer answered: the same mapping after an idle gap means mappings live at least that long (the
     * gap grows); a new one means they live less (the gap settles below it).
     */
    private void onKeepaliveAnswered(NodeAddress observed) {
        keepaliveSentNs = -1;
        if (observed.equals(keepaliveMapped)) {
            survivedNs = Math.max(survivedNs, keepaliveGapNs);
        } else {
            expiredBelowNs = Math.min(expiredBelowNs, keepaliveGapNs);
            keepaliveMapped = observed;
        }
        if (expiredBelowNs == Long.MAX_VALUE) {
            keepaliveIntervalNs = Math.min(MAX_KEEPALIVE_NS, Math.max(keepaliveIntervalNs, survivedNs * 2));
        } else {
            long below = expiredBelowNs / 2;
            keepaliveIntervalNs = Math.max(MIN_KEEPALIVE_NS, survivedNs > 0 ? Math.min(survivedNs, below) : below);
        }
    }

    // ---------------------------------------------------------------- views

    public Status status(long nowNs) {
        Observation external = firstExternal();
        NodeAddress mapped = !mappingConsistent() || observations.isEmpty() ? null
                : external != null ? external.observed() : observations.values().iterator().next().observed();
        return new Status(type, role.client(), new ArrayList<>(observations.values()), mapped, otherPort.outcome,
                otherAddress.outcome, survivedNs, expiredBelowNs, keepalivePeer == null ? 0 : keepaliveIntervalNs,
                keepalivePeer == null ? null : keepalivePeer.id(), counters.copy());
    }

    public Counters counters() {
        return counters;
    }

    /** The keepalive interval in use; 0 when no mapping is kept alive (open, or undecided). */
    public long keepaliveIntervalNs() {
        return keepalivePeer == null ? 0 : keepaliveIntervalNs;
    }

    /** The longest idle gap a mapping was seen to survive (0: none measured yet). */
    public long mappingLifetimeAtLeastNs() {
        return survivedNs;
    }
}
