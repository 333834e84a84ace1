package io.molia.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.MessageKind;
import io.molia.codec.ProtocolRange;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.contact.ProofOfWork;
import io.molia.core.lookup.Lookup;
import io.molia.core.lookup.LookupHop;
import io.molia.core.store.MutableStore;
import io.molia.core.store.ProviderStore;
import io.molia.core.store.RecordRequests;
import io.molia.core.store.RecordStore;
import io.molia.core.store.RecordsConfig;
import io.molia.core.store.Replicator;
import io.molia.core.store.Republisher;
import io.molia.core.store.StoreJournal;
import io.molia.record.MutableRecord;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;
import io.molia.record.WriteOutcome;
import io.molia.crypto.Blake3;
import io.molia.crypto.Ed25519Identity;
import io.molia.nat.DhtRole;
import io.molia.nat.DialBackMode;
import io.molia.nat.NatProbe;
import io.molia.nat.NatTraversal;
import io.molia.nat.ProbeBudget;
import io.molia.relay.Relay;
import io.molia.relay.RelayCircuits;
import io.molia.relay.RelayClient;
import io.molia.relay.RelayLimits;
import io.molia.relay.RelayRefusal;
import io.molia.relay.RelayRoutes;

/**
 * One Kademlia node with no I/O (DESIGN §3.1): authenticated datagrams and the time go in; datagrams to send,
 * the next deadline and completed operations come out. The real node drives it from a shard's event loop, the
 * simulator from virtual time, tests by hand.
 *
 * <p>Call {@link #onDatagram} for every inner message the session layer delivered, {@link #onTimer} whenever
 * {@code now >= nextDeadlineNs()}, then drain {@link #pollTransmit} and {@link #pollEvent}. The {@code from}
 * contact of a datagram is the peer the session layer authenticated, so its ID is trusted here.
 *
 * <p>The routing table admits only peers that answered a request of this node from the address it asked
 * ({@link #onResponse}); a peer that merely contacts this node becomes a {@link RoutingCandidates candidate}, pinged
 * later. A message carried by a handshake initiation the peer has not yet confirmed may be a replay: it gets only a
 * read-only answer and changes nothing ({@link #onUnconfirmedDatagram}).
 *
 * <p>Every contact this core learns meets the network's {@link ProofOfWork} (a peer's own nonce rides in its
 * messages' envelopes; NODES answers and a restored peer store carry the others' nonces): the rest are dropped and
 * counted where they appeared, so it never hands one out. A STORE must carry a {@link WriteTokens write token} this
 * node gave the same writer in a FIND_NODE or FIND_VALUE answer; without one it is dropped unanswered.
 *
 * <p>A node with several shards runs one core per shard ({@link ShardPartition}): each answers PING and FIND_NODE
 * itself, holds the records of its key partition, and runs the lookups started on it. Shard 0's core owns the
 * routing table and publishes it ({@link PublishedRouting}); the others read the published snapshot and report
 * what they learn of peers as {@link RoutingNote}s. A message another shard must handle (a record request for its
 * key, a response to its request) is not handled here: {@link #onDatagram} names that shard.
 *
 * <p>Owned by one thread; not thread-safe.
 */
public final class NodeCore {
    public static final int PROTOCOL_VERSION = ProtocolRange.THIS_RELEASE.max();
    public static final int MIN_PROTOCOL_VERSION = ProtocolRange.THIS_RELEASE.min();
    /** {@link #onDatagram} handled the message here (or dropped it, counted). */
    public static final int HANDLED = -1;
    /** decode(): the message is this core's to handle. */
    private static final int MINE = -1;
    /** decode(): the message was dropped (counted), or came from this node itself. */
    private static final int DROP = -2;
    private static final long EXPIRY_SWEEP_NS = TimeUnit.MINUTES.toNanos(1);
    private static final int RTT_CACHE_SIZE = 4_096;
    /** Buckets a join refreshes, farthest first (see {@link #refreshAfterJoin}). */
    private static final int BUCKETS_REFRESHED_AFTER_JOIN = 2;
    /**
     * A request to a peer never measured is hedged when it is slower than this share of first contacts: the median,
     * since under churn a peer not answering by then is as likely gone as far (docs/benchmarks.md: 0.75 → 0.5).
     */
    private static final double HEDGE_PERCENTILE = 0.5;
    /** A get's second round starts from the table's this many times k closest (the first k were asked already). */
    private static final int RETRY_SEEDS_PER_K = 3;
    /**
     * A write streams its stores and may be acknowledged once the β closest live candidates of its lookup answered
     * (libp2p's resiliency parameter, 3): its lookup has reached the key's neighbourhood.
     */
    private static final int WRITE_BETA = 3;
    /**
     * Requests in flight per disjoint path of a write's lookup (reads keep one): a write reports only once a majority
     * of the k closest answered and stored it, and a path of one request asks the peers it learned near the key one
     * after the other. Two per path reach the key's neighbourhood and its majority sooner (at 2,000 nodes under
     * churn: publish P50 622 -> 487 ms, and 5 % fewer datagrams: fewer requests time out); three, sooner still
     * (487 -> 455 ms, 2 % more datagrams; the 11th of the k closest has answered when the stores begin;
     * docs/records.md, "Streamed writes").
     */
    private static final int WRITE_REQUESTS_PER_PATH = 3;
    /** First-contact RTT samples before their percentiles set the timeouts of peers never measured. */
    private static final int MIN_SAMPLES_FOR_PERCENTILES = 16;
    /** Peers this core found unresponsive, remembered so its lookups do not ask them again (most have left). */
    private static final int RECENT_FAILURES_SIZE = 4_096;
    /** How long an unresponsive peer is not asked; an answer from it clears it sooner. */
    private static final long RECENT_FAILURE_NS = TimeUnit.MINUTES.toNanos(10);
    /** Enough for a lookup burst plus the answers of one event-loop turn; drivers drain after every input. */
    private static final int TRANSMIT_QUEUE_SLOTS = 256;
    /**
     * The wall clock of a core nobody set one for (simulator, tests): {@code nowNs} 0 is 2027-01-15, so announcement
     * expiries are plausible and every run is the same.
     */
    public static final long DEFAULT_WALL_TIME_OFFSET_NS = 1_800_000_000L * 1_000_000_000L;

