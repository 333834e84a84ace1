package io.molia.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.contact.ProofOfWork;
import io.molia.core.CoreConfig;
import io.molia.core.CoreCounters;
import io.molia.core.CoreEvent;
import io.molia.core.NodeCore;
import io.molia.core.PeerScores;
import io.molia.core.PublishedRouting;
import io.molia.core.ShardPartition;
import io.molia.core.WriteTokens;
import io.molia.core.lookup.LookupHop;
import io.molia.crypto.Ed25519Identity;
import io.molia.metrics.NodeMetrics;
import io.molia.nat.DhtRole;
import io.molia.nat.NatTraversal;
import io.molia.relay.Relay;
import io.molia.relay.RelayClient;
import io.molia.relay.RelayLimits;
import io.molia.relay.RelayRoutes;
import io.molia.session.AsnTable;
import io.molia.session.InitiationTimestamps;
import io.molia.session.SessionCounters;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;
import io.molia.shard.BanList;
import io.molia.record.MutableRecord;
import io.molia.record.SignedNodeRecord;
import io.molia.shard.Shard;
import io.molia.contact.NodeAddress;
import io.molia.transport.DatagramIo;
import io.molia.transport.ShardReceiver;
import io.molia.transport.UdpTransport;
import io.molia.wal.DurableShard;
import io.molia.wal.NodeWal;
import io.molia.wal.PrivateFiles;
import io.molia.wal.StoreDigest;
import io.molia.wal.WalClock;
import io.molia.wal.WalState;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Molia node: one sans-I/O {@link Shard} per core, each driven by its own Netty event loop over its own
 * UDP socket bound to the node's port ({@link ShardLoop}, DESIGN §3.2). Every shard holds the sessions whose
 * receiver index it issued, the records of its key partition (journaled in its own {@code wal/shard-N/}) and the
 * lookups started on it, and answers PING and FIND_NODE itself; shard 0 also owns the routing table and publishes
 * it to the others. What belongs to another shard is handed over once through that shard's {@link ShardInbox}.
 * Every method of the public API is safe to call from any thread; operations are spread over the shards.
 */
