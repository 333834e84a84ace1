package io.molia.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.CoreConfig;
import io.molia.core.CoreCounters;
import io.molia.core.CoreEvent;
import io.molia.core.NodeCore;
import io.molia.core.Outbound;
import io.molia.core.RoutingSnapshot;
import io.molia.core.SnapshotResponder;
import io.molia.core.lookup.LookupHop;
import io.molia.crypto.Ed25519Identity;
import io.molia.metrics.NodeMetrics;
import io.molia.session.InitiationTimestamps;
import io.molia.session.SessionCounters;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;
import io.molia.transport.ShardReceiver;
import io.molia.transport.UdpTransport;
import io.molia.wal.NodeWal;
import io.molia.wal.PrivateFiles;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Molia node: the sans-I/O core and session layer driven by Netty over real UDP sockets, one event loop
 * per shard (DESIGN §3.2). Shard 0 owns the protocol core (routing table, lookups, records, WAL) and publishes the
 * routing table as a snapshot; every shard holds the sessions whose receiver index it issued and answers PING and
 * FIND_NODE on them itself ({@link ServingShard}). A datagram addressed to another shard's index, and a message only
 * the core can handle, are handed over through the receiving shard's {@link ShardInbox}. Every method of the public
 * API is safe to call from any thread and returns a future completed on shard 0's loop.
 *
 * <p>Records and the peerstore are journaled to the WAL ({@link NodeWal}, DESIGN §3.9) before a STORE is
 * acknowledged, and rebuilt from it at start.
 *
 * <p>Not built yet: records partitioned over shards by key (shard 0 holds them all). See the README's status table.
 */