    private final CoreConfig config;
    private final Contact self;
    private final RandomGenerator random;
    private final ShardPartition partition;
    /** The routing table on the owner shard; null on the others, which read {@link #published}. */
    private final RoutingTable routing;
    /** Where the owner publishes the table and the other shards read it; null for a lone core (no readers). */
    private final PublishedRouting published;
    /** What this core learned of peers, for the table's owner (only a core that does not own it fills this). */
    private final ArrayDeque<RoutingNote> routingNotes = new ArrayDeque<>();
    private final RecordStore records;
    /** Provider and mutable records of this core's partition, and what this node republishes as their owner. */
    private RecordRequests recordRequests = new RecordRequests(RecordsConfig.defaults());
    private Republisher republisher = new Republisher(RecordsConfig.defaults());
    /** Handoffs to newcomers, repair rounds and hot keys of this core's records ({@link Replicator}). */
    private Replicator replicator = new Replicator(RecordsConfig.defaults());
    /** How often the maintenance sweep runs: a minute, or the shortest republish interval when shorter. */
    private long maintenanceIntervalNs = EXPIRY_SWEEP_NS;
    private long nextMaintenanceNs;
    /** When the per-minute work (expiry, replication budgets, scores, bucket refresh) last ran. */
    private long lastMinuteSweepNs;
    /** A REPLICATION timer is queued (at most one at a time). */
    private boolean replicationTimerArmed;
    /** Keys an answer just made hot, widened once the answer is queued. */
    private final ArrayDeque<Replicator.Check> hotKeys = new ArrayDeque<>(4);
    private StoreJournal journal = StoreJournal.NONE;
    /** Signs this node's provider announcements ({@link #provideSigner}); null: provides go out without one. */
    private Ed25519Identity provideSigner;
    /** Wall time ns minus {@code nowNs}: announcements' expiries are wall-time seconds ({@link #wallTimeOffset}). */
    private long wallTimeOffsetNs = DEFAULT_WALL_TIME_OFFSET_NS;
    private final ProtocolRange protocol;
    private final MessageCodec codec;
    private final WireMessage message = new WireMessage();
    private final Blake3 blake3 = new Blake3();
    private final byte[] scratch = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
    private final CoreCounters counters = new CoreCounters();
    private Predicate<NodeAddress> reachable = address -> true;
    private ProofOfWork proofOfWork = new ProofOfWork(0);
    private WriteTokens writeTokens;
    /**
     * RTTs of first contacts (peers not measured before): what a peer never measured may take. Not fed by peers
     * already measured, which are mostly the table's nearby ones (proximity neighbour selection) and would make a
     * far peer's first answer look late.
     */
    private final RttEstimator firstContactRtt = new RttEstimator();
    private final RttPercentiles firstContactPercentiles = new RttPercentiles();
    private final Map<NodeId, RttEstimator> rttCache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, RttEstimator> eldest) {
            return size() > RTT_CACHE_SIZE;
        }
    };
    /** Peer → when it was found unresponsive (see {@link #onUnresponsive}); least recently failed first. */
    private final Map<NodeId, Long> recentFailures = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, Long> eldest) {
            return size() > RECENT_FAILURES_SIZE;
        }
    };
    private final Map<Long, PendingRequest> pending = new HashMap<>();
    private final Map<Long, Operation> operations = new HashMap<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final TransmitQueue transmits = new TransmitQueue(TRANSMIT_QUEUE_SLOTS, new TransmitBuffers());
    private final RoutingCandidates candidates = new RoutingCandidates();
    /** A CANDIDATE timer is queued (at most one at a time). */
    private boolean candidateTimerArmed;
    /** Stale entries to ping before they are handed out again (the owner's only). */
    private final LivenessChecks livenessChecks = new LivenessChecks();
    /** A LIVENESS timer is queued (at most one at a time). */
    private boolean livenessTimerArmed;
    private final ArrayDeque<CoreEvent> events = new ArrayDeque<>();
    /** Hops of finished traced operations until the driver takes them; only traced operations land here. */
    private final Map<Long, List<LookupHop>> finishedTraces = new HashMap<>();
    /** Sees the lookup of every operation as it ends (the simulator's diagnostics); null for none. */
    private FinishedLookupObserver finishedLookups;
    private final Contact[] closestScratch;
    private final Lookup.RttOracle rttOracle = this::expectedRttNs;
    /** This node's DHT role, shared by its cores; the owner's {@link #nat} sets it. */
    private DhtRole role = new DhtRole();
    /** NAT classification and keepalive, on the routing table's owner when the driver enabled it; else null. */
    private NatTraversal nat;
    /** Whether this node has an alternate address to send {@link DialBackMode#OTHER_ADDRESS} probes from. */
    private boolean alternateProbeAddress;
    private final ProbeBudget probeBudget = new ProbeBudget();
    /** The role the table's peers last heard of: on turning client, each is pinged so it drops this node now. */
    private boolean announcedClient;
    private final ArrayDeque<NatProbe> probes = new ArrayDeque<>();
    /** Relaying for others and through others (docs/nat.md), on the owner when the driver enabled it; else null. */
    private Relay relay;
    private RelayClient relayClient;
    /** Circuits to relayed servers (docs/nat.md, "Relayed servers"), when the driver carries frames; else null. */
    private RelayCircuits circuits;
    /** Blob transfers (docs/blobs.md), on the routing table's owner when the driver enabled them; else null. */
    private NodeBlobs blobs;
    /** A circuit {@link #answerRelay} opened, announced to its target once the answer is queued. */
    private Contact announceTo;
    /** The other end of a circuit an end just closed, to be told after the answer (null: none). */
    private Contact closeTo;
    private int closeCircuitId;
    private int announceCircuit;
    /** The NAT type the circuit's initiator said it is behind, for {@link #announceCircuit}. */
    private int announceNatType;
    private long nextHandle = 1;
    /** The ID of the request {@link #sendRequest} sent last. */
    private long lastRequestId;
    private long timerSeq;

    /** A node's only core: it owns the routing table and every record (one shard, a simulated node, tests). */
    public NodeCore(CoreConfig config, Contact self, RandomGenerator random, long nowNs) {
        this(config, self, random, nowNs, ShardPartition.SINGLE, null);
    }

    /**
     * The core of shard {@code partition.index()}: shard 0's owns the routing table and publishes it to
     * {@code published}; the others read it from there.
     */
    public NodeCore(CoreConfig config, Contact self, RandomGenerator random, long nowNs, ShardPartition partition,
            PublishedRouting published) {
        if (!partition.ownsRoutingTable() && published == null) {
            throw new IllegalArgumentException("shard " + partition.index() + " needs the published routing table");
        }
        this.config = config;
        this.protocol = config.protocol();
        this.codec = new MessageCodec(protocol, self.powNonce());
        this.self = self;
        this.random = random;
        byte[] secret = new byte[WriteTokens.Secret.BYTES];
        random.nextBytes(secret);
        this.writeTokens = new WriteTokens(new WriteTokens.Secret(secret)); // a lone core's own
        this.partition = partition;
        this.published = published;
        this.routing = partition.ownsRoutingTable() ? new RoutingTable(self.id(), config, nowNs) : null;
        this.records = new RecordStore(config.maxRecords(), config.maxRecordBytes());
        this.closestScratch = new Contact[config.k()];
        lastMinuteSweepNs = nowNs;
        nextMaintenanceNs = nowNs + EXPIRY_SWEEP_NS;
        schedule(nextMaintenanceNs, TimerKind.MAINTENANCE, null);
    }

    public Contact self() {
        return self;
    }

    public CoreConfig config() {
        return config;
    }

    /** The routing table; only the owner shard's core has one ({@link #ownsRoutingTable}). */
    public RoutingTable routingTable() {
        if (routing == null) {
            throw new IllegalStateException("shard " + partition.index() + " does not own the routing table");
        }
        return routing;
    }

    public boolean ownsRoutingTable() {
        return routing != null;
    }

    public ShardPartition partition() {
        return partition;
    }

    public RecordStore records() {
        return records;
    }

    /** The provider and mutable records this core holds for others. */
    public RecordRequests recordRequests() {
        return recordRequests;
    }

    /** Sets the provider/mutable record parameters; before the first input (the stores start empty again). */
    public void recordsConfig(RecordsConfig config) {
        recordRequests = new RecordRequests(config);
        recordRequests.journal(journal);
        republisher = new Republisher(config);
        republisher.journal(journal);
        replicator = new Replicator(config);
        // Republish is checked at least as often as the owner republishes, so it is never a whole minute late.
        maintenanceIntervalNs = Math.min(EXPIRY_SWEEP_NS,
                Math.min(config.providerRepublishNs(), config.mutableRepublishNs()));
        if (lastMinuteSweepNs + maintenanceIntervalNs < nextMaintenanceNs) {
            nextMaintenanceNs = lastMinuteSweepNs + maintenanceIntervalNs;
            schedule(nextMaintenanceNs, TimerKind.MAINTENANCE, null);
        }
    }

    /**
     * The identity that signs this node's provider announcements (the one its provider records are signed with), so
     * the holders of its entries can hand them over (docs/records.md). Unset, provides carry no announcement.
     */
    public void provideSigner(Ed25519Identity identity) {
        this.provideSigner = identity;
    }

    /** Sets the wall clock as {@code wallNs - nowNs}: read once at start by the node (announcement expiries). */
    public void wallTimeOffset(long offsetNs) {
        this.wallTimeOffsetNs = offsetNs;
    }

    /** What this node republishes as the owner of its records (restored from the WAL at start). */
    public Republisher republisher() {
        return republisher;
    }

    public CoreCounters counters() {
        return counters;
    }

    /**
     * Journals every later change of records and routing table to {@code journal} (synchronously, before a STORE
     * is acknowledged). Call after restoring recovered state, so what was recovered is not journaled twice.
     */
    public void journal(StoreJournal journal) {
        this.journal = journal;
        records.journal(journal);
        recordRequests.journal(journal);
        republisher.journal(journal);
        if (routing != null) {
            routing.journal(journal);
        }
    }

    /**
     * Which addresses this node can send to (its socket's family: an IPv4 socket cannot reach an IPv6 peer, nor the
     * reverse); contacts that others' answers name at other addresses are not asked, so a lookup does not wait out
     * their timeouts. Every address by default.
     */
    public void reachable(Predicate<NodeAddress> reachable) {
        this.reachable = reachable;
    }

    /**
     * NAT traversal for this node (owner core only; see {@link NatTraversal}); {@code role} is shared by every core of
     * the node ({@link #role}), {@code alternateProbeAddress} says whether its driver can send probes from a second
     * address. Off by default (the simulator, tests): then the node is always a server.
     */
    public void enableNat(NatTraversal nat, long nowNs) {
        if (routing == null) {
            throw new IllegalStateException("NAT state lives with the routing table");
        }
        this.nat = nat;
        this.role = nat.role();
        schedule(Math.max(nowNs, nat.nextDeadlineNs()), TimerKind.NAT, null);
    }

    /** The node's shared DHT role (every core writes it into its messages) and dial-back capability. */
    public void role(DhtRole role, boolean alternateProbeAddress) {
        this.role = role;
        this.alternateProbeAddress = alternateProbeAddress;
    }

    /** This node's DHT role, shared by its cores. */
    public DhtRole dhtRole() {
        return role;
    }

    /** Whether this node sends other-address probes for peers (it has an alternate address). */
    public boolean servesOtherAddressProbes() {
        return alternateProbeAddress;
    }

    /**
     * Relaying (owner core only): {@code relay} serves others within its budget (null: this node refuses), and
     * {@code client} keeps a reservation while the node is a DHT client and opens circuits.
     */
    public void enableRelay(Relay relay, RelayClient client) {
        if (routing == null) {
            throw new IllegalStateException("relay state lives with the routing table");
        }
        this.relay = relay;
        this.relayClient = client;
    }

    /**
     * Turns on blob transfers (the owner's only: every shard hands it BLOB_FRAMEs): this node then holds fragments
     * and manifests pushed with its write token, serves fetches, and runs the pushes and fetches started here.
     */
    public void enableBlobs(long storeBytes) {
        if (routing == null) {
            throw new IllegalStateException("blob transfers run on the routing table's owner");
        }
        blobs = new NodeBlobs(codec, random, events, storeBytes);
    }

    /** Where the blob objects this node takes are journaled (its WAL); requires {@link #enableBlobs}. */
    public void blobJournal(io.molia.blob.BlobJournal journal) {
        blobsEnabled().journal(journal);
    }

    /** The node's blob transfers and store; null unless {@link #enableBlobs enabled}. */
    public io.molia.blob.BlobTransfers blobTransfers() {
        return blobs == null ? null : blobs.transfers();
    }

    /** Pushes a blob object (a fragment or manifest) to {@code to}; a {@link CoreEvent.BlobPushCompleted} ends it. */
    public long startBlobPush(long nowNs, Contact to, byte[] object) {
        return blobsEnabled().push(nowNs, nextHandle++, to, object);
    }

    /** Fetches the blob object under {@code key} from {@code from}; a {@link CoreEvent.BlobFetchCompleted} ends it. */
    public long startBlobFetch(long nowNs, Contact from, NodeId key) {
        return blobsEnabled().fetch(nowNs, nextHandle++, from, key);
    }

    /**
     * Asks {@code to} whether it holds the blob object under {@code key}, without its bytes; a
     * {@link CoreEvent.BlobProbeCompleted} answers. -1 when too many probes are under way.
     */
    public long startBlobProbe(long nowNs, Contact to, NodeId key) {
        return blobsEnabled().probe(nowNs, nextHandle++, to, key);
    }

    private NodeBlobs blobsEnabled() {
        if (blobs == null) {
            throw new IllegalStateException("blob transfers are not enabled on this core");
        }
        return blobs;
    }

    public Relay relay() {
        return relay;
    }

    /**
     * Relayed servers (every core, when its driver wraps datagrams to relayed addresses in frames, as {@code Shard}
     * does): a client holding a reservation announces itself (feature bit 1) and its relay enters it in its table;
     * requests to a contact that names a relay go through a circuit there ({@link RelayCircuits}, over the node's
     * {@code routes}).
     */
    public void enableRelayedServers(RelayRoutes routes) {
        this.circuits = new RelayCircuits(routes, RelayLimits.DEFAULTS.circuitNs());
    }

    /** The circuits this core opened to relayed servers; null unless {@link #enableRelayedServers enabled}. */
    public RelayCircuits circuits() {
        return circuits;
    }

    public RelayClient relayClient() {
        return relayClient;
    }

    /**
     * Asks {@code via} for a circuit to {@code target}, a client holding a reservation there; once granted, a PING to
     * {@code target} at its relayed address opens the session through the relay, and both ends punch (see
     * {@code RelayRoutes}). False when not sent.
     */
    public boolean connectViaRelay(long nowNs, Contact via, Contact target) {
        if (relayClient == null || pending.size() >= config.maxPendingRequests()) {
            return false;
        }
        codec.extraFeatures(role.features());
        long requestId = newRequestId();
        sendTracked(via, codec.encodeRelayConnect(scratch, 0, requestId, target.id(), ownNatType()), nowNs, requestId,
                null);
        relayClient.onConnectSent(requestId, target);
        return true;
    }

    /**
     * Asks {@code at} for a relay reservation (the NAT timer does while this node is a DHT client); once granted,
     * others reach this node through it. False when not sent.
     */
    public boolean reserveRelay(long nowNs, Contact at) {
        if (relayClient == null || pending.size() >= config.maxPendingRequests()) {
            return false;
        }
        codec.extraFeatures(role.features());
        long requestId = newRequestId();
        sendTracked(at, codec.encodeRelayReserve(scratch, 0, requestId, ownNatType()), nowNs, requestId, null);
        relayClient.onReserveSent(requestId, at);
        return true;
    }

    /** The NAT type this node classified itself as (NatType's ordinal), told to relays and circuits' other ends. */
    private int ownNatType() {
        return nat == null ? 0 : nat.type().ordinal();
    }

    /** The NAT state, or null when not enabled (or not the owner). */
    public NatTraversal nat() {
        return nat;
    }

    /** A dial-back probe (see {@link NatProbe}) that reached this node's socket from {@code from}. */
    public void onNatProbe(long nowNs, NodeAddress from, long nonce) {
        if (nat == null || !nat.onProbe(nowNs, from, nonce)) {
            counters.natProbesDropped++;
        }
    }

    /** The next dial-back probe to send for a peer, from the probe socket; null when none. */
    public NatProbe pollProbe() {
        return probes.poll();
    }

    /**
     * The proof of work contacts must show (the network's {@code c}; none by default). Set before any input, and
     * before a restored peer store is added, so what does not meet it is dropped.
     */
    public void proofOfWork(ProofOfWork check) {
        this.proofOfWork = check;
    }

    /** The node-wide write-token secret: every shard of a node sets the same, so any of them checks any's tokens. */
    public void writeTokenSecret(WriteTokens.Secret secret) {
        this.writeTokens = new WriteTokens(secret);
    }

    public int pendingRequests() {
        return pending.size();
    }

    public int activeOperations() {
        return operations.size();
    }

    // ---------------------------------------------------------------- inputs

    /**
     * An inner message from the authenticated peer {@code from}, on a session it confirmed (it proved the keys from
     * its address). Malformed input is counted and dropped. Returns {@link #HANDLED}, or the shard that must handle
     * the message instead (the owner of a record request's key, the sender of the request a response answers):
     * the driver hands it the bytes, untouched and uncounted here.
     */
    public int onDatagram(long nowNs, Contact from, byte[] buf, int off, int len) {
        codec.extraFeatures(role.features());
        int decoded = decode(from, buf, off, len);
        if (decoded != MINE) {
            return decoded == DROP ? HANDLED : decoded;
        }
        if (message.kind().isBulk()) {
            onBlobFrame(nowNs, from);
            return HANDLED;
        }
        // A sender without the work is answered (as a client) but never learned: not a candidate, not in the table.
        boolean proven = proofOfWork.valid(from.id(), message.powNonce());
        if (message.kind().isRequest()) {
            if (!protocol.accepts(message)) {
                answerUnsupported(from);
                return HANDLED;
            }
            counters.requestsIn++;
            answer(nowNs, from);
            if (!proven) {
                counters.powRejectedSender++;
            } else if (routing != null && DhtRole.isClient(message.features())) {
                if (!relaysFor(nowNs, from)) {
                    routing.remove(from.id()); // it turned client: no longer handed out
                }
            } else if (DhtRole.isRelayed(message.features())) {
                counters.relayedServerRequests++; // its NAT filters the address it sends from: only its relayed form
            } else if (routing != null) {
                onContactedBy(nowNs, from); // other shards' drivers report contacts to the owner on their own
            }
        } else if (proven) {
            onResponse(nowNs, from);
        } else {
            PendingRequest req = pending.get(message.requestId());
            if (req != null && req.operation != null && req.operation.bootstrap) {
                counters.powRejectedBootstrap++; // the request stays pending: the seed is failed at its timeout
            } else {
                counters.powRejectedSender++;
            }
        }
        return HANDLED;
    }

    /**
     * An inner message carried by a handshake initiation whose sender has not confirmed the keys yet: anyone may
     * replay such an initiation, from any address. A read-only request (PING, FIND_NODE, FIND_VALUE) is answered,
     * since the answer changes nothing and the session layer bounds its size by 3x what it received (DESIGN §3.4);
     * nothing is learned from it (no routing table, liveness or candidate change). A STORE, or a response, is
     * dropped and counted: the initiator re-sends it on the confirmed session.
     */
    public int onUnconfirmedDatagram(long nowNs, Contact from, byte[] buf, int off, int len) {
        codec.extraFeatures(role.features());
        int decoded = decode(from, buf, off, len);
        if (decoded != MINE) {
            return decoded == DROP ? HANDLED : decoded;
        }
        if (!message.kind().isRequest() || message.kind().isWrite() || message.kind() == MessageKind.DIAL_BACK
                || message.kind().isRelay()) {
            counters.unconfirmedRefused++;
            return HANDLED;
        }
        if (!protocol.accepts(message)) {
            answerUnsupported(from);
            return HANDLED;
        }
        counters.requestsIn++;
        answer(nowNs, from);
        return HANDLED;
    }

    /**
     * Decodes a message into {@link #message}: {@link #MINE}; {@link #DROP} when it was dropped (counted; a message
     * of an unknown type is answered with the supported versions) or comes from this node itself; or the shard
     * that must handle it (not counted here: that shard counts it).
     */
    private int decode(Contact from, byte[] buf, int off, int len) {
        DecodeStatus status = codec.decode(buf, off, len, message);
        if (status == DecodeStatus.OK && partition.count() > 1) {
            int owner = message.kind().isBulk() ? 0 : message.kind().isRequest()
                    ? (message.kind().isKeyed() ? partition.ownerOfKey(message.targetWord(0))
                            : message.kind().isRelay() ? 0 : partition.index())
                    : partition.ownerOfRequest(message.requestId());
            if (owner != partition.index()) {
                return owner;
            }
        }
        counters.datagramsIn++;
        if (status == DecodeStatus.UNKNOWN_BODY) {
            answerUnsupported(from);
            counters.droppedByStatus[status.ordinal()]++;
            return DROP;
        }
        if (status != DecodeStatus.OK) {
            counters.droppedByStatus[status.ordinal()]++;
            return DROP;
        }
        return from.id().equals(self.id()) ? DROP : MINE;
    }

    /**
     * The peer {@code from} contacted this node on a session it confirmed (a request this core or another shard
     * answered, or the keepalive that confirmed the session): if its bucket has room, it becomes a candidate, pinged
     * later at that address; it enters the table only if it answers. A peer the table holds changes its entry the same
     * way: its requests prove neither liveness nor a new address, its answer to the ping does.
     */
    public void onContactedBy(long nowNs, Contact from) {
        if (routing == null) {
            throw new IllegalStateException("contacts are reported to the routing table's owner");
        }
        if (from.id().equals(self.id()) || RelayRoutes.isRelayed(from.address())
                || !routing.wouldChangeIfAnswered(nowNs, from) || !reachable.test(from.address())) {
            return;
        }
        if (candidates.offer(nowNs, from, counters) && !candidateTimerArmed) {
            candidateTimerArmed = true;
            schedule(Math.max(nowNs, candidates.nextDueNs()), TimerKind.CANDIDATE, null);
        }
    }

    /** Fires every timer due at {@code nowNs}. */
    public void onTimer(long nowNs) {
        codec.extraFeatures(role.features());
        Timer t;
        while ((t = timers.peek()) != null && t.deadlineNs <= nowNs) {
            timers.poll();
            switch (t.kind) {
                case SOFT_TIMEOUT -> onSoftTimeout(nowNs, t.request);
                case HARD_TIMEOUT -> onHardTimeout(nowNs, t.request);
                case MAINTENANCE -> onMaintenance(nowNs);
                case CANDIDATE -> onCandidateTimer(nowNs);
                case LIVENESS -> onLivenessTimer(nowNs);
                case NAT -> onNatTimer(nowNs);
                case GET_WAIT -> finish(nowNs, t.operation); // a read's bounded wait for more is over
                case REPLICATION -> runReplication(nowNs);
            }
        }
        if (blobs != null) {
            blobs.onTimer(nowNs);
        }
    }

    /**
     * What another shard's core learned of a peer ({@link #pollRoutingNote} there), applied to this core's table:
     * the owner's only.
     */
    public void onRoutingNote(long nowNs, RoutingNote note) {
        switch (note) {
            case RoutingNote.Answered a -> noteAlive(nowNs, a.peer(), a.rttNs());
            case RoutingNote.Failed f -> {
                routingTable().onFailure(f.peer());
                scoreBehaviour(nowNs, f.peer(), PeerScores.Reason.TIMED_OUT);
            }
            case RoutingNote.Behaved b -> scoreBehaviour(nowNs, b.peer(), b.reason());
            case RoutingNote.LookupStarted l -> routingTable().onLookupStarted(nowNs, l.target());
        }
    }

    /** The owner publishes its table to the other shards if it changed (call after each input); else nothing. */
    public void publishRouting() {
        if (routing != null && published != null) {
            published.publishIfChanged(routing);
        }
    }

    public long nextDeadlineNs() {
        Timer t = timers.peek();
        long next = t == null ? Long.MAX_VALUE : t.deadlineNs;
        return blobs == null ? next : Math.min(next, blobs.nextDeadlineNs());
    }

    // ---------------------------------------------------------------- outputs

    /** Takes the IDs of the contacts it decodes from {@code shared} when it knows their keys (the simulator). */
    public void shareKnownIds(io.molia.codec.KnownIds shared) {
        codec.knownIds(shared);
    }

    /**
     * Encodes outgoing datagrams into buffers borrowed from {@code shared} (see {@link TransmitBuffers}): for a driver
     * that runs many cores on one thread and drains each after every input.
     */
    public void borrowTransmitBuffersFrom(TransmitBuffers shared) {
        transmits.borrowFrom(shared);
    }

    /**
     * The next datagram to send, or null; valid until the next call into this core (see {@link Outbound}). Blob
     * frames come after everything else, as many as their windows allow.
     */
    public Outbound pollTransmit() {
        Outbound next = transmits.poll();
        if (next == null && blobs != null) {
            next = blobs.pollTransmit();
            if (next != null) {
                counters.datagramsOut++;
            }
        }
        return next;
    }

    public CoreEvent pollEvent() {
        return events.poll();
    }

    /** The next thing learned of a peer, for the routing table's owner; null when none (always, on the owner). */
    public RoutingNote pollRoutingNote() {
        return routingNotes.poll();
    }

    // ---------------------------------------------------------------- commands

    /** Joins the network through {@code seeds}: a lookup of this node's own ID starting from them. */
    public long bootstrap(long nowNs, List<Contact> seeds) {
        long handle = startOperation(nowNs, OperationKind.LOOKUP, self.id(), seeds, null, 0);
        Operation op = operations.get(handle);
        if (op != null) {
            op.bootstrap = true; // a seed is known by its key alone: its first answer shows its nonce
        }
        return handle;
    }

    /** Iterative FIND_NODE for {@code target}; -1 when refused (too many lookups running). */
    public long startLookup(long nowNs, NodeId target) {
        return startOperation(nowNs, OperationKind.LOOKUP, target, null, null, 0);
    }

    /**
     * As {@link #startLookup} (or {@link #startGet} when {@code findValue}), recording every hop; the driver takes
     * the hops with {@link #takeTrace} when the operation's event comes out. For operators (the admin socket's
     * {@code trace}); normal lookups record nothing.
     */
    public long startTracedLookup(long nowNs, NodeId target, boolean findValue) {
        long handle = startOperation(nowNs, findValue ? OperationKind.GET : OperationKind.LOOKUP, target, null, null, 0,
                true);
        return handle;
    }

    /** Sees the lookup of every operation that ends from now on, before its event is queued. */
    @FunctionalInterface
    public interface FinishedLookupObserver {
        void finished(long handle, Lookup lookup);
    }

    /** For diagnostics (the simulator explains failed gets with it): {@code observer} sees each finished lookup. */
    public void observeFinishedLookups(FinishedLookupObserver observer) {
        this.finishedLookups = observer;
    }

    /** The hops of the finished traced operation {@code handle} (once; null when it was not traced). */
    public List<LookupHop> takeTrace(long handle) {
        return finishedTraces.remove(handle);
    }

    /** Iterative FIND_VALUE for {@code key}; completes at the first valid value. */
    public long startGet(long nowNs, NodeId key) {
        RecordStore.StoredRecord held = partition.ownerOfKey(key) == partition.index() ? records.get(nowNs, key) : null;
        if (held != null) {
            // This node holds it (it is among the k closest): no lookup excludes itself into "not found".
            long handle = nextHandle++;
            counters.lookupsStarted++;
            events.add(new CoreEvent.GetCompleted(handle, key, held.value().clone(), nowNs, nowNs, 0));
            return handle;
        }
        return startOperation(nowNs, OperationKind.GET, key, null, null, 0);
    }

    /** Stores an immutable record (key = BLAKE3(value)) on the k closest peers; returns the handle. */
    public long startPut(long nowNs, byte[] value, long ttlNs) {
        if (value.length > config.maxValueBytes()) {
            throw new IllegalArgumentException("value of " + value.length + " bytes exceeds " + config.maxValueBytes());
        }
        NodeId key = NodeId.fromBytes(blake3.hash(value));
        return startOperation(nowNs, OperationKind.PUT, key, null, value, ttlNs);
    }

    /**
     * Announces on the k closest to {@code key} that {@code provider} (this node's signed record) provides it, with
     * an announcement signed by {@link #provideSigner} for the provider TTL when it is the record's key.
     */
    public long startProvide(long nowNs, NodeId key, SignedNodeRecord provider) {
        long ttlNs = recordRequests.config().providerTtlNs();
        ProvideAnnouncement announcement = null;
        if (provideSigner != null && Arrays.equals(provideSigner.publicKey(), provider.publicKey())) {
            long expiresSeconds = Math.floorDiv(nowNs + wallTimeOffsetNs, 1_000_000_000L)
                    + TimeUnit.NANOSECONDS.toSeconds(ttlNs);
            announcement = ProvideAnnouncement.sign(provideSigner, key, provider.seq(), expiresSeconds);
        }
        return startOperation(nowNs, OperationKind.PROVIDE, key, null, null, ttlNs, false,
                new Provision(key, provider, announcement), MutableStore.NO_CAS);
    }

    /**
     * Looks up the providers of {@code key}: ends once enough valid ones are found (each named by two holders), at
     * most {@link RecordsConfig#readWaitNs} after the first one came (other holders' answers follow it closely), or
     * when the lookup ends.
     */
    public long startFindProviders(long nowNs, NodeId key) {
        return startFindProviders(nowNs, key, recordRequests.config().wantedProviders());
    }

    /**
     * Looks up the providers of {@code key} and ends as soon as {@code wanted} valid ones are found, each named by
     * two holders ({@link FoundProviders}: a caller that needs one source stops at the first so named), the bounded
     * wait after the first is over, or the lookup ends.
     */
    public long startFindProviders(long nowNs, NodeId key, int wanted) {
        if (wanted < 1) {
            throw new IllegalArgumentException("wanted providers must be at least 1, not " + wanted);
        }
        long handle = startOperation(nowNs, OperationKind.FIND_PROVIDERS, key, null, null, 0, false, null,
                MutableStore.NO_CAS);
        Operation op = operations.get(handle);
        if (op != null) {
            op.wantedProviders = wanted;
        }
        return handle;
    }

    /** Stores {@code record} on the k closest to its key; {@code cas} >= 0 asks for compare-and-swap. */
    public long startPutMutable(long nowNs, MutableRecord record, long cas) {
        return startOperation(nowNs, OperationKind.PUT_MUTABLE, record.key(), null, null,
                recordRequests.config().mutableTtlNs(), false, record, cas);
    }

    /**
     * Finds the highest valid seq of the mutable record under {@code key}: after the first valid answer it waits at
     * most {@link RecordsConfig#readWaitNs} for a higher seq, or less when the lookup ends first.
     */
    public long startGetMutable(long nowNs, NodeId key) {
        return startOperation(nowNs, OperationKind.GET_MUTABLE, key, null, null, 0, false, null, MutableStore.NO_CAS);
    }

    /** What this core holds itself for a record read it starts: the lookup excludes this node. */
    private void seedFromLocal(long nowNs, Operation op) {
        if (partition.ownerOfKey(op.target) != partition.index()) {
            return;
        }
        if (op.kind == OperationKind.FIND_PROVIDERS) {
            op.providersFound.addAnswer(recordRequests.providers().providers(nowNs, op.target)); // one holder's word
        } else if (op.kind == OperationKind.GET_MUTABLE) {
            MutableStore.Held held = recordRequests.mutables().get(nowNs, op.target);
            boolean valid = held != null && held.record().check(config.maxValueBytes()).stored(); // WAL: unchecked
            op.bestMutable = valid ? held.record() : null;
        }
    }

    public long ping(long nowNs, Contact peer) {
        long handle = nextHandle++;
        Operation op = new Operation(handle, OperationKind.PING, peer.id(), null, 0, nowNs, null);
        operations.put(handle, op);
        if (!sendRequest(nowNs, peer, MessageKind.PING, null, op)) {
            finish(nowNs, op);
        }
        return handle;
    }

    /**
     * Adds a contact known to be good without asking it (a restored peerstore; the simulator's warm start). It
     * goes through the same bucket rules as any other contact.
     */
    public void addTrustedContact(long nowNs, Contact contact, long rttNs) {
        if (!proofOfWork.valid(contact)) {
            counters.powRejectedPeerStore++; // saved under a lower c, or edited
            return;
        }
        routingTable().onContactSeen(nowNs, contact, rttNs);
    }

    // ---------------------------------------------------------------- request handling

    /** Answers the request in {@link #message}, encoded straight into a transmit slot (no copy on the hot path). */
    private void answer(long nowNs, Contact from) {
        byte[] out = transmits.nextBuffer();
        if (out == null) {
            counters.transmitQueueFull++;
            return;
        }
        long id = message.requestId();
        int end;
        switch (message.kind()) {
            case PING -> end = codec.encodePong(out, 0, id, from.address());
            case FIND_NODE -> end = encodeClosest(nowNs, out, id, from);
            case FIND_VALUE -> {
                RecordStore.StoredRecord r = records.get(nowNs, message.target());
                if (r != null) {
                    noteRead(nowNs, message.target(), Replicator.Kind.IMMUTABLE);
                    long ttlSeconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(r.expiresNs() - nowNs));
                    end = codec.encodeValue(out, 0, id, r.value(), 0, r.value().length, ttlSeconds,
                            issueWriteToken(nowNs, from));
                } else {
                    end = encodeClosest(nowNs, out, id, from);
                }
            }
            case STORE -> {
                WriteTokens.Check token = writeTokens.check(nowNs, from.address(), from.id(), message.writeToken());
                if (token != WriteTokens.Check.VALID) {
                    counters.writeTokenRejected[token.ordinal()]++; // dropped unanswered: the slot stays free
                    if (proofOfWork.valid(from.id(), message.powNonce())) {
                        scoreBehaviour(nowNs, from.id(), PeerScores.Reason.INVALID); // free IDs would flush scores
                    }
                    return;
                }
                end = codec.encodeStoreAck(out, 0, id, store(nowNs)); // journaled before the ack is queued
            }
            case DIAL_BACK -> end = codec.encodePong(out, 0, id, from.address(), dialBack(nowNs, from));
            case RELAY_RESERVE, RELAY_CONNECT, RELAY_INCOMING, RELAY_CLOSE -> end = answerRelay(nowNs, from, out, id);
            case ADD_PROVIDER -> end = recordRequests.addProvider(nowNs, nowNs + wallTimeOffsetNs, message, from, out,
                    codec);
            case PUT_MUTABLE -> end = recordRequests.putMutable(nowNs, message, out, codec);
            case GET_PROVIDERS -> end = recordRequests.getProviders(nowNs, message, out, codec, closestScratch,
                    closest(nowNs, from));
            case GET_MUTABLE -> {
                if (recordRequests.mutables().get(nowNs, message.target()) != null) {
                    noteRead(nowNs, message.target(), Replicator.Kind.MUTABLE);
                }
                end = recordRequests.getMutable(nowNs, message, out, codec, closestScratch, closest(nowNs, from));
            }
            default -> throw new AssertionError("not a request: " + message.kind());
        }
        commitAnswer(from, end);
        if (announceTo != null) {
            announceCircuit(nowNs, from);
        }
        if (closeTo != null) {
            tellClosed(nowNs);
        }
        while (!hotKeys.isEmpty()) {
            widen(nowNs, hotKeys.poll()); // after the answer: its transmit slot was being filled
        }
    }

    /**
     * NODES with the k closest to the request's target: the hot path, allocation-free. The owner reads its table,
     * the other shards the snapshot it published; both leave out peers that failed their last request. The owner
     * checks the stale ones it hands out ({@link LivenessChecks}): the other shards' answers benefit once it
     * publishes the outcome.
     */
    private int encodeClosest(long nowNs, byte[] out, long requestId, Contact from) {
        return codec.encodeNodes(out, 0, requestId, closestScratch, closest(nowNs, from),
                issueWriteToken(nowNs, from));
    }

    /** Fills {@link #closestScratch} with the k closest to the request's target; returns how many. */
    private int closest(long nowNs, Contact from) {
        int n;
        if (routing != null) {
            n = routing.closest(message.targetWord(0), message.targetWord(1), message.targetWord(2),
                    message.targetWord(3), true, from.id(), closestScratch, closestScratch.length);
            checkStale(nowNs, n);
        } else {
            n = published.get().closest(message.targetWord(0), message.targetWord(1), message.targetWord(2),
                    message.targetWord(3), true, from.id(), closestScratch, closestScratch.length);
        }
        return n;
    }

    /** The token a STORE of {@code writer} to this node must carry (FIND_NODE and FIND_VALUE answers give it). */
    private long issueWriteToken(long nowNs, Contact writer) {
        counters.writeTokensIssued++;
        return writeTokens.issue(nowNs, writer.address(), writer.id());
    }

    /**
     * Queues a liveness check of the stale entries among the α closest of {@code closestScratch[0, n)}: those the
     * asker queries next (the farther ones it rarely reaches).
     */
    private void checkStale(long nowNs, int n) {
        boolean queued = false;
        for (int i = 0; i < Math.min(n, config.alpha()); i++) {
            RoutingEntry entry = routing.entry(closestScratch[i].id());
            queued |= entry != null && livenessChecks.offer(nowNs, entry);
        }
        if (queued && !livenessTimerArmed) {
            livenessTimerArmed = true;
            schedule(nowNs, TimerKind.LIVENESS, null); // sent off the answer path
        }
    }

    /**
     * Queues the probe a DIAL_BACK asks for, to the address the request came from (never one it names), within the
     * {@link ProbeBudget}; false when refused (unknown mode, no alternate address, budget spent), counted.
     */
    private boolean dialBack(long nowNs, Contact from) {
        DialBackMode mode = DialBackMode.ofCode(message.dialBackMode());
        if (mode == null || mode == DialBackMode.OTHER_ADDRESS && !alternateProbeAddress
                || !probeBudget.tryTake(nowNs)) {
            counters.dialBacksRefused++;
            return false;
        }
        probes.add(new NatProbe(from.address(), message.dialBackNonce(), mode == DialBackMode.OTHER_ADDRESS));
        counters.dialBacksServed++;
        return true;
    }

    /**
     * Serves a relay request: a reservation or a circuit from {@link #relay} (refused when this node does not relay,
     * or is itself a client), or a circuit a relay announces to this node's {@link #relayClient}.
     */
    private int answerRelay(long nowNs, Contact from, byte[] out, long id) {
        if (message.kind() == MessageKind.RELAY_CLOSE) {
            return codec.encodeRelayAnswer(out, 0, id, 0, closeCircuit(from, message.relayCircuit()), 0, null, 0);
        }
        if (message.kind() == MessageKind.RELAY_INCOMING) {
            boolean taken = relayClient != null && message.contacts().size() == 1
                    && relayClient.onIncoming(nowNs, from, message.relayCircuit(), message.contacts().get(0),
                    ownNatType(), message.relayNatType());
            return codec.encodeRelayAnswer(out, 0, id, 0, taken ? 0 : RelayClient.code(RelayRefusal.OFF), 0, null, 0);
        }
        if (relay == null || role.client()) {
            counters.relayRequestsRefused++;
            return codec.encodeRelayAnswer(out, 0, id, 0, RelayClient.code(RelayRefusal.OFF), 0, null, 0);
        }
        if (message.kind() == MessageKind.RELAY_RESERVE) {
            long expiresNs = relay.reserve(nowNs, from, message.relayNatType());
            if (expiresNs >= 0 && circuits != null && proofOfWork.valid(from.id(), message.powNonce())) {
                // reachable through this node from now on: entered (and handed out) in its relayed form
                noteAlive(nowNs, from.withPowNonce(message.powNonce()).withRelay(self), -1);
            }
            return codec.encodeRelayAnswer(out, 0, id, 0, expiresNs < 0 ? RelayClient.code(relay.lastRefusal()) : 0,
                    expiresNs < 0 ? 0 : TimeUnit.NANOSECONDS.toSeconds(expiresNs - nowNs), null, 0);
        }
        int circuit = relay.connect(nowNs, from, message.target(), message.relayForRequests());
        if (circuit == 0) {
            return codec.encodeRelayAnswer(out, 0, id, 0, RelayClient.code(relay.lastRefusal()), 0, null, 0);
        }
        Contact target = relay.reserved(nowNs, message.target());
        announceCircuit = circuit;
        announceTo = target;
        announceNatType = message.relayNatType();
        return codec.encodeRelayAnswer(out, 0, id, circuit, 0, 0, target.address(), relay.natTypeOf(target.id()));
    }

    /**
     * A RELAY_CLOSE: from this node's relay (the route is forgotten), or from an end of a circuit this node relays
     * (its slot freed, the other end told once the answer is queued). Returns the answer's refusal code (0: closed).
     */
    private int closeCircuit(Contact from, int circuit) {
        if (relayClient != null && relayClient.routes().onClosed(from.address(), circuit)) {
            return 0;
        }
        if (relay == null) {
            counters.relayRequestsRefused++;
            return RelayClient.code(RelayRefusal.OFF);
        }
        Relay.Closed closed = relay.close(from.address(), circuit);
        if (closed == null) {
            return RelayClient.code(relay.lastRefusal());
        }
        closeTo = closed.tell();
        closeCircuitId = circuit;
        return 0;
    }

    /** Tells the other end of a circuit an end closed (RELAY_CLOSE), once the closing end's answer is queued. */
    private void tellClosed(long nowNs) {
        sendClose(nowNs, closeTo, closeCircuitId);
        closeTo = null;
    }

    private boolean sendClose(long nowNs, Contact to, int circuit) {
        if (pending.size() >= config.maxPendingRequests()) {
            return false;
        }
        long requestId = newRequestId();
        sendTracked(to, codec.encodeRelayClose(scratch, 0, requestId, circuit), nowNs, requestId, null);
        return true;
    }

    /** Tells the relays of the circuits {@link #circuits} forgot (their slots free at once). */
    private void closeForgottenCircuits(long nowNs) {
        RelayCircuits.Closing c;
        while ((c = circuits.pollClosing()) != null) {
            if (sendClose(nowNs, c.relay(), c.circuit())) {
                circuits.onCloseSent();
            }
        }
    }

    /**
     * Ends this node's circuit at relayed address {@code at}, one it no longer uses (owner core only): the route is
     * forgotten and its relay told (RELAY_CLOSE), so the relay's slot frees at once and the other end forgets it too.
     * The relay is {@code via} or the one this node holds its reservation at (a circuit it was told of), whichever
     * the route names. False when there is no such route, its relay is neither, or too many requests are in flight.
     */
    public boolean closeRelayedRoute(long nowNs, NodeAddress at, Contact via) {
        RelayRoutes routes = relayClient == null ? null : relayClient.routes();
        RelayRoutes.Route r = routes == null ? null : routes.route(at);
        if (r == null) {
            return false;
        }
        Contact relayAt = via != null && via.address().equals(r.relay()) ? via
                : relayClient.relay() != null && relayClient.relay().address().equals(r.relay()) ? relayClient.relay()
                : null;
        if (relayAt == null || !sendClose(nowNs, relayAt, r.circuit())) {
            return false;
        }
        routes.onClosed(r.relay(), r.circuit());
        routes.onCloseSent();
        return true;
    }

    /** Tells a circuit's target of it (RELAY_INCOMING), once the initiator's answer is queued. */
    private void announceCircuit(long nowNs, Contact initiator) {
        Contact target = announceTo;
        announceTo = null;
        if (pending.size() < config.maxPendingRequests()) {
            long requestId = newRequestId();
            sendTracked(target, codec.encodeRelayIncoming(scratch, 0, requestId, announceCircuit, initiator,
                    announceNatType), nowNs, requestId, null);
        }
    }

    /** Sends what {@link #nat} asks (observer pings, DIAL_BACKs, keepalives) to peers of the table. */
    private void onNatTimer(long nowNs) {
        List<Contact> peers = new ArrayList<>();
        routing.closest(self.id(), config.k(), true, null, peers);
        // Relayed servers observe nothing of this node's NAT (a circuit's answer is no report), relay for nobody and
        // cost a circuit at their relay for each ping: observers, keepalive peers and relays are direct peers only.
        peers.removeIf(p -> p.relay() != null);
        nat.onTimer(nowNs, peers);
        if (role.client() != announcedClient) {
            announcedClient = role.client();
            if (announcedClient) {
                for (Contact peer : peers) {
                    sendRequest(nowNs, peer, MessageKind.PING, null, null); // its answer carries the client bit: out
                }
            }
        }
        Contact reserveAt = relayClient == null ? null : relayClient.reservationDue(nowNs, role.client(), peers);
        if (reserveAt != null) {
            reserveRelay(nowNs, reserveAt);
        }
        announceRelayed(nowNs);
        NatTraversal.Request r;
        while ((r = nat.pollRequest()) != null) {
            if (r.mode() == null) {
                sendRequest(nowNs, r.peer(), MessageKind.PING, null, null);
            } else if (pending.size() < config.maxPendingRequests()) {
                long requestId = newRequestId();
                int end = codec.encodeDialBack(scratch, 0, requestId, r.nonce(), r.mode().code());
                sendTracked(r.peer(), end, nowNs, requestId, null);
                pending.get(requestId).dialBackNonce = r.nonce();
            }
        }
        schedule(Math.max(nowNs + 1, nat.nextDeadlineNs()), TimerKind.NAT, null);
    }

    private boolean store(long nowNs) {
        byte[] value = message.copyValue();
        NodeId key = message.target();
        long ttlNs = Math.min(TimeUnit.SECONDS.toNanos(Math.max(1, message.ttlSeconds())), config.maxRecordTtlNs());
        boolean valid = value.length <= config.maxValueBytes() && key.equals(NodeId.fromBytes(blake3.hash(value)));
        if (valid && records.put(nowNs, key, value, ttlNs)) {
            counters.storesAccepted++;
            return true;
        }
        counters.storesRefused++;
        return false;
    }

    private void answerUnsupported(Contact from) {
        counters.versionErrorsSent++;
        byte[] out = transmits.nextBuffer();
        if (out == null) {
            counters.transmitQueueFull++;
            return;
        }
        int end = codec.encodeError(out, 0, message.requestId(), MessageCodec.ERROR_UNSUPPORTED, protocol.min(),
                protocol.max());
        commitAnswer(from, end);
    }

    /**
     * A BLOB_FRAME: to the node's transfers, if it holds blobs (else dropped, counted). Only a DATA frame may start a
     * push, and only with the write token this node gave the sender, as a STORE.
     */
    private void onBlobFrame(long nowNs, Contact from) {
        if (blobs == null) {
            counters.blobFramesDropped++;
            return;
        }
        boolean pushAllowed = NodeBlobs.isData(message) && writeTokens.check(nowNs, from.address(), from.id(),
                message.writeToken()) == WriteTokens.Check.VALID;
        blobs.onFrame(nowNs, from, message, pushAllowed);
    }

    /** Queues the answer encoded into {@link TransmitQueue#nextBuffer()}. */
    private void commitAnswer(Contact to, int length) {
        transmits.commit(to, length, true);
        counters.datagramsOut++;
    }

    // ---------------------------------------------------------------- responses and timeouts

    private void onResponse(long nowNs, Contact from) {
        PendingRequest req = pending.get(message.requestId());
        if (req == null || !req.peer.id().equals(from.id())) {
            counters.unsolicitedResponses++;
            return;
        }
        if (blobs != null && message.writeToken() != 0) {
            blobs.noteWriteToken(from.id(), message.writeToken()); // what a push to it carries
        }
        pending.remove(req.requestId);
        counters.responsesIn++;
        if (req.unresponsive) {
            counters.lateAnswers++;
        } else if (req.livenessCheckOfSeenNs >= 0) {
            livenessChecks.onOutcome(req.sentNs - req.livenessCheckOfSeenNs, true);
        }
        recentFailures.remove(from.id());
        long rttNs = req.retransmitted ? -1 : nowNs - req.sentNs;
        boolean firstContact = measured(from.id()) == null;
        // An answer through a relay saw this node at the circuit's relayed address: no mapping of this node's NAT.
        if (nat != null && message.kind() == MessageKind.PONG && !RelayRoutes.isRelayed(from.address())) {
            nat.onObserved(nowNs, from, message.observedAddress());
            if (req.dialBackNonce != 0) {
                nat.onDialBackAnswer(nowNs, req.dialBackNonce, message.dialBackSent());
            }
        }
        if (circuits != null && message.kind() == MessageKind.RELAY_ANSWER && circuits.asked(req.requestId)) {
            onCircuitAnswer(nowNs, from, req);
        } else if (relayClient != null && message.kind() == MessageKind.RELAY_ANSWER) {
            Contact viaRelay = relayClient.onAnswer(nowNs, from, req.requestId, message.relayCircuit(),
                    message.relayRefusal(), message.relayExpiresSeconds(), message.observedAddress(), ownNatType(),
                    message.relayNatType());
            if (viaRelay != null) {
                sendRequest(nowNs, viaRelay, MessageKind.PING, null, null); // opens the session through the relay
            }
            announceRelayed(nowNs);
        }
        Contact relayedForm = relayedFormOf(nowNs, from, req);
        if (relayedForm != null) {
            // a relayed server answered: entered in the form that reaches it, with the nonce it proved itself
            Contact proven = relayedForm.withPowNonce(message.powNonce());
            noteAlive(nowNs, proven, rttNs);
            if (firstContact) {
                onNewcomer(nowNs, proven);
            }
        } else if (DhtRole.isRelayed(message.features()) && !RelayRoutes.isRelayed(from.address())) {
            counters.clientAnswers++; // reached at its own address, which its NAT filters for others: not entered
            if (routing != null && req.peer.relay() != null && req.peer.relay().id().equals(self.id())) {
                routing.remove(from.id()); // its reservation here is gone: this node no longer reaches it
            }
        } else if (RelayRoutes.isRelayed(from.address())) {
            counters.answersFromOtherAddress++; // through a relay: never the table's door
        } else if (DhtRole.isClient(message.features())) {
            counters.clientAnswers++; // a DHT client: used for the operation, never entered nor handed out
            if (routing != null) {
                routing.remove(from.id());
            }
        } else if (from.address().equals(req.peer.address())) {
            // it answered from the address it was asked at: the table's door, with the nonce it proved itself
            Contact proven = from.powNonce() == message.powNonce() ? from : from.withPowNonce(message.powNonce());
            noteAlive(nowNs, proven, rttNs);
            if (firstContact) {
                onNewcomer(nowNs, proven);
            }
        } else {
            counters.answersFromOtherAddress++; // the answer counts for the operation, the address proves nothing
        }
        if (firstContact) {
            // Timed from the first send even if the copy was answered (Karn's rule aside): leaving out the answers
            // that came after a hedge would leave out exactly the far peers, and shrink the timeouts that hedge them.
            firstContactPercentiles.onSample(nowNs - req.sentNs);
        }
        if (rttNs >= 0) {
            if (firstContact) {
                firstContactRtt.onSample(rttNs);
            }
            rttCache.computeIfAbsent(from.id(), id -> new RttEstimator()).onSample(rttNs);
        }
        if (req.push != null) {
            onProbeAnswer(nowNs, from, req.push);
            return;
        }
        Operation op = req.operation;
        if (op == null) {
            return;
        }
        if (op.trace != null && !op.done) {
            trace(op, req, nowNs, message.kind() == MessageKind.ERROR ? LookupHop.Outcome.ERROR
                    : message.kind() == MessageKind.VALUE ? LookupHop.Outcome.VALUE : LookupHop.Outcome.ANSWERED,
                    message.kind() == MessageKind.NODES ? message.contacts().size() : 0);
        }
        if (message.kind() == MessageKind.ERROR) {
            failRequest(nowNs, op, req);
            return;
        }
        switch (op.kind) {
            case PING -> {
                op.pingRttNs = nowNs - req.sentNs;
                finish(nowNs, op);
            }
            case LOOKUP, GET, REFRESH, FIND_PROVIDERS, GET_MUTABLE -> {
                if (op.kind == OperationKind.GET && message.kind() == MessageKind.VALUE) {
                    if (valueMatches(op.target)) {
                        op.valueFound = message.copyValue();
                        op.holder = from;
                        op.lookup.onResponse(nowNs, from.id(), List.of());
                        finish(nowNs, op);
                        return;
                    }
                    counters.invalidRecordAnswers++; // not the value of this key: the lookup goes on without it
                }
                if (onRecordAnswer(nowNs, op, from)) {
                    return;
                }
                MessageKind answer = message.kind();
                boolean carriesContacts = answer == MessageKind.NODES || answer == MessageKind.PROVIDERS
                        || answer == MessageKind.MUTABLE_VALUE;
                boolean closer = op.lookup.onResponse(nowNs, from.id(),
                        carriesContacts ? usable(nowNs, from, message.contacts()) : List.of());
                if (!closer && answer == MessageKind.NODES) {
                    scoreBehaviour(nowNs, from.id(), PeerScores.Reason.NOT_CLOSER);
                }
                pump(nowNs, op);
            }
            case PUT, PROVIDE, PUT_MUTABLE -> {
                if (req.write) {
                    if (message.kind() == MessageKind.STORE_ACK && message.stored()) {
                        op.storesAcked++;
                        op.storedBy.add(from.id());
                        op.lastStoredSentNs = req.sentNs;
                    } else if (message.kind() == MessageKind.RECORD_ACK && onRecordAck(op)) {
                        op.storedBy.add(from.id());
                        op.lastStoredSentNs = req.sentNs;
                    }
                    if (!req.unresponsive) {
                        storeAnswered(nowNs, op); // else it was counted when it turned unresponsive
                    } else {
                        checkAcknowledged(nowNs, op);
                    }
                } else {
                    if (message.kind() == MessageKind.NODES && message.writeToken() != 0) {
                        op.writeTokens.put(from.id(), message.writeToken()); // what its STORE will carry
                    }
                    op.lookup.onResponse(nowNs, from.id(), message.kind() == MessageKind.NODES
                            ? usable(nowNs, from, message.contacts()) : List.of());
                    pump(nowNs, op);
                }
            }
        }
    }

    /**
     * A provider lookup's PROVIDERS or a mutable get's MUTABLE_VALUE: keeps what is valid (signature checked on
     * every answer; an invalid one is counted and ignored). A NODES answer to a get marks a peer on the path that
     * did not hold the record (where a copy is cached). True when the operation is finished (enough providers).
     */
    private boolean onRecordAnswer(long nowNs, Operation op, Contact from) {
        MessageKind answer = message.kind();
        boolean isGet = op.kind == OperationKind.GET || op.kind == OperationKind.GET_MUTABLE;
        if (isGet && answer == MessageKind.NODES && (op.cacheCandidate == null
                || op.target.compareDistance(from.id(), op.cacheCandidate.id()) < 0)) {
            op.cacheCandidate = from;
            op.cacheToken = message.writeToken();
        }
        if (op.kind == OperationKind.FIND_PROVIDERS && answer == MessageKind.PROVIDERS) {
            List<SignedNodeRecord> valid = new ArrayList<>(message.providers().size());
            for (SignedNodeRecord p : message.providers()) {
                if (p.check().stored()) {
                    valid.add(p);
                } else {
                    counters.invalidRecordAnswers++;
                    scoreBehaviour(nowNs, from.id(), PeerScores.Reason.INVALID);
                }
            }
            op.providersFound.addAnswer(valid);
            if (op.providersFound.corroborated() >= op.wantedProviders) {
                finish(nowNs, op);
                return true;
            }
            if (op.firstValidNs < 0 && !op.providersFound.isEmpty()) {
                op.firstValidNs = nowNs;
                schedule(nowNs + recordRequests.config().readWaitNs(), op); // first provider: other holders' next
            }
        } else if (op.kind == OperationKind.GET_MUTABLE && answer == MessageKind.MUTABLE_VALUE) {
            MutableRecord r = message.mutableRecord();
            if (r == null || !r.key().equals(op.target) || !r.check(config.maxValueBytes()).stored()) {
                counters.invalidRecordAnswers++;
            } else if (op.bestMutable == null || r.seq() > op.bestMutable.seq()) {
                if (op.holder == null) {
                    op.firstValidNs = nowNs;
                    schedule(nowNs + recordRequests.config().readWaitNs(), op); // first valid answer
                }
                op.bestMutable = r;
                op.holder = from;
            }
        }
        return false;
    }

    /** One RECORD_ACK of a provider or mutable write: stored (true), or the first refusal kept to report. */
    private boolean onRecordAck(Operation op) {
        WriteOutcome outcome = WriteOutcome.ofCode(message.outcomeCode());
        if (outcome.stored()) {
            op.storesAcked++;
        } else if (op.refusal == null) {
            op.refusal = outcome;
        }
        op.heldSeq = Math.max(op.heldSeq, message.ackSeq());
        return outcome.stored();
    }

    private boolean valueMatches(NodeId key) {
        blake3.hash(message.valueBuffer(), message.valueOffset(), message.valueLength(), scratch, 0);
        return key.equals(NodeId.fromBytes(scratch, 0));
    }

    /**
     * The contacts of an answer this node may ask next: not itself, reachable from its socket, and not found
     * unresponsive lately (the peer that named it had not noticed it left).
     */
    private List<Contact> usable(long nowNs, Contact from, List<Contact> contacts) {
        List<Contact> out = new ArrayList<>(contacts.size());
        boolean invalid = false;
        for (Contact c : contacts) {
            if (!proofOfWork.valid(c)) {
                counters.powRejectedFindNode++;
                invalid = true;
            } else if (!c.id().equals(self.id()) && reachable.test(c.address()) && !failedRecently(nowNs, c.id())) {
                out.add(c);
            }
        }
        if (invalid) {
            // A contact below the work is one this node never asks: a referral as unreachable as a dead one (an old
            // node of a network that raised --pow-bits hands such out honestly, so not as heavy as its own forgery).
            scoreBehaviour(nowNs, from.id(), PeerScores.Reason.UNREACHABLE_REFERRAL);
        }
        return out;
    }

    private void onSoftTimeout(long nowNs, PendingRequest req) {
        if (pending.get(req.requestId) != req) {
            return;
        }
        if (req.retransmitted) {
            onUnresponsive(nowNs, req);
            return;
        }
        counters.softTimeouts++;
        // One retransmission of the same request: a lost datagram costs one timeout, not a lost peer. The peer turns
        // unresponsive when the copy had its own hedge time to be answered and the original its full timeout.
        req.retransmitted = true;
        send(nowNs, req.peer, req.datagram, req.datagram.length);
        long hedgeNs = hedgeNs(req.peer.id());
        schedule(Math.max(req.sentNs + timeoutNs(req.peer.id()), nowNs + hedgeNs), TimerKind.SOFT_TIMEOUT, req);
        Operation op = req.operation;
        if (op != null && op.trace != null && !op.done) {
            trace(op, req, nowNs, LookupHop.Outcome.SLOW, 0);
        }
        if (op != null && op.lookup != null && !op.lookup.isFinished()) {
            op.lookup.onSlow(nowNs, req.peer.id());
            pump(nowNs, op);
        }
    }

    /**
     * A request and its copy both missed their adaptive timeouts: the peer has most likely left. Nobody waits for it
     * any longer: its lookup moves on without it, a put counts its store as not acknowledged, the routing table
     * learns the failure now (not at the hard timeout) and this core's lookups stop asking it. The request stays
     * pending until the hard timeout, so a late answer still counts (and clears all of it).
     */
    private void onUnresponsive(long nowNs, PendingRequest req) {
        req.unresponsive = true;
        counters.unresponsive++;
        if (circuits != null && req.peer.relay() != null) {
            circuits.onFailure(req.peer.id()); // its circuit may have closed: the next request opens another
        }
        recentFailures.remove(req.peer.id());
        recentFailures.put(req.peer.id(), nowNs);
        reportFailure(nowNs, req);
        if (req.livenessCheckOfSeenNs >= 0) {
            livenessChecks.onOutcome(req.sentNs - req.livenessCheckOfSeenNs, false);
        }
        Operation op = req.operation;
        if (op == null || op.done) {
            return;
        }
        switch (op.kind) {
            case PING -> { } // an operator's ping waits for the answer or the hard timeout
            case LOOKUP, GET, REFRESH, FIND_PROVIDERS, GET_MUTABLE -> {
                op.lookup.onUnresponsive(nowNs, req.peer.id());
                pump(nowNs, op);
            }
            case PUT, PROVIDE, PUT_MUTABLE -> {
                if (req.write) {
                    storeAnswered(nowNs, op);
                } else {
                    op.lookup.onUnresponsive(nowNs, req.peer.id());
                    pump(nowNs, op);
                }
            }
        }
    }

    private void onHardTimeout(long nowNs, PendingRequest req) {
        if (pending.remove(req.requestId) != req) {
            return;
        }
        counters.hardTimeouts++;
        if (!req.unresponsive) {
            reportFailure(nowNs, req); // else already reported
        }
        Operation op = req.operation;
        if (op != null && op.trace != null && !op.done) {
            trace(op, req, nowNs, LookupHop.Outcome.TIMEOUT, 0);
        }
        if (op != null && !(req.write && req.unresponsive)) {
            failRequest(nowNs, op, req); // a store already counted when it turned unresponsive
        }
    }

    /** The peer of {@code req} failed it; the peer that referred it to the request's lookup, if any, referred badly. */
    private void reportFailure(long nowNs, PendingRequest req) {
        NodeId peer = req.peer.id();
        if (routing != null) {
            routing.onFailure(peer);
            scoreBehaviour(nowNs, peer, PeerScores.Reason.TIMED_OUT);
        } else {
            routingNotes.add(new RoutingNote.Failed(peer));
        }
        NodeId referrer = req.operation == null || req.operation.lookup == null ? null
                : req.operation.lookup.referrerOf(peer);
        if (referrer != null) {
            scoreBehaviour(nowNs, referrer, PeerScores.Reason.UNREACHABLE_REFERRAL);
        }
    }

    /**
     * What {@code peer} did, for its behaviour score (DESIGN §3.5): the owner records it, and a peer that fell low
     * leaves the table ({@link RoutingTable#onLowScore}); the other shards note it for the owner.
     */
    private void scoreBehaviour(long nowNs, NodeId peer, PeerScores.Reason reason) {
        if (routing == null) {
            routingNotes.add(new RoutingNote.Behaved(peer, reason));
        } else if (routing.scores().record(nowNs, peer, reason)) {
            routing.onLowScore(peer);
        }
    }

    /** A driver's report of what {@code peer} did outside the core (e.g. went past a rate limit), for its score. */
    public void onPeerBehaviour(long nowNs, NodeId peer, PeerScores.Reason reason) {
        scoreBehaviour(nowNs, peer, reason);
    }

    private boolean failedRecently(long nowNs, NodeId peer) {
        Long failedNs = recentFailures.get(peer);
        return failedNs != null && nowNs - failedNs < RECENT_FAILURE_NS;
    }

    /**
     * One store of a write answered, or is no longer waited for. The write reports once a majority of its lookup's
     * k closest stored it, and completes (after the stores to the final k it sent in the background) when its lookup
     * ended and no store is left.
     */
    private void storeAnswered(long nowNs, Operation op) {
        checkAcknowledged(nowNs, op); // also when this answer is the last: a write stored by a majority says so
        if (++op.storesAnswered == op.storesSent && op.lookup.isFinished()) {
            finish(nowNs, op);
        }
    }

    /**
     * A write is acknowledged once the β closest live candidates of its lookup answered and a majority of its k closest
     * live candidates stored it: its result is reported then (how many stored so far), and it goes on storing on
     * the final k closest in the background.
     */
    private void checkAcknowledged(long nowNs, Operation op) {
        if (op.acknowledgedNs < 0 && !op.done && op.lookup.majorityOfClosestIn(op.storedBy, WRITE_BETA)) {
            op.acknowledgedNs = nowNs;
            op.acknowledgingStoreSentNs = op.lastStoredSentNs;
            report(nowNs, op);
        }
    }

    private void failRequest(long nowNs, Operation op, PendingRequest req) {
        Contact peer = req.peer;
        switch (op.kind) {
            case PING -> finish(nowNs, op);
            case LOOKUP, GET, REFRESH, FIND_PROVIDERS, GET_MUTABLE -> {
                op.lookup.onFailure(nowNs, peer.id());
                pump(nowNs, op);
            }
            case PUT, PROVIDE, PUT_MUTABLE -> {
                if (req.write) {
                    storeAnswered(nowNs, op);
                } else {
                    op.lookup.onFailure(nowNs, peer.id());
                    pump(nowNs, op);
                }
            }
        }
    }

    private void onMaintenance(long nowNs) {
        if (nowNs < nextMaintenanceNs) {
            return; // the first sweep's timer, superseded by a shorter interval (recordsConfig)
        }
        boolean minuteSweep = nowNs - lastMinuteSweepNs >= EXPIRY_SWEEP_NS;
        if (minuteSweep) {
            records.expire(nowNs);
            if (blobs != null) {
                blobs.expire(nowNs, recordRequests.config().blobTtlNs());
            }
            recordRequests.expire(nowNs);
        }
        for (Republisher.Due due : republisher.takeDue(nowNs)) {
            if (due.provider() != null) {
                startProvide(nowNs, due.key(), due.provider());
            } else {
                startPutMutable(nowNs, due.mutable(), MutableStore.NO_CAS);
            }
            counters.republished++;
        }
        nextMaintenanceNs = nowNs + maintenanceIntervalNs;
        schedule(nextMaintenanceNs, TimerKind.MAINTENANCE, null);
        if (!minuteSweep) {
            return; // budgets below are per minute
        }
        lastMinuteSweepNs = nowNs;
        replicator.tick();
        runReplication(nowNs);
        if (routing == null) {
            return; // the owner refreshes the buckets
        }
        routing.onScoresTick(nowNs);
        for (int bucket : routing.bucketsDueForRefresh(nowNs)) {
            if (operations.size() >= config.maxLookups()) {
                break;
            }
            startOperation(nowNs, OperationKind.REFRESH, routing.randomIdInBucket(bucket, random), null, null, 0);
        }
    }

    /**
     * After a lookup of this node's own ID (a join) found peers, a lookup into each of the
     * {@link #BUCKETS_REFRESHED_AFTER_JOIN} farthest buckets that is not full: a random target falls in one of them
     * 3 times out of 4, so a newcomer's first lookups start from peers its join did not meet (Kademlia refreshes every
     * bucket above its closest neighbour: measured in the simulator, that costs more datagrams than it saves time;
     * the nearer buckets fill as their peers contact it). Each refresh ends once k peers answered. Owner only: the
     * table is its to fill.
     */
    private void refreshAfterJoin(long nowNs) {
        for (int bucket = 0; bucket < Math.min(BUCKETS_REFRESHED_AFTER_JOIN, routing.deepestNonEmptyBucket());
                bucket++) {
            if (operations.size() >= config.maxLookups()) {
                break;
            }
            if (routing.bucketEntries(bucket).size() < config.k()) {
                startOperation(nowNs, OperationKind.REFRESH, routing.randomIdInBucket(bucket, random), null, null, 0);
            }
        }
    }

    /** Pings the next candidate (one per {@link RoutingCandidates#PING_INTERVAL_NS}); its answer lets it in. */
    private void onCandidateTimer(long nowNs) {
        candidateTimerArmed = false;
        Contact candidate = candidates.poll(nowNs);
        if (candidate != null && routing.wouldChangeIfAnswered(nowNs, candidate)
                && sendRequest(nowNs, candidate, MessageKind.PING, null, null)) {
            counters.candidatePings++;
        }
        if (candidates.nextDueNs() != Long.MAX_VALUE) {
            candidateTimerArmed = true;
            schedule(Math.max(nowNs, candidates.nextDueNs()), TimerKind.CANDIDATE, null);
        }
    }

    /** Pings the stale entries queued by {@link #checkStale}. */
    private void onLivenessTimer(long nowNs) {
        livenessTimerArmed = false;
        Contact peer;
        while ((peer = livenessChecks.poll()) != null) {
            RoutingEntry entry = routing.entry(peer.id());
            if (entry != null && sendRequest(nowNs, peer, MessageKind.PING, null, null)) {
                pending.get(lastRequestId).livenessCheckOfSeenNs = entry.lastSeenNs();
                counters.livenessChecks++;
            }
        }
    }

    private void noteAlive(long nowNs, Contact peer, long rttNs) {
        if (routing == null) {
            routingNotes.add(new RoutingNote.Answered(peer, rttNs));
            return;
        }
        scoreBehaviour(nowNs, peer.id(), PeerScores.Reason.ANSWERED);
        Contact toPing = routing.onContactSeen(nowNs, peer, rttNs);
        if (toPing != null) {
            sendRequest(nowNs, toPing, MessageKind.PING, null, null);
        }
    }

    // ---------------------------------------------------------------- adaptive replication

    /**
     * {@code peer} answered this core for the first time: if it is among the k closest to keys held here, it gets
     * them (checked off the answer path, within the minute's budgets).
     */
    private void onNewcomer(long nowNs, Contact peer) {
        if (records.size() == 0 && recordRequests.mutables().size() == 0 && recordRequests.providers().size() == 0) {
            return; // nothing to hand off
        }
        if (!replicator.onNewcomer(peer)) {
            counters.replicationNewcomersDropped++;
            return;
        }
        armReplication(nowNs);
    }

    private void armReplication(long nowNs) {
        if (!replicationTimerArmed) {
            replicationTimerArmed = true;
            schedule(nowNs, TimerKind.REPLICATION, null);
        }
    }

    /**
     * Handoffs to newcomers first (they lack everything they should hold), then the repair round's keys, each within
     * the minute's budgets; what does not fit waits for the next maintenance tick.
     */
    private void runReplication(long nowNs) {
        replicationTimerArmed = false;
        List<Replicator.Check> held = null;
        Contact newcomer;
        while ((newcomer = replicator.newcomer()) != null) {
            if (held == null) {
                held = heldKeys(nowNs, false);
            }
            if (!handOff(nowNs, newcomer, held)) {
                return;
            }
            replicator.newcomerDone();
        }
        if (replicator.roundDue(nowNs)) {
            replicator.startRound(nowNs, heldKeys(nowNs, true));
        }
        Replicator.Check check;
        while ((check = replicator.nextCheck()) != null) {
            List<Contact> closest = closestKnown(check.key(), config.k() - 1); // with this node: the k closest
            if (!amongClosest(check.key(), self.id(), closest)) {
                continue; // a cached or wider copy: the k closest repair their own replicas
            }
            if (!replicator.takeKeyCheck() || !replicator.takeProbes(closest.size())) {
                replicator.deferCheck(check);
                return;
            }
            for (Contact peer : closest) {
                probe(nowNs, peer, check, Replicator.Reason.REPAIR);
            }
        }
    }

    /** Probes {@code newcomer} for each held key it is among the k closest of; false when a budget ran out. */
    private boolean handOff(long nowNs, Contact newcomer, List<Replicator.Check> held) {
        for (int i = replicator.newcomerScanned(); i < held.size(); i++) {
            if (!replicator.takeKeyCheck()) {
                return false;
            }
            Replicator.Check check = held.get(i);
            List<Contact> closest = closestKnown(check.key(), config.k() - 1);
            if (amongClosestHolders(check.key(), newcomer.id(), closest)
                    && amongClosest(check.key(), newcomer.id(), closest)) {
                if (!replicator.takeProbes(1)) {
                    return false;
                }
                probe(nowNs, newcomer, check, Replicator.Reason.HANDOFF);
            }
            replicator.newcomerKeyChecked();
        }
        return true;
    }

    /**
     * The keys this core holds (live immutable and mutable records, and provider keys with an entry that can be
     * handed over: one with its provider's announcement); for a repair round ({@code settledOnly}) only those not
     * stored or refreshed within the interval: their writer just placed them.
     */
    private List<Replicator.Check> heldKeys(long nowNs, boolean settledOnly) {
        long settledBeforeNs = settledOnly ? nowNs - replicator.config().replicateIntervalNs() : Long.MAX_VALUE;
        List<Replicator.Check> keys = new ArrayList<>();
        records.forEach((key, r) -> {
            if (r.expiresNs() > nowNs && r.storedNs() <= settledBeforeNs) {
                keys.add(new Replicator.Check(key, Replicator.Kind.IMMUTABLE));
            }
        });
        recordRequests.mutables().view().forEach((key, h) -> {
            if (h.expiresNs() > nowNs && h.storedNs() <= settledBeforeNs) {
                keys.add(new Replicator.Check(key, Replicator.Kind.MUTABLE));
            }
        });
        Map<NodeId, Boolean> providerKeys = new LinkedHashMap<>();
        recordRequests.providers().forEach((key, e) -> {
            if (e.announcement() != null && e.expiresNs() > nowNs && e.storedNs() <= settledBeforeNs) {
                providerKeys.putIfAbsent(key, Boolean.TRUE);
            }
        });
        providerKeys.keySet().forEach(key -> keys.add(new Replicator.Check(key, Replicator.Kind.PROVIDER)));
        return keys;
    }

    /**
     * Whether fewer than {@link Replicator#HANDOFF_HOLDERS} contacts this core knows (the newcomer aside) are closer
     * to {@code key} than itself: of the holders that meet a newcomer, the few closest hand it the key, not all k
     * (measured: 1.7x the datagrams of a 2k-node simulation under churn when every holder did), and not only the
     * closest, which under churn has often left while still in the others' tables.
     */
    private boolean amongClosestHolders(NodeId key, NodeId newcomer, List<Contact> closest) {
        int closer = 0;
        for (Contact c : closest) {
            if (c.id().equals(newcomer)) {
                continue;
            }
            if (key.compareDistance(self.id(), c.id()) < 0) {
                return true;
            }
            if (++closer >= Replicator.HANDOFF_HOLDERS) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code id} is among the k closest to {@code key} given {@code closest}, the k - 1 closest others this
     * core knows (this core is the k-th): in them, or closer than the last, or they are fewer than k - 1. Only a
     * holder that is itself among the k closest hands off or repairs: a cached or widened copy judged by a view far
     * from the key would spread it to every newcomer it meets (measured: 2.4x the datagrams of a 2k-node simulation).
     */
    private boolean amongClosest(NodeId key, NodeId id, List<Contact> closest) {
        if (closest.size() < config.k() - 1) {
            return true;
        }
        for (Contact c : closest) {
            if (c.id().equals(id)) {
                return true;
            }
        }
        return key.compareDistance(id, closest.get(closest.size() - 1).id()) < 0;
    }

    /** The up to {@code n} contacts closest to {@code key} this core knows and believes alive. */
    private List<Contact> closestKnown(NodeId key, int n) {
        Contact[] found = new Contact[n];
        int count = routing != null
                ? routing.closest(key.word(0), key.word(1), key.word(2), key.word(3), true, null, found, n)
                : published.get().closest(key.word(0), key.word(1), key.word(2), key.word(3), true, null, found, n);
        return Arrays.asList(found).subList(0, count);
    }

    /** A read of a held key was answered with its record: past the threshold, the key is widened. */
    private void noteRead(long nowNs, NodeId key, Replicator.Kind kind) {
        if (replicator.onRead(nowNs, key)) {
            hotKeys.add(new Replicator.Check(key, kind));
        }
    }

    /** A hot key: probed on the k + extra closest known, and stored where missing. */
    private void widen(long nowNs, Replicator.Check check) {
        List<Contact> closest = closestKnown(check.key(), config.k() - 1 + replicator.config().hotExtraReplicas());
        if (!replicator.takeProbes(closest.size())) {
            counters.replicationHotDeferred++;
            return;
        }
        for (Contact peer : closest) {
            probe(nowNs, peer, check, Replicator.Reason.HOT);
        }
    }

    /**
     * Asks {@code peer} for the key (FIND_VALUE, GET_MUTABLE or GET_PROVIDERS): its answer says whether a copy is
     * pushed.
     */
    private void probe(long nowNs, Contact peer, Replicator.Check check, Replicator.Reason reason) {
        MessageKind kind = switch (check.kind()) {
            case IMMUTABLE -> MessageKind.FIND_VALUE;
            case MUTABLE -> MessageKind.GET_MUTABLE;
            case PROVIDER -> MessageKind.GET_PROVIDERS;
        };
        if (sendRequest(nowNs, peer, kind, check.key(), null)) {
            pending.get(lastRequestId).push = new Push(check.key(), check.kind(), reason);
            counters.replicationProbes++;
        }
    }

    /**
     * A probe's answer: the peer holds the record (VALUE, or a mutable record of the same or a higher seq), or it
     * gets a copy with what is left of this node's TTL (a STORE with the write token its NODES answer gave, or the
     * signed record itself).
     */
    private void onProbeAnswer(long nowNs, Contact peer, Push push) {
        MessageKind answer = message.kind();
        boolean sent;
        if (push.kind() == Replicator.Kind.PROVIDER) {
            sent = pushProviders(nowNs, peer, push.key());
        } else if (push.kind() == Replicator.Kind.MUTABLE) {
            MutableStore.Held held = recordRequests.mutables().get(nowNs, push.key());
            MutableRecord theirs = answer == MessageKind.MUTABLE_VALUE ? message.mutableRecord() : null;
            if (held == null || answer == MessageKind.ERROR) {
                return;
            }
            if (theirs != null && theirs.key().equals(push.key()) && theirs.seq() >= held.record().seq()) {
                counters.replicationAlreadyHeld++;
                return;
            }
            sent = sendWrite(nowNs, peer, null, OperationKind.PUT_MUTABLE, null, held.record(), MutableStore.NO_CAS,
                    held.expiresNs() - nowNs, 0);
        } else {
            RecordStore.StoredRecord held = records.get(nowNs, push.key());
            if (held == null || answer != MessageKind.VALUE && answer != MessageKind.NODES) {
                return;
            }
            if (answer == MessageKind.VALUE) {
                counters.replicationAlreadyHeld++;
                return;
            }
            sent = sendWrite(nowNs, peer, null, OperationKind.PUT, held.value(), null, 0, held.expiresNs() - nowNs,
                    message.writeToken());
        }
        if (sent) {
            switch (push.reason()) {
                case HANDOFF -> counters.replicationHandoffs++;
                case REPAIR -> counters.replicationRepairs++;
                case HOT -> counters.replicationHotCopies++;
            }
        }
    }

    /**
     * A provider probe's answer: each entry held here with its announcement that the answer lacks (or names with a
     * lower seq) is sent to {@code peer} as an ADD_PROVIDER carrying the announcement, with what is left of this
     * node's TTL (the receiver caps it at the signed expiry). True when at least one was sent. An answer cut short by
     * the datagram's size may omit entries the peer holds: their push only refreshes them there.
     */
    private boolean pushProviders(long nowNs, Contact peer, NodeId key) {
        if (message.kind() != MessageKind.PROVIDERS) {
            return false;
        }
        boolean sent = false;
        boolean any = false;
        for (ProviderStore.Entry e : recordRequests.providers().entries(nowNs, key)) {
            if (e.announcement() == null) {
                continue;
            }
            any = true;
            if (answerHolds(e.record())) {
                continue;
            }
            sent |= sendWrite(nowNs, peer, null, OperationKind.PROVIDE, null,
                    new Provision(key, e.record(), e.announcement()), MutableStore.NO_CAS, e.expiresNs() - nowNs, 0);
        }
        if (any && !sent) {
            counters.replicationAlreadyHeld++;
        }
        return sent;
    }

    /** Whether the PROVIDERS answer being handled names {@code record}'s provider with the same or a higher seq. */
    private boolean answerHolds(SignedNodeRecord record) {
        for (SignedNodeRecord theirs : message.providers()) {
            if (theirs.seq() >= record.seq() && Arrays.equals(theirs.publicKey(), record.publicKey())) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- operations

    private long startOperation(long nowNs, OperationKind kind, NodeId target, List<Contact> seeds, byte[] value,
            long ttlNs) {
        return startOperation(nowNs, kind, target, seeds, value, ttlNs, false);
    }

    private long startOperation(long nowNs, OperationKind kind, NodeId target, List<Contact> seeds, byte[] value,
            long ttlNs, boolean traced) {
        return startOperation(nowNs, kind, target, seeds, value, ttlNs, traced, null, MutableStore.NO_CAS);
    }

    private long startOperation(long nowNs, OperationKind kind, NodeId target, List<Contact> seeds, byte[] value,
            long ttlNs, boolean traced, Object payload, long cas) {
        if (operations.size() >= config.maxLookups()) {
            counters.lookupsRefused++;
            return -1;
        }
        counters.lookupsStarted++;
        if (routing != null) {
            routing.onLookupStarted(nowNs, target);
        } else {
            routingNotes.add(new RoutingNote.LookupStarted(target));
        }
        List<Contact> start = seeds != null ? seeds : tableSeeds(nowNs, target, config.k());
        long handle = nextHandle++;
        int paths = kind.record ? config.disjointPaths() : 1;
        int alpha = config.alphaOf(paths) * (kind.writes ? WRITE_REQUESTS_PER_PATH : 1);
        Lookup lookup = new Lookup(target, config.k(), alpha, paths, start, rttOracle, nowNs);
        Operation op = new Operation(handle, kind, target, value, ttlNs, nowNs, lookup);
        if (traced) {
            op.trace = new ArrayList<>();
        }
        op.payload = payload;
        op.cas = cas;
        seedFromLocal(nowNs, op);
        operations.put(handle, op);
        pump(nowNs, op);
        return handle;
    }

    /** The {@code n} closest to {@code target} in the routing table (or its snapshot), but those failed recently. */
    private List<Contact> tableSeeds(long nowNs, NodeId target, int n) {
        List<Contact> start;
        if (routing != null) {
            start = new ArrayList<>();
            routing.closest(target, n, false, null, start);
        } else {
            Contact[] found = n <= closestScratch.length ? closestScratch : new Contact[n];
            int count = published.get().closest(target.word(0), target.word(1), target.word(2), target.word(3),
                    false, null, found, n); // as the owner: failing ones too
            start = new ArrayList<>(Arrays.asList(found).subList(0, count));
        }
        start.removeIf(c -> failedRecently(nowNs, c.id()));
        return start;
    }

    /** Sends what the lookup wants sent; on its end, moves the operation on (a put stores, others report). */
    private void pump(long nowNs, Operation op) {
        if (op.done) {
            return;
        }
        Contact next;
        MessageKind kind = op.kind.request;
        while ((next = op.lookup.nextRequest(nowNs)) != null) {
            if (!sendRequest(nowNs, next, kind, op.target, op)) {
                op.lookup.onFailure(nowNs, next.id());
            }
        }
        if (op.kind == OperationKind.REFRESH && op.lookup.answered() >= config.k()) {
            finish(nowNs, op); // k peers of the bucket answered (and entered the table if it had room): enough
            return;
        }
        if (!op.lookup.isFinished()) {
            if (op.kind.writes) {
                streamWrites(nowNs, op);
            }
            return;
        }
        if (readFoundNothing(op) && !op.retried && op.lookup.paths() > 1) {
            // Every path ended on peers without the record: once more, without any of them (Lookup#retryWithoutAsked),
            // from farther into the table too. A newcomer's k closest to a key can all be Sybils (its join's lookups
            // met them: they answer), and they are asked by now; the table's next ones lead round them. Part of the
            // record defences: d = 1 stays classic Kademlia.
            op.retried = true;
            if (op.lookup.retryWithoutAsked(nowNs, tableSeeds(nowNs, op.target, RETRY_SEEDS_PER_K * config.k()))) {
                counters.getSecondRounds++;
                pump(nowNs, op);
                return;
            }
        }
        if (op.kind.writes) {
            if (op.storingFromNs < 0) {
                op.storingFromNs = nowNs;
            }
            // the final k closest that no streamed store reached get theirs now
            writeTo(nowNs, op, op.lookup.result());
            if (op.storesAnswered < op.storesSent) {
                return;
            }
            checkAcknowledged(nowNs, op);
        }
        finish(nowNs, op);
    }

    /**
     * Streams a write during its lookup: each peer that answered and stands among the lookup's current k closest
     * gets its store at once, rather than after the lookup ends (which waits for the last of the k closest, or the
     * timeouts of those that left). A peer later pushed out of the final k by a closer one keeps a spare copy.
     */
    private void streamWrites(long nowNs, Operation op) {
        if (!op.lookup.closestAnswered(WRITE_BETA)) {
            return; // still on its way to the key: the k closest so far are mostly farther peers (spare copies)
        }
        if (op.storingFromNs < 0) {
            op.storingFromNs = nowNs;
        }
        writeTo(nowNs, op, op.lookup.answeredAmongClosest());
        checkAcknowledged(nowNs, op);
    }

    /** Sends the write of {@code op} to each of {@code peers} it was not sent to yet. */
    private void writeTo(long nowNs, Operation op, List<Contact> peers) {
        for (Contact c : peers) {
            if (!op.writtenTo.contains(c.id()) && sendWrite(nowNs, c, op)) {
                op.writtenTo.add(c.id());
                op.storesSent++;
            }
        }
    }

    /** A get of a value or a mutable record that found no valid one. */
    private static boolean readFoundNothing(Operation op) {
        return op.kind == OperationKind.GET ? op.valueFound == null
                : op.kind == OperationKind.GET_MUTABLE && op.bestMutable == null;
    }

    private void trace(Operation op, PendingRequest req, long nowNs, LookupHop.Outcome outcome, int contacts) {
        long rttNs = outcome == LookupHop.Outcome.ANSWERED || outcome == LookupHop.Outcome.VALUE
                ? nowNs - req.sentNs : -1;
        op.trace.add(new LookupHop(req.peer, op.lookup == null ? 0 : op.lookup.hopOf(req.peer.id()),
                op.lookup == null ? 0 : op.lookup.pathOf(req.peer.id()), req.sentNs, rttNs, outcome, contacts));
    }

    private void finish(long nowNs, Operation op) {
        if (op.done) {
            return;
        }
        op.done = true;
        operations.remove(op.handle);
        if (op.kind == OperationKind.LOOKUP && op.target.equals(self.id()) && routing != null
                && !op.lookup.result().isEmpty()) {
            refreshAfterJoin(nowNs);
        }
        if (op.trace != null) {
            finishedTraces.put(op.handle, List.copyOf(op.trace));
        }
        if (finishedLookups != null && op.lookup != null) {
            finishedLookups.finished(op.handle, op.lookup);
        }
        if (op.kind.writes) {
            counters.writeSpareCopies += spareCopies(op);
        }
        report(nowNs, op);
    }

    /** Stores a write sent to peers that are not among the k closest its lookup found in the end. */
    private static int spareCopies(Operation op) {
        int spares = op.writtenTo.size();
        for (Contact c : op.lookup.result()) {
            spares -= op.writtenTo.contains(c.id()) ? 1 : 0;
        }
        return spares;
    }

    /**
     * Emits an operation's result, once: at its end, or for a write when it is acknowledged (it goes on storing in
     * the background, and its result says how many stored so far).
     */
    private void report(long nowNs, Operation op) {
        if (op.reported) {
            return;
        }
        op.reported = true;
        CoreEvent event = switch (op.kind) {
            case LOOKUP -> new CoreEvent.LookupCompleted(op.handle, op.target, op.lookup.result(), op.startedNs,
                    nowNs, op.lookup.closestAnsweredNs(), op.lookup.hopsToClosest(), op.lookup.requestsSent());
            case GET -> new CoreEvent.GetCompleted(op.handle, op.target, op.valueFound, op.startedNs, nowNs,
                    op.lookup.requestsSent());
            case PUT -> new CoreEvent.PutCompleted(op.handle, op.target, op.storesAcked, op.storesSent, op.startedNs,
                    nowNs, op.acknowledgedNs);
            case PING -> new CoreEvent.PingCompleted(op.handle, op.target, op.pingRttNs);
            case REFRESH -> null;
            case PROVIDE, PUT_MUTABLE -> new CoreEvent.RecordWriteCompleted(op.handle, op.target, op.storesAcked,
                    op.storesSent, op.refusal, op.heldSeq, op.startedNs, nowNs, op.acknowledgedNs, op.storingFromNs,
                    op.acknowledgingStoreSentNs);
            case FIND_PROVIDERS -> new CoreEvent.ProvidersFound(op.handle, op.target,
                    op.providersFound.best(op.wantedProviders), op.startedNs, nowNs, op.firstValidNs);
            case GET_MUTABLE -> new CoreEvent.MutableGetCompleted(op.handle, op.target, op.bestMutable, op.startedNs,
                    nowNs, op.firstValidNs, op.lookup.requestsSent());
        };
        afterRecordOperation(nowNs, op);
        if (event != null) {
            events.add(event);
        }
    }

    /**
     * After a record operation: what this node published as owner is republished from now on, and a get that found
     * a value caches a copy on the closest peer of its path that did not have it (Kademlia's path caching), for a
     * TTL that halves with each prefix bit that peer is farther from the key than the holder.
     */
    private void afterRecordOperation(long nowNs, Operation op) {
        if (op.kind == OperationKind.PROVIDE && op.storesAcked > 0) {
            republisher.provided(nowNs, op.target, ((Provision) op.payload).record());
        } else if (op.kind == OperationKind.PUT_MUTABLE && op.storesAcked > 0) {
            republisher.published(nowNs, (MutableRecord) op.payload);
        }
        boolean found = op.kind == OperationKind.GET ? op.valueFound != null : op.kind == OperationKind.GET_MUTABLE
                && op.bestMutable != null;
        if (!found || op.holder == null || op.cacheCandidate == null) {
            return;
        }
        int bitsFarther = op.target.commonPrefixLength(op.holder.id())
                - op.target.commonPrefixLength(op.cacheCandidate.id());
        long ttlNs = recordRequests.config().cacheTtlNs(bitsFarther);
        boolean sent = op.kind == OperationKind.GET
                ? sendWrite(nowNs, op.cacheCandidate, null, OperationKind.PUT, op.valueFound, null, 0, ttlNs,
                        op.cacheToken)
                : sendWrite(nowNs, op.cacheCandidate, null, OperationKind.PUT_MUTABLE, null, op.bestMutable,
                        MutableStore.NO_CAS, ttlNs, 0);
        if (sent) {
            counters.pathCacheStores++;
        }
    }

    // ---------------------------------------------------------------- sending

    /** The write of a put-like operation to one of the k closest: STORE, ADD_PROVIDER or PUT_MUTABLE. */
    private boolean sendWrite(long nowNs, Contact peer, Operation op) {
        return sendWrite(nowNs, peer, op, op.kind, op.value, op.payload, op.cas, op.ttlNs,
                op.writeTokens.getOrDefault(peer.id(), 0L));
    }

    /** A write to {@code peer}, tracked for {@code op} (null: a copy cached along a get's path, not waited for). */
    private boolean sendWrite(long nowNs, Contact peer, Operation op, OperationKind kind, byte[] value,
            Object payload, long cas, long ttlNs, long writeToken) {
        codec.extraFeatures(role.features());
        if (pending.size() >= config.maxPendingRequests()) {
            counters.pendingTableFull++;
            return false;
        }
        long requestId = newRequestId();
        long ttlSeconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(ttlNs));
        int end = switch (kind) {
            case PUT -> codec.encodeStore(scratch, 0, requestId, NodeId.fromBytes(blake3.hash(value)), value, 0,
                    value.length, ttlSeconds, writeToken);
            case PROVIDE -> {
                Provision p = (Provision) payload;
                yield codec.encodeAddProvider(scratch, 0, requestId, p.key(), p.record(), p.announcement(), ttlSeconds);
            }
            case PUT_MUTABLE -> codec.encodePutMutable(scratch, 0, requestId, (MutableRecord) payload, cas,
                    ttlSeconds);
            default -> throw new AssertionError("not a write: " + kind);
        };
        sendTracked(peer, end, nowNs, requestId, op).write = true;
        return true;
    }

    private boolean sendRequest(long nowNs, Contact peer, MessageKind kind, NodeId target, Operation op) {
        codec.extraFeatures(role.features());
        if (pending.size() >= config.maxPendingRequests()) {
            counters.pendingTableFull++;
            return false;
        }
        long requestId = newRequestId();
        int end = switch (kind) {
            case PING -> codec.encodePing(scratch, 0, requestId);
            case FIND_NODE -> codec.encodeFindNode(scratch, 0, requestId, target);
            case FIND_VALUE -> codec.encodeFindValue(scratch, 0, requestId, target);
            case GET_PROVIDERS -> codec.encodeGetProviders(scratch, 0, requestId, target);
            case GET_MUTABLE -> codec.encodeGetMutable(scratch, 0, requestId, target);
            default -> throw new AssertionError("not sent this way: " + kind);
        };
        sendTracked(peer, end, nowNs, requestId, op);
        lastRequestId = requestId;
        return true;
    }

    /** Sends a request and tracks it until its answer or its hard timeout. */
    private PendingRequest sendTracked(Contact peer, int length, long nowNs, long requestId, Operation op) {
        byte[] datagram = Arrays.copyOf(scratch, length); // before send: a circuit's RELAY_CONNECT reuses scratch
        PendingRequest req = new PendingRequest(requestId, peer, op, nowNs, datagram);
        pending.put(requestId, req);
        send(nowNs, peer, datagram, length);
        counters.requestsOut++;
        long softNs = timeoutNs(peer.id());
        schedule(nowNs + hedgeNs(peer.id()), TimerKind.SOFT_TIMEOUT, req);
        // A peer is declared failed only past the ceiling: the soft timeout of an unmeasured peer is a guess
        // from other peers' RTTs, and failing a live far-away peer would cost correctness, not just time.
        long hardNs = Math.max(softNs * config.hardTimeoutFactor(), config.maxTimeoutNs());
        schedule(nowNs + hardNs, TimerKind.HARD_TIMEOUT, req);
        return req;
    }

    private long newRequestId() {
        long id;
        do {
            id = partition.requestIdFrom(random.nextLong()); // an answer landing on another shard comes back here
        } while (id == 0 || pending.containsKey(id));
        return id;
    }

    /**
     * Queues {@code data[0, length)}, a request of this core, for {@code to}. A relayed server's contact keeps its
     * relay: the shard sends on a live session with it, else hands it back to {@link #sendThroughCircuit}; this node
     * reaches its own relay's clients at their address (their NATs let the relay's datagrams in).
     */
    private void send(long nowNs, Contact to, byte[] data, int length) {
        if (to.relay() != null && to.relay().id().equals(self.id())) {
            to = to.withoutRelay();
        }
        if (transmits.offer(to, data, length, false)) {
            counters.datagramsOut++;
        } else {
            counters.transmitQueueFull++;
        }
    }

    /**
     * A request ({@code data[0, length)}, already counted as sent) to the relayed server {@code to}, which the shard
     * has no live session with: queued to the relayed address of its circuit, or kept until the relay grants one
     * (asked here), or dropped when every circuit is in use (counted; it fails at its timeout). False when this core
     * opens no circuits (relayed servers not {@link #enableRelayedServers enabled}): the caller sends it straight.
     */
    public boolean sendThroughCircuit(long nowNs, Contact to, byte[] data, int length) {
        if (circuits == null) {
            return false;
        }
        codec.extraFeatures(role.features());
        switch (circuits.onRequest(nowNs, to, data, length)) {
            case SEND -> {
                if (!transmits.offer(to.withoutRelay().withAddress(circuits.relayedAddress()), data, length, false)) {
                    counters.transmitQueueFull++;
                }
            }
            case CONNECT -> {
                if (pending.size() >= config.maxPendingRequests()) {
                    counters.pendingTableFull++;
                    circuits.onFailure(to.id());
                    return true;
                }
                long requestId = newRequestId();
                int end = codec.encodeRelayConnect(scratch, 0, requestId, to.id(), ownNatType(), true);
                sendTracked(to.relay(), end, nowNs, requestId, null);
                circuits.onConnectSent(to.id(), requestId);
            }
            case WAIT -> {
                // it leaves when the circuit is granted
            }
            case FULL -> counters.relayCircuitsFull++;
        }
        closeForgottenCircuits(nowNs); // the circuits it found past their use (after the request left: scratch)
        return true;
    }

    /** A relay answered a circuit for requests: those that waited for it leave through it, or wait out refused. */
    private void onCircuitAnswer(long nowNs, Contact from, PendingRequest req) {
        RelayCircuits.Granted granted = circuits.onAnswer(nowNs, from.address(), req.requestId,
                message.relayCircuit(), message.relayRefusal(), message.observedAddress(), ownNatType(),
                message.relayNatType());
        if (granted == null) {
            counters.relayCircuitsRefused++; // the requests that waited fail at their timeouts, as a dead contact's
            return;
        }
        counters.relayCircuitsOpened++;
        for (byte[] datagram : granted.waiting()) {
            if (!transmits.offer(granted.peerAt(), datagram, datagram.length, false)) {
                counters.transmitQueueFull++; // (counted as sent when it was first queued)
            }
        }
    }

    /**
     * A client that holds a reservation tells its peers it is a relayed server (feature bit 1) while the driver
     * carries frames; a plain client otherwise.
     */
    private void announceRelayed(long nowNs) {
        if (circuits != null && relayClient != null) {
            role.relayed(relayClient.reserved(nowNs));
        }
    }

    /** Whether this node holds a reservation for {@code client} and enters it in its relayed form. */
    private boolean relaysFor(long nowNs, Contact client) {
        return circuits != null && relay != null && relay.reserved(nowNs, client.id()) != null;
    }

    /**
     * The form of {@code from} to enter in the table when it answered as a relayed server (feature bit 1), or null:
     * reached through this node when it holds a reservation here; else the relayed contact it was asked at.
     */
    private Contact relayedFormOf(long nowNs, Contact from, PendingRequest req) {
        if (circuits == null || !DhtRole.isRelayed(message.features())) {
            return null;
        }
        if (!RelayRoutes.isRelayed(from.address()) && relaysFor(nowNs, from)) {
            return from.withRelay(self);
        }
        Contact via = req.peer.relay();
        return via != null && !via.id().equals(self.id()) ? req.peer : null;
    }

    /**
     * When a request is past its expected answer and is hedged (its slot goes to the next candidate and a copy is
     * sent): SRTT + 2·RTTVAR of a measured peer, else the {@link #HEDGE_PERCENTILE} of first contacts' RTTs. Shorter than
     * {@link #timeoutNs}, which judges the copy: a hedge costs a request, a wrong judgement a live peer.
     */
    private long hedgeNs(NodeId peer) {
        RttEstimator rtt = measured(peer);
        if (rtt != null) {
            return clampTimeout(rtt.srttNs() + 2 * rtt.rttvarNs());
        }
        if (firstContactPercentiles.samples() >= MIN_SAMPLES_FOR_PERCENTILES) {
            return clampTimeout(firstContactPercentiles.percentileNs(HEDGE_PERCENTILE));
        }
        // Too few first contacts for a percentile (a joining node): a short guess, since a hedge only costs a request.
        return firstContactRtt.hasSamples()
                ? clampTimeout(firstContactRtt.srttNs() + 2 * firstContactRtt.rttvarNs())
                : config.initialTimeoutNs();
    }

    /**
     * Adaptive timeout: the peer's own RTO when measured, else the 99th percentile of first contacts' RTTs (a peer
     * never measured may be as far as any), else (too few first contacts yet: their first ones are the nearby peers
     * a lookup asks first) the initial one.
     */
    private long timeoutNs(NodeId peer) {
        RttEstimator rtt = measured(peer);
        if (rtt != null) {
            return rtt.timeoutNs(config.initialTimeoutNs(), config.minTimeoutNs(), config.maxTimeoutNs());
        }
        return firstContactPercentiles.samples() >= MIN_SAMPLES_FOR_PERCENTILES
                ? clampTimeout(firstContactPercentiles.percentileNs(0.99)) : config.initialTimeoutNs();
    }

    private long clampTimeout(long ns) {
        return Math.max(config.minTimeoutNs(), Math.min(config.maxTimeoutNs(), ns));
    }

    /** The RTT estimate of {@code peer} (its routing entry's, else the cache's), or null when never measured. */
    private RttEstimator measured(NodeId peer) {
        RoutingEntry entry = routing == null ? null : routing.entry(peer);
        RttEstimator rtt = entry != null && entry.rtt().hasSamples() ? entry.rtt() : rttCache.get(peer);
        return rtt == null || !rtt.hasSamples() ? null : rtt;
    }

    private long expectedRttNs(NodeId peer) {
        RoutingEntry entry = routing == null ? null : routing.entry(peer);
        if (entry != null && entry.rtt().hasSamples()) {
            return entry.rtt().srttNs();
        }
        RttEstimator cached = rttCache.get(peer);
        return cached != null ? cached.srttNs() : -1;
    }

    private void schedule(long deadlineNs, TimerKind kind, PendingRequest req) {
        timers.add(new Timer(deadlineNs, timerSeq++, kind, req, null));
    }

    private void schedule(long deadlineNs, Operation op) {
        timers.add(new Timer(deadlineNs, timerSeq++, TimerKind.GET_WAIT, null, op));
    }

    // ---------------------------------------------------------------- state records

    private enum OperationKind {
        LOOKUP(MessageKind.FIND_NODE, false, false),
        GET(MessageKind.FIND_VALUE, false, true),
        PUT(MessageKind.FIND_NODE, true, true),
        PING(MessageKind.PING, false, false),
        REFRESH(MessageKind.FIND_NODE, false, false),
        PROVIDE(MessageKind.FIND_NODE, true, true),
        FIND_PROVIDERS(MessageKind.GET_PROVIDERS, false, true),
        PUT_MUTABLE(MessageKind.FIND_NODE, true, true),
        GET_MUTABLE(MessageKind.GET_MUTABLE, false, true);

        /** What its lookup asks each peer. */
        final MessageKind request;
        /** A lookup for the k closest, then a write to each of them (its answers complete the operation). */
        final boolean writes;
        /**
         * A record read or write: its lookup takes {@link CoreConfig#disjointPaths} paths that share no peer, so
         * Sybils that own every peer of one path cannot hide or swallow the record. The others (join, refresh, an
         * operator's lookup) take one: they return only contacts, each of which must still answer this node before
         * it enters the table, and d paths would multiply the maintenance traffic of every node.
         */
        final boolean record;

        OperationKind(MessageKind request, boolean writes, boolean record) {
            this.request = request;
            this.writes = writes;
            this.record = record;
        }
    }

    private enum TimerKind { SOFT_TIMEOUT, HARD_TIMEOUT, MAINTENANCE, CANDIDATE, LIVENESS, NAT, GET_WAIT, REPLICATION }

    private static final class Operation {
        final long handle;
        final OperationKind kind;
        final NodeId target;
        final byte[] value;
        final long ttlNs;
        final long startedNs;
        final Lookup lookup;
        byte[] valueFound;
        /** Hops of a traced operation; null (nothing recorded) for every other one. */
        List<LookupHop> trace;
        int storesSent;
        int storesAnswered;
        int storesAcked;
        long pingRttNs = -1;
        boolean done;
        /** A get that found nothing started its second round ({@link Lookup#retryWithoutAsked}). */
        boolean retried;
        /** A provider lookup ends once it found this many valid providers. */
        int wantedProviders = Integer.MAX_VALUE;
        /** A provider's SignedNodeRecord or a MutableRecord to write; null for the other operations. */
        Object payload;
        long cas = MutableStore.NO_CAS;
        /** The first refusal a record write got back, and the highest seq its answers said they hold. */
        WriteOutcome refusal;
        long heldSeq;
        /** When a majority of the lookup's k closest stored the write (it is acknowledged); -1 until then. */
        long acknowledgedNs = -1;
        /** When a write's stores began (its lookup's β closest answered, or it ended); -1 until then. */
        long storingFromNs = -1;
        /** When the store whose answer was the last before the write was acknowledged went out; -1 until then. */
        long lastStoredSentNs = -1;
        /** {@link #lastStoredSentNs} when the write was acknowledged: the store that made the majority. */
        long acknowledgingStoreSentNs = -1;
        /** The peers a write was sent to, and those that answered they stored it. */
        final Set<NodeId> writtenTo = new HashSet<>();
        final Set<NodeId> storedBy = new HashSet<>();
        /** Its result was emitted ({@link #report}); a write may still be storing in the background. */
        boolean reported;
        final FoundProviders providersFound = new FoundProviders();
        MutableRecord bestMutable;
        /** A get's value came from here; the closest peer that answered without it gets a cached copy. */
        Contact holder;
        Contact cacheCandidate;
        long firstValidNs = -1;
        /** The write token the path-cache candidate's NODES answer gave (its copy's STORE carries it). */
        long cacheToken;
        /** A join through seeds known by their keys alone (their nonces arrive in their answers). */
        boolean bootstrap;
        /** A put's write tokens, by the peer whose answer gave it: each STORE carries its storer's. */
        final Map<NodeId, Long> writeTokens = new HashMap<>(4);

        Operation(long handle, OperationKind kind, NodeId target, byte[] value, long ttlNs, long startedNs,
                Lookup lookup) {
            this.handle = handle;
            this.kind = kind;
            this.target = target;
            this.value = value;
            this.ttlNs = ttlNs;
            this.startedNs = startedNs;
            this.lookup = lookup;
        }
    }

    private static final class PendingRequest {
        final long requestId;
        final Contact peer;
        final Operation operation;
        final long sentNs;
        final byte[] datagram;
        /** Karn's rule: an answer to a retransmitted request gives no RTT sample (which copy did it answer?). */
        boolean retransmitted;
        /** The copy missed its timeout too ({@link #onUnresponsive}): nobody waits for this request any longer. */
        boolean unresponsive;
        /** For a liveness check of a stale entry: when the entry was last seen before it; else -1. */
        long livenessCheckOfSeenNs = -1;
        /** For a DIAL_BACK: the nonce of its probe; else 0. */
        long dialBackNonce;
        /** For a replication probe (does the peer hold this key?): what to push if not; else null. */
        Push push;
        /** A write's store (STORE, ADD_PROVIDER, PUT_MUTABLE), not a request of its lookup. */
        boolean write;

        PendingRequest(long requestId, Contact peer, Operation operation, long sentNs, byte[] datagram) {
            this.requestId = requestId;
            this.peer = peer;
            this.operation = operation;
            this.sentNs = sentNs;
            this.datagram = datagram;
        }
    }

    /** A replication probe's key, its type, and why the copy would be pushed. */
    private record Push(NodeId key, Replicator.Kind kind, Replicator.Reason reason) {
    }

    /** What an ADD_PROVIDER carries: the key, the provider's record and its announcement for the key (or null). */
    private record Provision(NodeId key, SignedNodeRecord record, ProvideAnnouncement announcement) {
    }

    private record Timer(long deadlineNs, long seq, TimerKind kind, PendingRequest request, Operation operation)
            implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadlineNs, o.deadlineNs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