public final class MoliaNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MoliaNode.class);
    static final int SHARD_BITS = 4;
    /** As many shards as {@link #SHARD_BITS} can name in a receiver index. */
    public static final int MAX_SHARDS = 1 << SHARD_BITS;
    private static final int SESSIONS_PER_SHARD = 65_536;
    /** Whether this process said the kernel capped a receive buffer (it says so once: see warnOnceIfCapped). */
    private static final AtomicBoolean CAPPED_WARNED = new AtomicBoolean();
    private static final java.lang.management.ThreadMXBean THREAD_CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private final Ed25519Identity identity;
    /** The seq of this run's signed node record: wall-clock milliseconds at start, so a restart's record wins. */
    private final long recordSeq = System.currentTimeMillis();
    /** The prefix → AS table of the per-AS rate limit, read once; immutable, shared by the shards. */
    private final AsnTable asnTable;
    private final Contact self;
    /** The replay rule's memory, shared by every shard's session layer (a replay may land on any shard). */
    private final InitiationTimestamps initiationTimestamps;
    final NodeConfig config;
    /** Operator bans: changed on shard 0's loop, read by every shard through the published view. */
    final BanList bans = new BanList();
    /** Bytes of every datagram the shards sent (relay frames too): relaying takes a share of it, metrics show it. */
    final LongAdder egressBytes = new LongAdder();
    final long startedNs = System.nanoTime();
    final long startedUnixMs = System.currentTimeMillis();
    /** CPU time shard 0's loop spent in operator views and changes (written by the loop only; read racily). */
    long operatorLoopNs;
    private final UdpTransport transport;
    /** Where dial-back probes for peers leave from. */
    private final ProbeSockets probeSockets;
    /** The sockets and sprays of birthday punches (a symmetric NAT against a port-restricted one). */
    private final BirthdayPunching birthdays;
    /** The debug key log, or null (off). */
    private final KeyLogFile keyLog;
    private final ShardLoop[] shards;
    /** Where blob puts and gets split, check and rebuild (never a shard's loop). */
    private static final Executor BLOB_WORK = java.util.concurrent.ForkJoinPool.commonPool();
    private final BlobOperations blobs = new BlobOperations(blobNetwork());
    /** The periodic check of the stripes this node holds fragments of; its store is read on shard 0's loop. */
    private final BlobRepairCheck blobRepair = new BlobRepairCheck(new BlobRepair(blobs, blobNetwork()),
            this::blobStore, this::onShard0Loop);
    /** Where the next operation of the API starts: round robin, so a node's own lookups use every core. */
    private final AtomicInteger nextShard = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final NodeMetrics metrics;
    /** Durable state of every shard; null when the WAL is disabled. */
    final NodeWal wal;
    final OperationTimes operationTimes = new OperationTimes();
    /** Each shard's figures (NodeFigures), for the metrics endpoint and the admin view alike. */
    final List<NodeMetrics.ShardSource> shardSources;

    private MoliaNode(NodeConfig config) throws IOException {
        this.config = config;
        boolean keyCreatedNow = !java.nio.file.Files.exists(config.dataDir().resolve(IdentityFile.FILE_NAME));
        // Read before anything binds or writes: a bad table is a one-line error naming its line.
        this.asnTable = config.asnTable() == null ? AsnTable.EMPTY : readAsnTable(config.asnTable());
        this.identity = IdentityFile.loadOrCreate(config.dataDir());
        NodeId id = NodeId.ofPublicKey(identity.publicKey());
        long powStartNs = System.nanoTime();
        long powNonce = IdentityProof.ensure(config.dataDir(), id, config.powBits(), keyCreatedNow);
        if (System.nanoTime() - powStartNs > 1_000_000_000L) {
            LOG.atInfo().addKeyValue("event", "identity.pow_found").addKeyValue("node", id.shortHex())
                    .addKeyValue("bits", config.powBits())
                    .addKeyValue("ms", (System.nanoTime() - powStartNs) / 1_000_000)
                    .log("found the new identity's proof of work");
        }
        List<java.nio.file.Path> narrowed = PrivateFiles.secure(config.dataDir(),
                config.dataDir().resolve(IdentityFile.FILE_NAME));
        if (!narrowed.isEmpty()) {
            LOG.atWarn().addKeyValue("event", "data_dir.narrowed")
                    .addKeyValue("paths", narrowed.size()).addKeyValue("first", narrowed.get(0))
                    .log("the data dir was open to other users: made it private (0700 directories, 0600 files)");
        }
        SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
        this.shards = new ShardLoop[config.shards()];
        ShardReceiver receiver = new ShardReceiver() {
            @Override
            public void onDatagram(int shard, NodeAddress sender, byte[] buf, int off, int len) {
                shards[shard].onDatagram(sender, buf, off, len);
            }

            @Override
            public void onReadBatchEnd(int shard) {
                shards[shard].flush(); // the answers to a whole read batch leave in one sendmmsg
            }
        };
        this.transport = UdpTransport.start(config.listen(), config.shards(), DatagramIo.DIRECT, config.buffers(), receiver);
        InetSocketAddress bound = transport.localAddress();
        this.self = new Contact(id, identity.publicKey(), powNonce, SocketAddresses.toNodeAddress(bound));
        CoreConfig coreConfig = CoreConfig.defaults().withProtocol(config.protocol())
                .withDisjointPaths(config.disjointPaths());
        PeerScores.Config scoreConfig = PeerScores.Config.defaults()
                .withHalfLifeNs(config.scoreHalfLife().toNanos());
        if (bound.getAddress().isLoopbackAddress()) {
            coreConfig = coreConfig.withSubnetLimit(coreConfig.k()); // a devnet: all in 127.0.0.0/24 (::1: ::/48)
            scoreConfig = scoreConfig.withoutSubnetCap();
        }
        this.keyLog = openKeyLog(config.keyLog(), transport);
        this.probeSockets = openProbeSockets(bound, config.natAlternateAddress());
        this.initiationTimestamps = new InitiationTimestamps(InitiationTimestamps.DEFAULT_SLOTS,
                InitiationTimestamps.DEFAULT_WINDOW_NS, random.split());
        List<NodeMetrics.ShardSource> shardViews = new ArrayList<>();
        this.metrics = new NodeMetrics(this::shardFigures, new NodeMetrics.NodeSource() {
            @Override
            public boolean isolated() {
                return Joining.isolated(shards[0].core()); // a racy read of the table's size, as a scrape reads all
            }

            @Override
            public long banDroppedDatagrams() {
                return bans.droppedDatagrams();
            }

            @Override
            public long egressBytes() {
                return egressBytes.sum();
            }

            @Override
            public long operatorLoopNs() {
                return operatorLoopNs;
            }

            @Override
            public NatTraversal nat() {
                return shards[0].core().nat();
            }

            @Override
            public Relay relay() {
                return shards[0].core().relay();
            }

            @Override
            public RelayClient relayClient() {
                return shards[0].core().relayClient();
            }

            @Override
            public io.molia.core.RoutingTable routingTable() {
                return shards[0].core().routingTable();
            }

            @Override
            public io.molia.blob.BlobTransfers blobTransfers() {
                return shards[0].core().blobTransfers();
            }

            @Override
            public int powBits() {
                return config.powBits();
            }
        });
        long now = System.nanoTime();
        long wallTimeOffsetNs = System.currentTimeMillis() * 1_000_000L - now;
        PublishedRouting routing = new PublishedRouting(self.id());
        DhtRole role = new DhtRole();
        RelayRoutes relayRoutes = new RelayRoutes();
        this.birthdays = new BirthdayPunching(bound, relayRoutes.birthdayCounters());
        List<NodeCore> cores = new ArrayList<>();
        List<Executor> loops = new ArrayList<>();
        byte[] tokenSecret = new byte[WriteTokens.Secret.BYTES];
        new SecureRandom().nextBytes(tokenSecret);
        WriteTokens.Secret writeTokenSecret = new WriteTokens.Secret(tokenSecret); // node-wide: any shard checks any's
        for (int index = 0; index < shards.length; index++) {
            NodeCore core = new NodeCore(coreConfig, self, random.split(), now,
                    new ShardPartition(index, shards.length, SHARD_BITS), routing);
            core.reachable(SocketAddresses.reachableFrom(bound));
            core.role(role, probeSockets.hasAlternate());
            core.enableRelayedServers(relayRoutes); // its shards wrap datagrams to circuits in frames
            if (index == 0) {
                core.routingTable().scores(new PeerScores(scoreConfig)); // before the WAL restores scores and peers
                core.routingTable().asnOf(asnTable::asnOf);
                core.enableNat(new NatTraversal(ProbeSockets.localAddresses(bound), random.split(), role, now), now);
                core.enableRelay(config.relayBudgetPercent() == 0 ? null
                        : new Relay(RelayLimits.DEFAULTS.withBudgetPercent(config.relayBudgetPercent()),
                                random.nextLong()), new RelayClient(relayRoutes));
                core.enableBlobs(config.blobStoreBytes());
            }
            core.recordsConfig(config.records());
            core.provideSigner(identity); // its announcements let holders hand its provider entries over
            core.wallTimeOffset(wallTimeOffsetNs);
            core.proofOfWork(new ProofOfWork(config.powBits())); // before the WAL's peer store is restored
            core.writeTokenSecret(writeTokenSecret);
            Shard shard = new Shard(core, newSessionManager(index, random.split()), bans::view);
            shard.relaying(relayRoutes, egressBytes);
            shards[index] = new ShardLoop(shard, transport, probeSockets, birthdays, operationTimes, metrics);
            shardViews.add(new ShardFigures(shards[index]));
            cores.add(core);
            loops.add(shards[index].loop());
        }
        this.shardSources = List.copyOf(shardViews);
        this.wal = openWal(config, cores, loops, now);
        if (wal != null) {
            restoreBans(wal.shard(0), now);
        }
        List<Contact> bootstrapPeers = new ArrayList<>();
        for (MoliaAddress a : config.bootstrap()) {
            bootstrapPeers.add(a.toContact());
        }
        birthdays.start(shards);
        for (int index = 0; index < shards.length; index++) {
            ShardLoop s = shards[index];
            s.wire(shards, wal == null ? null : wal.shard(index),
                    index == 0 ? new Joining(s.core(), () -> s.shard().afterCommand(System.nanoTime(),
                            ShardLoop.wallNanos()), bootstrapPeers) : null);
        }
        if (wal != null) {
            metrics.register(wal::metrics);
        }
        metrics.register(() -> NodeMetrics.sockets(transport.sockets()));
        metrics.register(() -> new io.prometheus.metrics.model.snapshots.MetricSnapshots(
                io.molia.metrics.Figure.snapshots(BlobRepairCheck.FIGURES, List.of(blobRepair), false)));
        // Ends with the loop when the node closes.
        shards[0].loop().scheduleWithFixedDelay(blobRepair::tick, BlobRepairCheck.INTERVAL_NS,
                BlobRepairCheck.INTERVAL_NS, TimeUnit.NANOSECONDS);
        if (config.metrics() != null) {
            metrics.serve(config.metrics());
        }
        // Through the bootstrap peers and the peers the WAL restored: a restarted node rejoins without --bootstrap.
        List<java.util.concurrent.Future<?>> serving = new ArrayList<>();
        for (ShardLoop s : shards) {
            serving.add(s.serve());
        }
        for (java.util.concurrent.Future<?> started : serving) {
            awaitStarted(started);
        }
        int receiveBufferBytes = transport.sockets().get(0).receiveBufferBytes();
        warnOnceIfCapped(config.buffers().receiveBytes(), receiveBufferBytes);
        // Logs name the node by its short ID and the port only: no keys, no peer addresses (DESIGN §3.8).
        LOG.atInfo().addKeyValue("event", "node.started")
                .addKeyValue("node", self.id().shortHex()).addKeyValue("port", bound.getPort())
                .addKeyValue("shards", config.shards()).addKeyValue("transport", transport.isEpoll() ? "epoll" : "nio")
                .addKeyValue("metrics_port", config.metrics() == null ? -1 : metrics.port())
                .addKeyValue("receive_buffer_bytes", receiveBufferBytes)
                .addKeyValue("bootstrap_peers", config.bootstrap().size()).log("node started");
        if (keyLog != null) {
            LOG.atWarn().addKeyValue("event", "keylog.on")
                    .addKeyValue("node", self.id().shortHex()).addKeyValue("file", keyLog.path())
                    .log("key log on: every session key is written to the file; whoever reads it decrypts this node's "
                            + "traffic (debug only)");
        }
    }

    /** Waits for a shard's first turn; a node that cannot start its loops is not returned to the caller. */
    private void awaitStarted(java.util.concurrent.Future<?> started) throws IOException {
        try {
            started.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while the shards started", e);
        } catch (java.util.concurrent.ExecutionException e) {
            close();
            throw new IOException("a shard failed to start: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Puts the bans the WAL kept back in force, then journals every later ban and unban to shard 0's WAL (shard 0's
     * loop changes the bans), and lets its compaction keep those in force.
     */
    private void restoreBans(DurableShard owner, long nowNs) {
        WalClock clock = owner.clock();
        for (WalState.Ban b : owner.bansRecovered()) {
            long expiresNs = clock.toMonoNs(b.expiresWallMs());
            if (expiresNs <= nowNs) {
                continue; // expired while the node was down
            }
            if (b.peer() != null) {
                bans.banPeer(b.peer(), expiresNs);
            } else {
                bans.banSubnet(b.subnetKey(), expiresNs);
            }
        }
        bans.journal(owner.journal());
        owner.banSource(() -> bans.inForce(System.nanoTime()).stream()
                .map(e -> new WalState.Ban(e.peer(), e.subnetKey(), clock.toWallMs(e.expiresNs()))).toList());
    }

    /** Recovers every shard's WAL on its own loop; a failure closes what was opened and stops the start. */
    private NodeWal openWal(NodeConfig config, List<NodeCore> cores, List<Executor> loops, long now)
            throws IOException {
        if (!config.wal().enabled()) {
            return null;
        }
        try {
            return NodeWal.open(config.dataDir(), config.wal(), cores, loops, now);
        } catch (IOException | RuntimeException e) {
            transport.close();
            closeKeyLog();
            closeProbeSockets();
            closeBirthdays();
            throw e; // e.g. the data dir is held by another node: its one-line message as it is
        }
    }

    /**
     * Says once per process (a devnet runs many nodes in one) that the kernel capped the receive buffer: bursts
     * beyond it are dropped by the kernel ({@code molia_kernel_receive_drops}). Linux grants twice what is asked
     * when it can, so less than asked means capped.
     */
    private static void warnOnceIfCapped(int askedBytes, int grantedBytes) {
        if (grantedBytes < askedBytes && !CAPPED_WARNED.getAndSet(true)) {
            LOG.atWarn().addKeyValue("event", "socket.receive_buffer_capped")
                    .addKeyValue("asked_bytes", askedBytes).addKeyValue("granted_bytes", grantedBytes)
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
        manager.setAsnTable(asnTable);
        if (keyLog != null) {
            manager.setKeyLog(keyLog.writer()); // shared by the shards: each session's block is one write
        }
        return manager;
    }

    /** The prefix → AS table at {@code file}; a missing file or a bad line is one line naming it. */
    private static AsnTable readAsnTable(java.nio.file.Path file) throws IOException {
        try {
            // ISO-8859-1: the columns read are ASCII, and no AS description can make the read fail
            return AsnTable.parse(java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.ISO_8859_1),
                    file.toString());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("no such ASN table: " + file);
        }
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

    ShardLoop shard0() {
        return shards[0];
    }

    /** The shard the next operation starts on. */
    private ShardLoop anyShard() {
        return shards[Math.floorMod(nextShard.getAndIncrement(), shards.length)];
    }

    /** The k closest peers to {@code target} that answered. */
    public CompletableFuture<List<Contact>> lookup(NodeId target) {
        return anyShard().submit(core -> core.startLookup(System.nanoTime(), target))
                .thenApply(e -> ((CoreEvent.LookupCompleted) e).closest());
    }

    /** Stores an immutable value on the k closest peers; completes with its key (BLAKE3 of the value). */
    public CompletableFuture<CoreEvent.PutCompleted> put(byte[] value, long ttlSeconds) {
        return anyShard().submit(core -> core.startPut(System.nanoTime(), value, TimeUnit.SECONDS.toNanos(ttlSeconds)))
                .thenApply(e -> (CoreEvent.PutCompleted) e);
    }

    /**
     * Finds the value stored under {@code key}, on the shard that would hold it here (so a record this node holds
     * is found at once); completes with null when no peer has it.
     */
    public CompletableFuture<byte[]> get(NodeId key) {
        return shards[shards[0].core().partition().ownerOfKey(key)].submit(core -> core.startGet(System.nanoTime(),
                key)).thenApply(e -> ((CoreEvent.GetCompleted) e).value());
    }

    /**
     * Stores {@code blob} (1 B to 256 MiB) erasure-coded on the network (docs/blobs.md); completes with its manifest
     * key once every fragment and the manifest were acknowledged by their holders.
     */
    public CompletableFuture<NodeId> putBlob(byte[] blob) {
        return putBlob(blob, (done, total) -> { });
    }

    /** As {@link #putBlob(byte[])}, telling {@code progress} of each fragment placed. */
    public CompletableFuture<NodeId> putBlob(byte[] blob, BlobProgress progress) {
        return CompletableFuture.supplyAsync(() -> blobs.put(blob, progress), BLOB_WORK).thenCompose(f -> f);
    }

    private io.molia.blob.BlobStore blobStore() {
        return shards[0].core().blobTransfers().store();
    }

    private void onShard0Loop(Runnable r) {
        shards[0].loop().execute(r);
    }

    /** The periodic repair of the stripes this node holds fragments of (docs/blobs.md "Repair"). */
    public BlobRepairCheck blobRepair() {
        return blobRepair;
    }

    /** The blob under manifest key {@code key}, checked against it; null when no node holds its manifest. */
    public CompletableFuture<byte[]> getBlob(NodeId key) {
        return getBlob(key, (done, total) -> { });
    }

    /** As {@link #getBlob(NodeId)}, telling {@code progress} of each fragment fetched (of the 10 per stripe needed). */
    public CompletableFuture<byte[]> getBlob(NodeId key, BlobProgress progress) {
        return blobs.get(key, progress);
    }

    /**
     * Blob operations on shard 0, which runs the node's transfers; each answer moves to {@link #BLOB_WORK} so that
     * checking and rebuilding fragments never runs on the loop.
     */
    private BlobOperations.Network blobNetwork() {
        return new BlobOperations.Network() {
            @Override
            public Contact self() {
                return self;
            }

            @Override
            public CompletableFuture<List<Contact>> lookup(NodeId key) {
                return shards[0].submit(core -> core.startLookup(System.nanoTime(), key))
                        .thenApplyAsync(e -> ((CoreEvent.LookupCompleted) e).closest(), BLOB_WORK);
            }

            @Override
            public CompletableFuture<Boolean> push(Contact to, byte[] object) {
                return shards[0].submit(core -> core.startBlobPush(System.nanoTime(), to, object))
                        .thenApplyAsync(e -> ((CoreEvent.BlobPushCompleted) e).delivered(), BLOB_WORK);
            }

            @Override
            public CompletableFuture<byte[]> fetch(Contact from, NodeId key) {
                if (from.id().equals(self.id())) {
                    return CompletableFuture.supplyAsync(() -> shards[0].core().blobTransfers().store().get(key),
                            shards[0].loop()).thenApplyAsync(object -> object, BLOB_WORK);
                }
                return shards[0].submit(core -> core.startBlobFetch(System.nanoTime(), from, key))
                        .thenApplyAsync(e -> ((CoreEvent.BlobFetchCompleted) e).object(), BLOB_WORK);
            }

            @Override
            public CompletableFuture<BlobOperations.Held> probe(Contact to, NodeId key) {
                if (to.id().equals(self.id())) {
                    return CompletableFuture.supplyAsync(() -> {
                        io.molia.blob.BlobTransfers t = shards[0].core().blobTransfers();
                        byte[] object = t.store().get(key);
                        return object == null ? null : new BlobOperations.Held(
                                io.molia.blob.BlobTransfers.heldHash(object, key.toBytes(), 0),
                                t.checkedAgeS(key, System.nanoTime()));
                    }, shards[0].loop()).thenApplyAsync(held -> held, BLOB_WORK);
                }
                return shards[0].submit(core -> core.startBlobProbe(System.nanoTime(), to, key))
                        .thenApplyAsync(e -> {
                            CoreEvent.BlobProbeCompleted p = (CoreEvent.BlobProbeCompleted) e;
                            return p.hash() == null ? null : new BlobOperations.Held(p.hash(), p.checkedAgeS());
                        }, BLOB_WORK);
            }

            @Override
            public void stripeChecked(NodeId fragmentKey, boolean whole) {
                shards[0].loop().execute(() -> shards[0].core().blobTransfers().onStripeChecked(fragmentKey, whole,
                        System.nanoTime()));
            }
        };
    }

    /**
     * Announces on the k closest to {@code key} that this node provides it, with its signed node record (its
     * address, signed with its identity); re-announced every provider republish interval while the node runs.
     */
    public CompletableFuture<CoreEvent.RecordWriteCompleted> provide(NodeId key) {
        SignedNodeRecord record = SignedNodeRecord.sign(identity, List.of(self.address()), recordSeq,
                config.protocol().features());
        return keyShard(key).submit(core -> core.startProvide(System.nanoTime(), key, record))
                .thenApply(e -> (CoreEvent.RecordWriteCompleted) e);
    }

    /**
     * The providers of {@code key} found on the network (each record's signature checked), possibly none: up to 20,
     * collected until a bounded wait after the first one found, or the lookup's end.
     */
    public CompletableFuture<List<SignedNodeRecord>> findProviders(NodeId key) {
        return keyShard(key).submit(core -> core.startFindProviders(System.nanoTime(), key))
                .thenApply(e -> ((CoreEvent.ProvidersFound) e).providers());
    }

    /**
     * Like {@link #findProviders(NodeId)}, but completes as soon as {@code count} valid providers are found: a
     * caller that needs one source gets it without waiting for more.
     */
    public CompletableFuture<List<SignedNodeRecord>> findProviders(NodeId key, int count) {
        return keyShard(key).submit(core -> core.startFindProviders(System.nanoTime(), key, count))
                .thenApply(e -> ((CoreEvent.ProvidersFound) e).providers());
    }

    /**
     * Signs {@code value} as version {@code seq} of this node's mutable record under {@code salt} and stores it on
     * the k closest to its key; {@code cas} >= 0 asks each of them for compare-and-swap against the seq it holds.
     */
    public CompletableFuture<CoreEvent.RecordWriteCompleted> putMutable(byte[] salt, long seq, byte[] value, long cas) {
        return putMutable(MutableRecord.sign(identity, salt, seq, value), cas);
    }

    /** Stores a mutable record signed elsewhere (an application's own key) on the k closest to its key. */
    public CompletableFuture<CoreEvent.RecordWriteCompleted> putMutable(MutableRecord record, long cas) {
        return keyShard(record.key()).submit(core -> core.startPutMutable(System.nanoTime(), record, cas))
                .thenApply(e -> (CoreEvent.RecordWriteCompleted) e);
    }

    /** The key of this node's mutable record under {@code salt}: BLAKE3(its public key ‖ salt). */
    public NodeId mutableKey(byte[] salt) {
        return MutableRecord.keyOf(identity.publicKey(), salt);
    }

    /** The highest valid seq of the mutable record under {@code key}, or null when no peer has it. */
    public CompletableFuture<MutableRecord> getMutable(NodeId key) {
        return keyShard(key).submit(core -> core.startGetMutable(System.nanoTime(), key))
                .thenApply(e -> ((CoreEvent.MutableGetCompleted) e).record());
    }

    /** The shard that holds {@code key} here: a record this node holds itself is seen by its own reads. */
    private ShardLoop keyShard(NodeId key) {
        return shards[shards[0].core().partition().ownerOfKey(key)];
    }

    /** A snapshot of simple figures: the routing table's size read on its owner's loop, the rest summed racily. */
    public CompletableFuture<NodeStatus> status() {
        return onLoop(s -> new NodeStatus(s.core().routingTable().size(), sessionCount(), recordCount(),
                coreCountersOfAllShards().datagramsIn, sessionCountersOfAllShards().silentDrops()));
    }

    /**
     * Runs {@code view} on shard 0's loop (the routing table's owner) with the node's state and completes with its
     * result: how operator views are taken (a consistent snapshot without locks, between two packets) and how
     * operator changes (evict, ban) are made. The function must copy what it returns and must not block. The other
     * shards' records and sessions: {@link #onEveryShard}.
     */
    public <T> CompletableFuture<T> onLoop(Function<NodeState, T> view) {
        CompletableFuture<T> f = new CompletableFuture<>();
        shards[0].loop().execute(() -> {
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

    /**
     * Runs {@code view} on every shard, each on its own loop with its own core (records) and session layer;
     * completes with the results in shard order. The function must copy what it returns and must not block.
     */
    public <T> CompletableFuture<List<T>> onEveryShard(Function<ShardView, T> view) {
        List<CompletableFuture<T>> parts = new ArrayList<>();
        for (ShardLoop s : shards) {
            DurableShard durable = wal == null ? null : wal.shard(s.shard().index());
            parts.add(CompletableFuture.supplyAsync(() -> view.apply(new ShardView(s.shard(), durable,
                    System.nanoTime())), s.loop()));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(done -> parts.stream().map(CompletableFuture::join).toList());
    }

    int powBits() {
        return config.powBits();
    }

    boolean hasAsnTable() {
        return asnTable != AsnTable.EMPTY;
    }

    /** Pings {@code peer}: completes with the round trip in nanoseconds, or -1 when it did not answer. */
    public CompletableFuture<Long> ping(Contact peer) {
        return anyShard().submit(core -> core.ping(System.nanoTime(), peer))
                .thenApply(e -> ((CoreEvent.PingCompleted) e).rttNs());
    }

    /**
     * Reaches {@code peer} (docs/nat.md, "Connecting to a peer"): straight at its address, or with {@code via} (the
     * relay it holds a reservation at; null: none) through a new circuit there, then punching.
     */
    public CompletableFuture<PeerConnector.Connection> connect(Contact peer, Contact via) {
        PeerConnector connector = new PeerConnector(this, shards);
        return via == null ? connector.direct(peer) : connector.viaRelay(via, peer);
    }

    /** A lookup (or a FIND_VALUE) that records every hop, for an operator's {@code trace}. */
    public CompletableFuture<Traced> tracedLookup(NodeId target, boolean findValue) {
        return anyShard().submitTraced(core -> core.startTracedLookup(System.nanoTime(), target, findValue));
    }

    /** A traced operation's end: its event (LookupCompleted or GetCompleted) and its hops in order. */
    public record Traced(CoreEvent event, List<LookupHop> hops) {
    }

    /** Joins (again) through one more peer: a lookup of this node's own ID starting from it, on shard 0. */
    public CompletableFuture<List<Contact>> bootstrap(Contact seed) {
        return shards[0].submit(core -> core.bootstrap(System.nanoTime(), List.of(seed)))
                .thenApply(e -> ((CoreEvent.LookupCompleted) e).closest());
    }

    /**
     * The digest of every record this node holds, over all shards ({@link StoreDigest}): equal to the digest of
     * every shard's records that {@code molia wal replay} rebuilds from this node's WAL once the node stopped.
     */
    public CompletableFuture<String> storeDigest() {
        return requireWal().thenCompose(w -> onEveryShard(s -> s.durable().recordsForDigest(s.core())))
                .thenApplyAsync(MoliaNode::digestOf);
    }

    /** Compacts every shard's WAL now (snapshot, fresh queue, covered queues deleted once the snapshot verified). */
    public CompletableFuture<List<DurableShard.Compaction>> compactWal() {
        return requireWal().thenCompose(w -> onEveryShard(s -> s.durable().compact(s.core())))
                .thenCompose(started -> CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
                        .thenApply(done -> started.stream().map(CompletableFuture::join).toList()));
    }

    private CompletableFuture<NodeWal> requireWal() {
        return wal == null ? CompletableFuture.failedFuture(new IllegalStateException("the WAL is disabled on this "
                + "node")) : CompletableFuture.completedFuture(wal);
    }

    /** The digest of the records of several shards together (keys never repeat across shards). */
    static String digestOf(List<WalState> parts) {
        WalState all = new WalState();
        for (WalState part : parts) {
            part.records().forEach(all::putRecord);
        }
        return StoreDigest.of(all);
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

    private List<NodeMetrics.ShardSource> shardFigures() {
        return shardSources;
    }

    /** Sessions on every shard (the other shards' counts read racily, as a metrics scrape reads them). */
    int sessionCount() {
        return (int) sumOverShards(s -> s.shard().sessions().sessionCount());
    }

    /** Records on every shard (read racily, as a metrics scrape reads them). */
    int recordCount() {
        return (int) sumOverShards(s -> s.core().records().size());
    }

    /** Every shard's core counters, summed (read racily, as a metrics scrape does). */
    CoreCounters coreCountersOfAllShards() {
        CoreCounters sum = new CoreCounters();
        for (ShardLoop s : shards) {
            sum.add(s.core().counters());
        }
        return sum;
    }

    /** Every shard's session-layer counters, summed (read racily). */
    SessionCounters sessionCountersOfAllShards() {
        SessionCounters sum = new SessionCounters();
        for (ShardLoop s : shards) {
            sum.add(s.shard().sessions().counters());
        }
        return sum;
    }

    /** Handovers accepted by every shard's inbox. */
    long handovers() {
        return sumOverShards(s -> s.inbox().accepted());
    }

    /** Handovers dropped because the receiving shard's inbox was full. */
    long handoverDrops() {
        return sumOverShards(s -> s.inbox().dropped());
    }

    private long sumOverShards(ToLongFunction<ShardLoop> figure) {
        long n = 0;
        for (ShardLoop s : shards) {
            n += figure.applyAsLong(s);
        }
        return n;
    }

    /** The durations (ns) of the last completed lookups, gets and puts over every shard (a copy). */
    long[] recentOperationNs() {
        return operationTimes.recent();
    }

    /** Stops the node; a second call (a shutdown hook after an explicit close) does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (ShardLoop s : shards) {
            s.close();
        }
        transport.close();
        closeProbeSockets();
        closeBirthdays();
        if (wal != null) {
            wal.close();
        }
        metrics.close();
        closeKeyLog();
        LOG.atInfo().addKeyValue("event", "node.stopped").addKeyValue("node", self.id().shortHex()).log("node stopped");
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

    private ProbeSockets openProbeSockets(InetSocketAddress bound, java.net.InetAddress alternate)
            throws IOException {
        try {
            return new ProbeSockets(bound, alternate);
        } catch (IOException e) {
            transport.close();
            closeKeyLog();
            throw e;
        }
    }

    private void closeProbeSockets() {
        try {
            probeSockets.close();
        } catch (IOException e) {
            LOG.atDebug().addKeyValue("event", "nat.probe_sockets_close_failed").addKeyValue("error", e.getMessage())
                    .log("closing the NAT probe sockets failed");
        }
    }

    private void closeBirthdays() {
        try {
            birthdays.close();
        } catch (IOException e) {
            LOG.atDebug().addKeyValue("event", "nat.birthday_close_failed").addKeyValue("error", e.getMessage())
                    .log("closing the birthday punch sockets failed");
        }
    }

    private void closeKeyLog() {
        if (keyLog != null) {
            keyLog.close();
        }
    }

    /**
     * One shard's figures as the metrics endpoint and the admin view read them, from any thread (racy reads of
     * single-writer fields). The routing table is shard 0's: the others report 0 for it.
     */
    private final class ShardFigures implements NodeMetrics.ShardSource {
        private final ShardLoop loop;
        private final int index;

        ShardFigures(ShardLoop loop) {
            this.loop = loop;
            this.index = loop.shard().index();
        }

        @Override
        public CoreCounters core() {
            return loop.core().counters();
        }

        @Override
        public SessionCounters sessions() {
            return loop.shard().sessions().counters();
        }

        @Override
        public int routingTableSize() {
            return loop.core().ownsRoutingTable() ? loop.core().routingTable().size() : 0;
        }

        @Override
        public int sessionCount() {
            return loop.shard().sessions().sessionCount();
        }

        @Override
        public int records() {
            return loop.core().records().size();
        }

        @Override
        public long recordBytes() {
            return loop.core().records().bytes();
        }

        @Override
        public io.molia.core.store.RecordRequests recordRequests() {
            return loop.core().recordRequests();
        }

        @Override
        public int pendingRequests() {
            return loop.core().pendingRequests();
        }

        @Override
        public int activeOperations() {
            return loop.core().activeOperations();
        }

        @Override
        public int handshakesInProgress() {
            return loop.shard().sessions().handshakesInProgress();
        }

        @Override
        public long handovers() {
            return loop.inbox().accepted();
        }

        @Override
        public long handoverDrops() {
            return loop.inbox().dropped();
        }

        @Override
        public long cpuNs() {
            long thread = transport.shardThreadIds()[index];
            return thread < 0 || !THREAD_CPU.isThreadCpuTimeSupported() || !THREAD_CPU.isThreadCpuTimeEnabled() ? -1
                    : THREAD_CPU.getThreadCpuTime(thread);
        }

        @Override
        public long allocatedBytes() {
            long thread = transport.shardThreadIds()[index];
            return thread >= 0 && THREAD_CPU instanceof com.sun.management.ThreadMXBean sun
                    && sun.isThreadAllocatedMemorySupported() && sun.isThreadAllocatedMemoryEnabled()
                    ? sun.getThreadAllocatedBytes(thread) : -1;
        }
    }
}