public final class MoliaNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MoliaNode.class);
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long SESSION_TICK_NS = TimeUnit.SECONDS.toNanos(1);
    static final int SHARD_BITS = 4;
    /** As many shards as {@link #SHARD_BITS} can name in a receiver index. */
    public static final int MAX_SHARDS = 1 << SHARD_BITS;
    /** How many completed lookups, gets and puts the admin view's latency percentiles are taken over. */
    static final int RECENT_LOOKUPS = 1024;
    private static final int SESSIONS_PER_SHARD = 65_536;
    /** Whether this process said the kernel capped a receive buffer (it says so once: see warnOnceIfCapped). */
    private static final java.util.concurrent.atomic.AtomicBoolean CAPPED_WARNED =
            new java.util.concurrent.atomic.AtomicBoolean();

    private final Ed25519Identity identity;
    private final Contact self;
    final NodeCore core;
    /** The replay rule's memory, shared by every shard's session layer (a replay may land on any shard). */
    private final InitiationTimestamps initiationTimestamps;
    final SessionManager sessions;
    final NodeConfig config;
    /** Operator bans, checked before the session layer (admin socket). Owned by the protocol loop. */
    final BanList bans = new BanList();
    final long startedNs = System.nanoTime();
    final long startedUnixMs = System.currentTimeMillis();
    private static final java.lang.management.ThreadMXBean THREAD_CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();
    /** CPU time the protocol loop spent in operator views and changes (written by the loop only; read racily). */
    long operatorLoopNs;
    private final Map<Long, CompletableFuture<Traced>> tracedWaiting = new HashMap<>();
    private final UdpTransport transport;
    /** The debug key log, or null (off). */
    private final KeyLogFile keyLog;
    private final EventLoop loop;
    private final Map<Long, CompletableFuture<CoreEvent>> waiting = new HashMap<>();
    private final byte[] rx = new byte[2048];
    /** Peers' endpoints in the core's and the socket's form, converted without allocating. Protocol loop only. */
    private final InetAddressCache addresses = new InetAddressCache();
    private final ScheduledFuture<?> ticker;
    private final NodeMetrics metrics;
    /** Durable state of shard 0; null when the WAL is disabled. Used on the protocol loop only. */
    final NodeWal wal;
    /** Set once recovery finished: a datagram before it could be acknowledged without being journaled. */
    private volatile boolean serving;
    /** What other shards hand the protocol loop (DESIGN §3.2). */
    private final ShardInbox inbox;
    /** Shards 1..N-1 (index 0 unused: shard 0 is this object's protocol loop). */
    private final ServingShard[] servingShards;
    /** The routing table as the other shards answer FIND_NODE from it; written by the protocol loop. */
    private volatile RoutingSnapshot routingSnapshot;
    private long routingPublishedChanges = -1;
    /** Where the peers that talk to this node through another shard hold their sessions. Protocol loop only. */
    private final SessionDirectory sessionDirectory = new SessionDirectory();
    /** The durations of the last lookups, gets and puts, a ring written on the protocol loop (admin percentiles). */
    final long[] recentLookupNs = new long[RECENT_LOOKUPS];
    long lookupsCompleted;
    private long lastSessionTickNs;
    /** Each shard's figures (NodeFigures), for the metrics endpoint and the admin view alike. */
    final List<NodeMetrics.ShardSource> shardSources;
    /** Joining the network, and joining again whenever every peer is gone. Used on the protocol loop. */
    private final Joining joining;

    private MoliaNode(NodeConfig config) throws IOException {
        this.config = config;
        this.identity = IdentityFile.loadOrCreate(config.dataDir());
        List<java.nio.file.Path> narrowed = PrivateFiles.secure(config.dataDir(),
                config.dataDir().resolve(IdentityFile.FILE_NAME));
        if (!narrowed.isEmpty()) {
            LOG.atWarn().addKeyValue("paths", narrowed.size()).addKeyValue("first", narrowed.get(0))
                    .log("the data dir was open to other users: made it private (0700 directories, 0600 files)");
        }
        SecureRandom seedSource = new SecureRandom();
        SplittableRandom random = new SplittableRandom(seedSource.nextLong());
        ShardReceiver receiver = new ShardReceiver() {
            @Override
            public void onDatagram(int shard, InetSocketAddress sender, ByteBuf data) {
                MoliaNode.this.onDatagram(shard, sender, data);
            }

            @Override
            public void onReadBatchEnd(int shard) {
                if (shard == 0) {
                    transport.flush(0); // the answers to a whole read batch leave in one sendmmsg
                } else if (serving) {
                    servingShards[shard].flush();
                }
            }
        };
        this.transport = UdpTransport.start(config.listen(), config.shards(), true, config.buffers(), receiver);
        InetSocketAddress bound = transport.localAddress();
        this.self = new Contact(NodeId.ofPublicKey(identity.publicKey()), identity.publicKey(), 0,
                SocketAddresses.toNodeAddress(bound));
        CoreConfig coreConfig = CoreConfig.defaults();
        if (bound.getAddress().isLoopbackAddress()) {
            coreConfig = coreConfig.withSubnetLimit(coreConfig.k()); // a devnet: all in 127.0.0.0/24 (::1: ::/48)
        }
        long now = System.nanoTime();
        this.core = new NodeCore(coreConfig, self, random.split(), now);
        core.reachable(SocketAddresses.reachableFrom(bound));
        this.keyLog = openKeyLog(config.keyLog(), transport);
        this.initiationTimestamps = new InitiationTimestamps(InitiationTimestamps.DEFAULT_SLOTS,
                InitiationTimestamps.DEFAULT_WINDOW_NS, random.split());
        this.sessions = newSessionManager(0, random.split());
        this.loop = transport.eventLoop(0);
        this.inbox = new ShardInbox(loop, this::onHandover, () -> transport.flush(0));
        this.routingSnapshot = RoutingSnapshot.empty(self.id());
        this.servingShards = new ServingShard[config.shards()];
        for (int shard = 1; shard < servingShards.length; shard++) {
            servingShards[shard] = new ServingShard(shard, transport, newSessionManager(shard, random.split()),
                    new SnapshotResponder(self.id(), coreConfig.k()), () -> routingSnapshot, bans, inbox);
        }
        try {
            // On the loop: Chronicle appenders belong to the thread that uses them (DESIGN §3.9).
            this.wal = config.wal().enabled()
                    ? loop.submit(() -> NodeWal.open(config.dataDir(), config.wal(), core, now)).get() : null;
        } catch (java.util.concurrent.ExecutionException e) {
            transport.close();
            closeKeyLog();
            if (e.getCause() instanceof RuntimeException re) {
                throw re; // e.g. the data dir is held by another node: its one-line message as it is
            }
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            transport.close();
            closeKeyLog();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while recovering the WAL", e);
        }
        List<Contact> bootstrapPeers = new ArrayList<>();
        for (MoliaAddress a : config.bootstrap()) {
            bootstrapPeers.add(a.toContact());
        }
        this.joining = new Joining(core, this::pump, bootstrapPeers);
        publishRouting();
        this.serving = true;
        List<NodeMetrics.ShardSource> shardViews = new ArrayList<>();
        shardViews.add(new ShardFigures(0, core, core.counters(), sessions, inbox));
        for (int shard = 1; shard < servingShards.length; shard++) {
            ServingShard serving = servingShards[shard];
            shardViews.add(new ShardFigures(shard, null, serving.responder().counters(), serving.sessions(),
                    serving.inbox()));
        }
        this.shardSources = List.copyOf(shardViews);
        this.metrics = new NodeMetrics(() -> shardSources, new NodeMetrics.NodeSource() {
            @Override
            public boolean isolated() {
                return Joining.isolated(core); // a racy read of the table's size, as a scrape reads every figure
            }

            @Override
            public long banDroppedDatagrams() {
                return bans.droppedDatagrams();
            }

            @Override
            public long operatorLoopNs() {
                return operatorLoopNs;
            }
        });
        if (wal != null) {
            metrics.register(wal::metrics);
        }
        metrics.register(() -> NodeMetrics.sockets(transport.sockets()));
        if (config.metrics() != null) {
            metrics.serve(config.metrics());
        }
        // Through the bootstrap peers and the peers the WAL restored: a restarted node rejoins without --bootstrap.
        loop.execute(() -> joining.start(System.nanoTime()));
        this.ticker = loop.scheduleAtFixedRate(this::tick, TICK_NS, TICK_NS, TimeUnit.NANOSECONDS);
        int receiveBufferBytes = transport.sockets().get(0).receiveBufferBytes();
        warnOnceIfCapped(config.buffers().receiveBytes(), receiveBufferBytes);
        // Logs name the node by its short ID and the port only: no keys, no peer addresses (DESIGN §3.8).
        LOG.atInfo().addKeyValue("node", self.id().shortHex()).addKeyValue("port", bound.getPort())
                .addKeyValue("shards", config.shards()).addKeyValue("transport", transport.isEpoll() ? "epoll" : "nio")
                .addKeyValue("metrics_port", config.metrics() == null ? -1 : metrics.port())
                .addKeyValue("receive_buffer_bytes", receiveBufferBytes)
                .addKeyValue("bootstrap_peers", config.bootstrap().size()).log("node started");
        if (keyLog != null) {
            LOG.atWarn().addKeyValue("node", self.id().shortHex()).addKeyValue("file", keyLog.path())
                    .log("key log on: every session key is written to the file; whoever reads it decrypts this node's "
                            + "traffic (debug only)");
        }
    }

    /**
     * Says once per process (a devnet runs many nodes in one) that the kernel capped the receive buffer: bursts
     * beyond it are dropped by the kernel ({@code molia_kernel_receive_drops}). Linux grants twice what is asked
     * when it can, so less than asked means capped.
     */
    private static void warnOnceIfCapped(int askedBytes, int grantedBytes) {
        if (grantedBytes < askedBytes && !CAPPED_WARNED.getAndSet(true)) {
            LOG.atWarn().addKeyValue("asked_bytes", askedBytes).addKeyValue("granted_bytes", grantedBytes)
                    .log("the kernel capped the socket receive buffer at net.core.rmem_max; raise it (sysctl -w "
                            + "net.core.rmem_max=" + askedBytes + ") or give the node CAP_NET_ADMIN");
        }
    }

    /**
     * Each shard socket's granted buffers and kernel receive drops, by shard. Reads {@code /proc}: call it from an
     * operator's thread, not from a shard's loop.
     */
    public List<UdpTransport.ShardSocket> sockets() {
        return transport.sockets();
    }

    /** The socket buffer sizes this node asked the kernel for. */
    public io.molia.transport.SocketBuffers askedBuffers() {
        return config.buffers();
    }

    /** The session layer of shard {@code shard}: it issues receiver indexes whose low bits name the shard. */
    private SessionManager newSessionManager(int shard, SplittableRandom random) {
        // Bans are read through their published view: the admission check runs on every shard's loop.
        SessionManager manager = new SessionManager(StaticIdentity.fromEd25519Seed(identity.seed()),
                identity.publicKey(), config.networkKey(), shard, SHARD_BITS, SESSIONS_PER_SHARD, random,
                (id, key, pow) -> !bans.view().bansPeer(System.nanoTime(), id), initiationTimestamps);
        manager.setHandshakeCpuBudget(config.handshakeCpuBudget());
        if (keyLog != null) {
            manager.setKeyLog(keyLog.writer()); // shared by the shards: each session's block is one write
        }
        return manager;
    }

    /** Starts a node: binds its sockets, loads or creates its identity, joins through the bootstrap peers. */
    public static MoliaNode start(NodeConfig config) throws IOException {
        return new MoliaNode(config);
    }

    public Contact self() {
        return self;
    }

    public MoliaAddress address() {
        return new MoliaAddress(identity.publicKey(), self.address().hostText(), self.address().port());
    }

    public boolean isEpoll() {
        return transport.isEpoll();
    }

    long[] shardThreadIds() {
        return transport.shardThreadIds();
    }

    /** The k closest peers to {@code target} that answered. */
    public CompletableFuture<List<Contact>> lookup(NodeId target) {
        return submit(() -> core.startLookup(System.nanoTime(), target))
                .thenApply(e -> ((CoreEvent.LookupCompleted) e).closest());
    }

    /** Stores an immutable value on the k closest peers; completes with its key (BLAKE3 of the value). */
    public CompletableFuture<CoreEvent.PutCompleted> put(byte[] value, long ttlSeconds) {
        return submit(() -> core.startPut(System.nanoTime(), value, TimeUnit.SECONDS.toNanos(ttlSeconds)))
                .thenApply(e -> (CoreEvent.PutCompleted) e);
    }

    /** Finds the value stored under {@code key}; completes with null when no peer has it. */
    public CompletableFuture<byte[]> get(NodeId key) {
        return submit(() -> core.startGet(System.nanoTime(), key)).thenApply(e -> ((CoreEvent.GetCompleted) e).value());
    }

    /** A snapshot of simple figures, taken on the protocol loop. */
    public CompletableFuture<NodeStatus> status() {
        CompletableFuture<NodeStatus> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(new NodeStatus(core.routingTable().size(), sessionCount(), core.records().size(),
                coreCountersOfAllShards().datagramsIn, sessionCountersOfAllShards().silentDrops())));
        return f;
    }

    /**
     * Runs {@code view} on the protocol loop with the node's state and completes with its result: how operator
     * views are taken (a consistent snapshot without locks, between two packets) and how operator changes (evict,
     * ban) are made. The function must copy what it returns and must not block.
     */
    public <T> CompletableFuture<T> onLoop(Function<NodeState, T> view) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            // The loop thread's CPU time, not wall time: a loaded machine would count preemption as view cost.
            long cpuStartNs = THREAD_CPU.getCurrentThreadCpuTime();
            T result;
            try {
                result = view.apply(new NodeState(this, System.nanoTime()));
            } catch (RuntimeException e) {
                operatorLoopNs += THREAD_CPU.getCurrentThreadCpuTime() - cpuStartNs;
                f.completeExceptionally(e);
                return;
            }
            operatorLoopNs += THREAD_CPU.getCurrentThreadCpuTime() - cpuStartNs;
            f.complete(result);
        });
        return f;
    }

    /** Pings {@code peer}: completes with the round trip in nanoseconds, or -1 when it did not answer. */
    public CompletableFuture<Long> ping(Contact peer) {
        return submit(() -> core.ping(System.nanoTime(), peer)).thenApply(e -> ((CoreEvent.PingCompleted) e).rttNs());
    }

    /** A lookup (or a FIND_VALUE) that records every hop, for an operator's {@code trace}. */
    public CompletableFuture<Traced> tracedLookup(NodeId target, boolean findValue) {
        CompletableFuture<Traced> f = new CompletableFuture<>();
        loop.execute(() -> {
            long handle = core.startTracedLookup(System.nanoTime(), target, findValue);
            if (handle < 0) {
                f.completeExceptionally(new IllegalStateException("too many operations in progress"));
                return;
            }
            tracedWaiting.put(handle, f);
            pump();
        });
        return f;
    }

    /** A traced operation's end: its event (LookupCompleted or GetCompleted) and its hops in order. */
    public record Traced(CoreEvent event, List<LookupHop> hops) {
    }

    /** Joins (again) through one more peer: a lookup of this node's own ID starting from it. */
    public CompletableFuture<List<Contact>> bootstrap(Contact seed) {
        return submit(() -> core.bootstrap(System.nanoTime(), List.of(seed)))
                .thenApply(e -> ((CoreEvent.LookupCompleted) e).closest());
    }

    /**
     * The digest of the records this node holds ({@code io.molia.wal.StoreDigest}): equal to what
     * {@code molia wal replay} prints for this node's WAL once the node stopped.
     */
    public CompletableFuture<String> storeDigest() {
        return onWal(w -> w.storeDigest(core));
    }

    /** Compacts the WAL now (snapshot, fresh queue, covered queues deleted once the snapshot verified). */
    public CompletableFuture<NodeWal.Compaction> compactWal() {
        return onWal(w -> w.compact(core));
    }

    /** Starts {@code work} on the protocol loop, which owns the WAL; fails when this node runs without one. */
    private <T> CompletableFuture<T> onWal(Function<NodeWal, CompletableFuture<T>> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            if (wal == null) {
                f.completeExceptionally(new IllegalStateException("the WAL is disabled on this node"));
                return;
            }
            work.apply(wal).whenComplete((result, e) -> {
                if (e != null) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(result);
                }
            });
        });
        return f;
    }

    /** Routing-table size, sessions, records, inner datagrams in, datagrams dropped in silence (over all shards). */
    public record NodeStatus(int routingTableSize, int sessions, int records, long datagramsIn, long silentDrops) {
    }

    /**
     * Adds figures of a part of the node built around it (the admin server's) to the metrics endpoint, read at each
     * scrape; running the returned action removes them.
     */
    public Runnable addMetrics(Supplier<MetricSnapshots> figures) {
        MultiCollector collector = metrics.register(figures);
        return () -> metrics.unregister(collector);
    }

    /** The port of the Prometheus endpoint (when configured). */
    public int metricsPort() {
        return metrics.port();
    }

    /** Sessions on every shard (the other shards' counts read racily, as a metrics scrape reads them). */
    int sessionCount() {
        int n = sessions.sessionCount();
        for (int shard = 1; shard < servingShards.length; shard++) {
            n += servingShards[shard].sessions().sessionCount();
        }
        return n;
    }

    /** The core's counters plus the serving shards' own answers (theirs read racily, as a metrics scrape does). */
    CoreCounters coreCountersOfAllShards() {
        CoreCounters sum = new CoreCounters();
        sum.add(core.counters());
        for (int shard = 1; shard < servingShards.length; shard++) {
            sum.add(servingShards[shard].responder().counters());
        }
        return sum;
    }

    /** Every shard's session-layer counters, summed (the other shards' read racily). */
    SessionCounters sessionCountersOfAllShards() {
        SessionCounters sum = new SessionCounters();
        sum.add(sessions.counters());
        for (int shard = 1; shard < servingShards.length; shard++) {
            sum.add(servingShards[shard].sessions().counters());
        }
        return sum;
    }

    /** Handovers accepted by every shard's inbox. */
    long handovers() {
        return sumOverInboxes(ShardInbox::accepted);
    }

    /** Handovers dropped because the receiving shard's inbox was full. */
    long handoverDrops() {
        return sumOverInboxes(ShardInbox::dropped);
    }

    private long sumOverInboxes(ToLongFunction<ShardInbox> figure) {
        long n = figure.applyAsLong(inbox);
        for (int shard = 1; shard < servingShards.length; shard++) {
            n += figure.applyAsLong(servingShards[shard].inbox());
        }
        return n;
    }

    /**
     * Runs {@code view} on each shard other than 0, on its own loop, with its session layer; completes with the
     * results in shard order (empty with one shard). For operators' views of sessions, which every shard holds.
     */
    public <T> CompletableFuture<List<T>> onServingShards(Function<SessionManager, T> view) {
        List<CompletableFuture<T>> parts = new ArrayList<>();
        for (int shard = 1; shard < servingShards.length; shard++) {
            SessionManager shardSessions = servingShards[shard].sessions();
            parts.add(CompletableFuture.supplyAsync(() -> view.apply(shardSessions), transport.eventLoop(shard)));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(done -> parts.stream().map(CompletableFuture::join).toList());
    }

    @Override
    public void close() {
        ticker.cancel(false);
        for (int shard = 1; shard < servingShards.length; shard++) {
            servingShards[shard].close();
        }
        transport.close();
        if (wal != null) {
            wal.close();
        }
        metrics.close();
        closeKeyLog();
        LOG.atInfo().addKeyValue("node", self.id().shortHex()).log("node stopped");
    }

    /** The key log at {@code file}, or null for none; a file that cannot be opened stops the start. */
    private static KeyLogFile openKeyLog(java.nio.file.Path file, UdpTransport transport) throws IOException {
        if (file == null) {
            return null;
        }
        try {
            return KeyLogFile.open(file);
        } catch (IOException e) {
            transport.close();
            throw e;
        }
    }

    private void closeKeyLog() {
        if (keyLog != null) {
            keyLog.close();
        }
    }

    /**
     * One shard's figures as the metrics endpoint and the admin view read them, from any thread (racy reads of
     * single-writer fields): shard 0's core and sessions, or a serving shard's own answers and sessions (the
     * routing table, records and operations are shard 0's, so {@code owner} is null there and they read 0).
     */
    private final class ShardFigures implements NodeMetrics.ShardSource {
        private final int shard;
        private final NodeCore owner;
        private final CoreCounters counters;
        private final SessionManager shardSessions;
        private final ShardInbox shardInbox;

        ShardFigures(int shard, NodeCore owner, CoreCounters counters, SessionManager shardSessions,
                ShardInbox shardInbox) {
            this.shard = shard;
            this.owner = owner;
            this.counters = counters;
            this.shardSessions = shardSessions;
            this.shardInbox = shardInbox;
        }

        @Override
        public CoreCounters core() {
            return counters;
        }

        @Override
        public SessionCounters sessions() {
            return shardSessions.counters();
        }

        @Override
        public int routingTableSize() {
            return owner == null ? 0 : owner.routingTable().size();
        }

        @Override
        public int sessionCount() {
            return shardSessions.sessionCount();
        }

        @Override
        public int records() {
            return owner == null ? 0 : owner.records().size();
        }

        @Override
        public long recordBytes() {
            return owner == null ? 0 : owner.records().bytes();
        }

        @Override
        public int pendingRequests() {
            return owner == null ? 0 : owner.pendingRequests();
        }

        @Override
        public int activeOperations() {
            return owner == null ? 0 : owner.activeOperations();
        }

        @Override
        public int handshakesInProgress() {
            return shardSessions.handshakesInProgress();
        }

        @Override
        public long handovers() {
            return shardInbox.accepted();
        }

        @Override
        public long handoverDrops() {
            return shardInbox.dropped();
        }

        @Override
        public long cpuNs() {
            long thread = transport.shardThreadIds()[shard];
            return thread < 0 || !THREAD_CPU.isThreadCpuTimeSupported() || !THREAD_CPU.isThreadCpuTimeEnabled() ? -1
                    : THREAD_CPU.getThreadCpuTime(thread);
        }

        @Override
        public long allocatedBytes() {
            long thread = transport.shardThreadIds()[shard];
            return thread >= 0 && THREAD_CPU instanceof com.sun.management.ThreadMXBean sun
                    && sun.isThreadAllocatedMemorySupported() && sun.isThreadAllocatedMemoryEnabled()
                    ? sun.getThreadAllocatedBytes(thread) : -1;
        }
    }

    // ------------------------------------------------------------------ the protocol loop (shard 0)

    private interface Start {
        long start();
    }

    private CompletableFuture<CoreEvent> submit(Start start) {
        CompletableFuture<CoreEvent> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                long handle = start.start();
                if (handle < 0) {
                    f.completeExceptionally(new IllegalStateException("too many operations in progress"));
                    return;
                }
                waiting.put(handle, f);
                pump();
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private void onDatagram(int shard, InetSocketAddress sender, ByteBuf data) {
        if (!serving) {
            return; // still recovering: nothing may be acknowledged before the journal is in place
        }
        int owner = ShardSteering.ownerOf(data, shard, servingShards.length, SHARD_BITS);
        if (owner != shard) {
            byte[] copy = new byte[data.readableBytes()];
            data.getBytes(data.readerIndex(), copy);
            inboxOf(owner).offer(new Handover.Datagram(sender, copy)); // a full inbox drops, counted
            return;
        }
        if (shard != 0) {
            servingShards[shard].onDatagram(sender, data);
            return;
        }
        int len = Math.min(data.readableBytes(), rx.length);
        data.getBytes(data.readerIndex(), rx, 0, len);
        handle(sender, rx, len);
    }

    private ShardInbox inboxOf(int shard) {
        return shard == 0 ? inbox : servingShards[shard].inbox();
    }

    /** What another shard handed the protocol loop. */
    private void onHandover(Handover h) {
        switch (h) {
            case Handover.Datagram d -> handle(d.sender(), d.data(), d.data().length);
            case Handover.Message m -> {
                long now = System.nanoTime();
                sessionDirectory.note(m.from().id(), m.origin(), now);
                core.onDatagram(now, m.from(), m.data(), 0, m.data().length);
                moveOutput();
            }
            case Handover.Alive a -> {
                long now = System.nanoTime();
                sessionDirectory.note(a.from().id(), a.origin(), now);
                core.onContactedBy(now, a.from());
                publishRouting();
                moveOutput();
            }
            case Handover.Send m -> throw new IllegalStateException("shard 0 was handed a message for " + m.to());
        }
    }

    private void handle(InetSocketAddress sender, byte[] buf, int len) {
        long now = System.nanoTime();
        NodeAddress from = addresses.toNodeAddress(sender);
        if (!bans.isEmpty() && bans.bansAddress(now, from)) {
            bans.onDropped();
            return;
        }
        int status = sessions.onDatagram(now, wallNanos(), from, buf, 0, len);
        if (status == SessionManager.DELIVERED || status == SessionManager.CONFIRMED) {
            SessionManager.Delivery d = sessions.delivery();
            if (!bans.isEmpty() && bans.bansPeer(now, d.from.id())) {
                bans.onDropped();
                moveOutput(); // the session layer's own output (a handshake response) leaves with the read batch
                return;
            }
            if (status == SessionManager.CONFIRMED) {
                core.onContactedBy(now, d.from);
            } else if (d.session == null) {
                core.onUnconfirmedDatagram(now, d.from, d.data, d.offset, d.length); // carried by an initiation
            } else {
                core.onDatagram(now, d.from, d.data, d.offset, d.length);
            }
            publishRouting(); // before the answer is sealed: a peer joining through another shard meanwhile sees it
        }
        moveOutput(); // flushed when the read batch ends
    }

    private void tick() {
        long now = System.nanoTime();
        if (now >= core.nextDeadlineNs()) {
            core.onTimer(now);
        }
        if (now - lastSessionTickNs >= SESSION_TICK_NS) {
            lastSessionTickNs = now;
            sessions.onTimer(now, wallNanos());
            sessionDirectory.sweep(now);
        }
        if (wal != null) {
            wal.onTimer(now, core);
        }
        joining.onTimer(now);
        pump();
    }

    /**
     * Publishes the routing table to the other shards if it changed since the last snapshot. At once, not on a
     * timer: a node answered from a stale snapshot while joining would miss peers until its next bucket refresh.
     * Membership changes are rare once the buckets are full, so this costs little (a healthy peer heard from
     * again is no change).
     */
    private void publishRouting() {
        long changes = core.routingTable().changes();
        if (changes != routingPublishedChanges) {
            routingSnapshot = core.routingTable().snapshot();
            routingPublishedChanges = changes;
        }
    }

    /** {@link #moveOutput}, then sends what it queued on the socket. */
    private void pump() {
        moveOutput();
        transport.flush(0);
    }

    /** Moves the core's datagrams through the session layer to the socket's queue, and its events to the futures. */
    private void moveOutput() {
        long now = System.nanoTime();
        if (wal != null) {
            // --wal-sync batch: this turn's journal entries reach the disk before any of its acks leaves, here or
            // through the shard an answer is handed to.
            wal.beforeTransmit();
        }
        Outbound out;
        while ((out = core.pollTransmit()) != null) {
            NodeId to = out.to().id();
            int elsewhere = sessionDirectory.shardOf(to, now);
            // Shard 0's own session unless another shard heard from the peer since: a peer that restarted talks to
            // that shard on a new session, and the old one here, still "live", holds keys it no longer has.
            int via = sessions.canSendNow(now, to)
                    && (elsewhere < 0 || sessions.lastHeardFromNs(to) >= sessionDirectory.seenNs(to)) ? 0 : elsewhere;
            if (via > 0) {
                // The peer holds its session with another shard: sealed there, not after a second handshake here.
                servingShards[via].inbox().offer(new Handover.Send(out.to(), Arrays.copyOf(out.data(), out.length())));
            } else {
                sessions.send(now, wallNanos(), out.to(), out.data(), 0, out.length());
            }
        }
        sessions.finishResponses(now);
        SessionManager.Transmit t;
        while ((t = sessions.pollTransmit()) != null) {
            transport.write(0, addresses.toInet(t.to()), t.data(), 0, t.length());
        }
        CoreEvent event;
        while ((event = core.pollEvent()) != null) {
            long tookNs = switch (event) {
                case CoreEvent.LookupCompleted l -> l.finishedNs() - l.startedNs();
                case CoreEvent.GetCompleted g -> g.finishedNs() - g.startedNs();
                case CoreEvent.PutCompleted p -> p.finishedNs() - p.startedNs();
                default -> -1;
            };
            if (tookNs >= 0) {
                // Every operation lookups_started counts (refreshes aside): the admin view's percentiles and the
                // Prometheus histogram are taken over the same operations.
                recentLookupNs[(int) (lookupsCompleted++ % RECENT_LOOKUPS)] = tookNs;
                metrics.onOperationCompleted(tookNs / 1e9,
                        event instanceof CoreEvent.LookupCompleted l ? l.hops() : -1);
            }
            if (event instanceof CoreEvent.LookupCompleted done) {
                joining.onLookupCompleted(done);
            }
            CompletableFuture<CoreEvent> f = waiting.remove(event.handle());
            if (f != null) {
                f.complete(event);
            }
            CompletableFuture<Traced> traced = tracedWaiting.remove(event.handle());
            if (traced != null) {
                traced.complete(new Traced(event, core.takeTrace(event.handle())));
            }
        }
        publishRouting();
    }

    static long wallNanos() {
        return System.currentTimeMillis() * 1_000_000L; // only for TAI64N timestamps
    }
}
