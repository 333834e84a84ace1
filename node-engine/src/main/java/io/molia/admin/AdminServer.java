package io.molia.admin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.google.protobuf.ByteString;
import io.molia.admin.proto.ActionDone;
import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.Error;
import io.molia.admin.proto.ErrorsView;
import io.molia.admin.proto.GetResult;
import io.molia.admin.proto.LogEvent;
import io.molia.admin.proto.LogLevelsView;
import io.molia.admin.proto.LoggerLevel;
import io.molia.admin.proto.LookupContact;
import io.molia.admin.proto.LookupResult;
import io.molia.admin.proto.MetricsView;
import io.molia.admin.proto.PingResult;
import io.molia.admin.proto.PutResult;
import io.molia.admin.proto.WalView;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.core.lookup.LookupHop;
import io.molia.metrics.Figure;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.node.SocketAddresses;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's admin socket (DESIGN §3.10): a Unix domain socket {@code admin.sock} in the data dir, mode 0600,
 * serving only clients of the node's own user (or root), checked by the peer credentials of each connection.
 * No TCP listener exists.
 *
 * <p>Threads: one acceptor, and per connection a reader and a writer (at most {@link Options#maxConnections}
 * connections); views and actions run on the node's protocol loop through {@link MoliaNode#onLoop} and the
 * node's futures, so the admin socket never locks or pauses a shard and adds nothing to the packet path.
 * Subscriptions are ticked by one scheduler thread. Every answer goes through a bounded per-connection queue: a
 * client that does not read (a slow subscriber) is disconnected, never buffered without bound.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final long ACTION_TIMEOUT_S = 60;

    /**
     * How to serve.
     *
     * @param socket           the socket file (normally {@code <data dir>/admin.sock})
     * @param logControl       the logging backend, or null (log views and actions then answer "not available")
     * @param shutdown         what a shutdown request runs (after its answer is written), or null to refuse it
     * @param maxConnections   connections at once; more are closed at accept
     * @param maxInFlight      requests of one connection being served at once; more are answered BUSY
     * @param maxSubscriptions subscriptions per connection
     * @param queueFrames      answers waiting to be written per connection before it counts as too slow
     * @param tcp              a TCP address to serve as well (loopback unless the operator says otherwise), or
     *                         null for none (the default): only with a token
     * @param token            the secret every TCP client's first request must carry (at least 16 bytes)
     */
    public record Options(Path socket, LogControl logControl, Runnable shutdown, int maxConnections,
            int maxInFlight, int maxSubscriptions, int queueFrames, InetSocketAddress tcp, byte[] token) {
        public Options {
            if (tcp != null && (token == null || token.length < 16)) {
                throw new IllegalArgumentException("a TCP admin listener needs a token of at least 16 bytes");
            }
        }

        public Options(Path socket, LogControl logControl, Runnable shutdown, int maxConnections, int maxInFlight,
                int maxSubscriptions, int queueFrames) {
            this(socket, logControl, shutdown, maxConnections, maxInFlight, maxSubscriptions, queueFrames, null,
                    null);
        }

        public static Options defaults(Path dataDir, LogControl logControl, Runnable shutdown) {
            // 16 subscriptions: the dashboard watches nine views on one connection.
            return new Options(dataDir.resolve(AdminProtocol.SOCKET_FILE), logControl, shutdown, 16, 8, 16, 64);
        }

        /** The same, also serving {@code tcp} to clients that present {@code token}. */
        public Options withTcp(InetSocketAddress tcpAddress, byte[] secret) {
            return new Options(socket, logControl, shutdown, maxConnections, maxInFlight, maxSubscriptions,
                    queueFrames, tcpAddress, secret.clone());
        }
    }

    private final MoliaNode node;
    private final Options options;
    private final ServerSocketChannel server;
    private final ServerSocketChannel tcpServer;
    private final UserPrincipal owner;
    private final Thread acceptor;
    private final ScheduledExecutorService streams;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger connectionIds = new AtomicInteger();
    final AtomicLong refusedCredentials = new AtomicLong();
    final AtomicLong refusedTokens = new AtomicLong();
    final AtomicLong refusedConnections = new AtomicLong();
    final AtomicLong malformedRequests = new AtomicLong();
    final AtomicLong slowClientsDropped = new AtomicLong();
    final AtomicLong requestsServed = new AtomicLong();
    private final Set<Thread> adminThreads = ConcurrentHashMap.newKeySet();
    private final AtomicLong endedThreadsCpuNs = new AtomicLong();
    /** Keys of the values put through this socket, the newest 1024: a prefix of one names it in get and lookup. */
    private final Map<NodeId, Boolean> keysPut = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<NodeId, Boolean> eldest) {
                    return size() > 1024;
                }
            });

    /** The admin server's own figures, in its {@code metrics} view and on the node's Prometheus endpoint alike. */
    static final List<Figure<AdminServer>> FIGURES = List.of(
            Figure.nanosCounter("admin_threads_cpu_ns", "CPU time of the admin socket's own threads",
                    AdminServer::adminThreadsCpuNs),
            Figure.gauge("admin_connections", "Open admin connections", a -> a.connections.size()),
            Figure.counter("admin_refused_credentials", "Admin connections refused: another user",
                    a -> a.refusedCredentials.get()),
            Figure.counter("admin_refused_tokens", "Admin TCP clients refused: a wrong token",
                    a -> a.refusedTokens.get()),
            Figure.counter("admin_refused_connections", "Admin connections refused: too many open",
                    a -> a.refusedConnections.get()),
            Figure.counter("admin_malformed_requests", "Admin frames that were not a request",
                    a -> a.malformedRequests.get()),
            Figure.counter("admin_slow_clients_dropped", "Admin clients disconnected for not reading their answers",
                    a -> a.slowClientsDropped.get()),
            Figure.counter("admin_requests_served", "Admin requests answered", a -> a.requestsServed.get()));
    /** Removes {@link #FIGURES} from the node's metrics endpoint. */
    private final Runnable removeMetrics;

    private AdminServer(MoliaNode node, Options options) throws IOException {
        this.node = node;
        this.options = options;
        this.owner = Files.getOwner(Path.of("/proc/self"));
        this.server = bind(options.socket());
        this.streams = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "molia-admin-streams");
            t.setDaemon(true);
            adminThreads.add(t);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "molia-admin-accept");
        acceptor.setDaemon(true);
        adminThreads.add(acceptor);
        acceptor.start();
        if (options.tcp() != null) {
            this.tcpServer = ServerSocketChannel.open();
            try {
                tcpServer.bind(options.tcp(), 64);
            } catch (java.net.BindException e) {
                tcpServer.close();
                throw new IOException("--admin-tcp: TCP port " + options.tcp().getPort() + " on "
                        + options.tcp().getAddress().getHostAddress() + " is in use", e);
            }
            Thread tcpAcceptor = new Thread(this::tcpAcceptLoop, "molia-admin-accept-tcp");
            tcpAcceptor.setDaemon(true);
            adminThreads.add(tcpAcceptor);
            tcpAcceptor.start();
            LOG.atWarn().addKeyValue("event", "admin.tcp_listening").addKeyValue("address", tcpServer.getLocalAddress())
                    .log("admin API also on TCP (token required)");
        } else {
            this.tcpServer = null;
        }
        this.removeMetrics = node.addMetrics(() -> new MetricSnapshots(Figure.snapshots(FIGURES, List.of(this),
                false)));
        LOG.atInfo().addKeyValue("event", "admin.listening")
                .addKeyValue("node", node.self().id().shortHex()).addKeyValue("socket", options.socket())
                .log("admin socket listening");
    }

    /** Creates {@code admin.sock} (mode 0600) and serves it until {@link #close}. */
    public static AdminServer start(MoliaNode node, Options options) throws IOException {
        return new AdminServer(node, options);
    }

    public Path socket() {
        return options.socket();
    }

    /**
     * Binds in a fresh directory of mode 0700, sets the socket's mode to 0600, then renames it into place: nobody
     * else can ever reach the socket while its mode is still the umask's. A socket file left by a dead node is
     * replaced; a live one (it accepts a connection) means another node uses this data dir.
     */
    private static ServerSocketChannel bind(Path socket) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        io.molia.wal.PrivateFiles.createDirectories(dir);
        if (Files.exists(socket)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                throw new IOException("another node serves " + socket + ": one data dir per node");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("another node")) {
                    throw e;
                }
                Files.deleteIfExists(socket); // a dead node's socket
            }
        }
        Path staging = Files.createTempDirectory(dir, ".admin-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path staged = staging.resolve(AdminProtocol.SOCKET_FILE);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(staged), 64);
            Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-------"));
            Files.move(staged, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            ch.close();
            throw e;
        } finally {
            Files.deleteIfExists(staged);
            Files.deleteIfExists(staging);
        }
        return ch;
    }

    private void acceptLoop() {
        while (!closed.get()) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    LOG.atWarn().addKeyValue("event", "admin.accept_failed")
                            .addKeyValue("error", e.toString()).log("admin socket accept failed");
                }
                return;
            }
            try {
                UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
                if (!allowed(peer)) {
                    refusedCredentials.incrementAndGet();
                    LOG.atWarn().addKeyValue("event", "admin.connection_refused")
                            .addKeyValue("user", peer.user().getName())
                            .log("admin connection refused: not the node's user nor root");
                    ch.close();
                    continue;
                }
                if (connections.size() >= options.maxConnections()) {
                    refusedConnections.incrementAndGet();
                    ch.close();
                    continue;
                }
                Connection c = new Connection(ch, connectionIds.incrementAndGet());
                connections.add(c);
                c.start();
            } catch (IOException | RuntimeException e) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing a refused connection
                }
            }
        }
    }

    /** The TCP address served (its port when 0 was asked), or null without a TCP listener. */
    public InetSocketAddress tcpAddress() throws IOException {
        return tcpServer == null ? null : (InetSocketAddress) tcpServer.getLocalAddress();
    }

    /** TCP clients have no peer credentials: their first request must carry the token (checked in onRequest). */
    private void tcpAcceptLoop() {
        while (!closed.get()) {
            SocketChannel ch;
            try {
                ch = tcpServer.accept();
            } catch (IOException e) {
                return;
            }
            if (connections.size() >= options.maxConnections()) {
                refusedConnections.incrementAndGet();
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // refused
                }
                continue;
            }
            Connection c = new Connection(ch, connectionIds.incrementAndGet());
            c.authenticated = false;
            connections.add(c);
            c.start();
        }
    }

    private boolean allowed(UnixDomainPrincipal peer) {
        UserPrincipal user = peer.user();
        return user.equals(owner) || user.getName().equals(owner.getName()) || user.getName().equals("root");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        removeMetrics.run();
        try {
            server.close();
            if (tcpServer != null) {
                tcpServer.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Connection c : connections) {
            c.close();
        }
        streams.shutdownNow();
        try {
            Files.deleteIfExists(options.socket());
        } catch (IOException ignored) {
            // the next start replaces a stale socket
        }
    }

    // ------------------------------------------------------------------ one connection

    private record Outgoing(ByteBuffer frame, Runnable afterWrite) {
    }

    private final class Connection {
        final SocketChannel ch;
        final int id;
        final ArrayBlockingQueue<Outgoing> queue = new ArrayBlockingQueue<>(options.queueFrames());
        final AtomicInteger inFlight = new AtomicInteger();
        final Map<Long, ScheduledFuture<?>> subscriptions = new ConcurrentHashMap<>();
        final AtomicBoolean open = new AtomicBoolean(true);
        /** Unix-socket clients passed the credential check at accept; TCP clients pass by their token. */
        volatile boolean authenticated = true;
        Thread reader;
        Thread writer;

        Connection(SocketChannel ch, int id) {
            this.ch = ch;
            this.id = id;
        }

        void start() {
            reader = new Thread(this::readLoop, "molia-admin-read-" + id);
            writer = new Thread(this::writeLoop, "molia-admin-write-" + id);
            reader.setDaemon(true);
            writer.setDaemon(true);
            adminThreads.add(reader);
            adminThreads.add(writer);
            reader.start();
            writer.start();
        }

        void readLoop() {
            try {
                while (open.get()) {
                    AdminProtocol.Incoming in = AdminProtocol.readRequest(ch);
                    if (in == null) {
                        break;
                    }
                    if (in.error() != null) {
                        malformedRequests.incrementAndGet();
                        // TOO_LARGE cannot skip what it will not read: answer, then close once the answer is out.
                        send(error(0, in.error(), in.message()), in.close() ? this::close : null);
                        if (in.close()) {
                            return;
                        }
                        continue;
                    }
                    AdminRequest request = in.request();
                    onRequest(request);
                }
            } catch (IOException e) {
                // the client went away
            } finally {
                close();
                retire();
            }
        }

        void onRequest(AdminRequest request) {
            long rid = request.getId();
            if (!authenticated) {
                if (!java.security.MessageDigest.isEqual(request.getToken().toByteArray(), options.token())) {
                    refusedTokens.incrementAndGet();
                    send(error(rid, Error.Code.UNAUTHENTICATED, "a TCP client must present the node's token"), null);
                    close(); // the answer is written first (close waits for the writer)
                    return;
                }
                authenticated = true;
            }
            Error.Code refused = AdminProtocol.refusal(request);
            if (refused == Error.Code.UNKNOWN_REQUEST) {
                send(error(rid, refused, "no request this node knows (admin API version " + AdminProtocol.API_VERSION
                        + ")"), null);
                return;
            }
            if (refused == Error.Code.UNSUPPORTED_VERSION) {
                send(AdminResponse.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(rid)
                        .setError(Error.newBuilder().setCode(Error.Code.UNSUPPORTED_VERSION)
                                .setMessage("admin API version " + request.getVersion() + " is not supported")
                                .setMinVersion(AdminProtocol.MIN_API_VERSION).setMaxVersion(AdminProtocol.API_VERSION))
                        .build(), null);
                return;
            }
            switch (request.getBodyCase()) {
                case SUBSCRIBE -> {
                    subscribe(request);
                    return;
                }
                case UNSUBSCRIBE -> {
                    ScheduledFuture<?> f = subscriptions.remove(request.getUnsubscribe().getSubscriptionId());
                    if (f == null) {
                        send(error(rid, Error.Code.NOT_FOUND, "no subscription "
                                + request.getUnsubscribe().getSubscriptionId()), null);
                    } else {
                        f.cancel(false);
                        send(done(rid, "unsubscribed"), null);
                    }
                    return;
                }
                default -> {
                }
            }
            if (inFlight.incrementAndGet() > options.maxInFlight()) {
                inFlight.decrementAndGet();
                send(error(rid, Error.Code.BUSY, "more than " + options.maxInFlight()
                        + " requests in flight on this connection"), null);
                return;
            }
            boolean shutdown = request.getBodyCase() == AdminRequest.BodyCase.SHUTDOWN && options.shutdown() != null;
            // Answers are serialized and queued on the admin's own thread, never on the protocol loop.
            serve(request).whenCompleteAsync((response, failure) -> {
                inFlight.decrementAndGet();
                requestsServed.incrementAndGet();
                AdminResponse r = failure != null ? failure(rid, failure) : response;
                send(r, shutdown && failure == null ? () -> {
                    Thread t = new Thread(options.shutdown(), "molia-admin-shutdown");
                    t.setDaemon(false);
                    t.start();
                } : null);
            }, streams);
        }

        void subscribe(AdminRequest request) {
            long rid = request.getId();
            AdminRequest view = request.getSubscribe().getView();
            if (!isView(view.getBodyCase())) {
                send(error(rid, Error.Code.INVALID_ARGUMENT, "only views can be subscribed to, not "
                        + view.getBodyCase()), null);
                return;
            }
            int intervalMs = request.getSubscribe().getIntervalMs();
            if (intervalMs < 100) {
                send(error(rid, Error.Code.INVALID_ARGUMENT, "interval_ms must be at least 100"), null);
                return;
            }
            if (subscriptions.size() >= options.maxSubscriptions()) {
                send(error(rid, Error.Code.BUSY, "at most " + options.maxSubscriptions()
                        + " subscriptions per connection"), null);
                return;
            }
            AtomicLong sequence = new AtomicLong();
            AtomicBoolean busy = new AtomicBoolean();
            ContactLabels labels = new ContactLabels();
            AdminRequest update = view.toBuilder().setId(rid).build();
            ScheduledFuture<?> f = streams.scheduleAtFixedRate(() -> {
                if (!busy.compareAndSet(false, true)) {
                    return; // the previous update is still being taken: skip a beat, never pile up
                }
                labels.nextUpdate();
                serve(update, labels).whenCompleteAsync((response, failure) -> {
                    busy.set(false);
                    AdminResponse r = failure != null ? failure(rid, failure) : response;
                    send(r.toBuilder().setSequence(sequence.incrementAndGet()).build(), null);
                }, streams);
            }, 0, intervalMs, TimeUnit.MILLISECONDS);
            if (subscriptions.putIfAbsent(rid, f) != null) {
                f.cancel(false);
                send(error(rid, Error.Code.INVALID_ARGUMENT, "a subscription with id " + rid + " exists"), null);
            }
        }

        /** Queues an answer; a full queue means the client does not read: it is disconnected. */
        void send(AdminResponse response, Runnable afterWrite) {
            if (!open.get()) {
                return;
            }
            if (!queue.offer(new Outgoing(AdminProtocol.frame(response), afterWrite))) {
                slowClientsDropped.incrementAndGet();
                LOG.atWarn().addKeyValue("event", "admin.slow_client")
                        .addKeyValue("connection", id).log("admin client too slow to read: disconnected");
                close();
            }
        }

        void writeLoop() {
            try {
                while (open.get() || !queue.isEmpty()) {
                    Outgoing o = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (o == null) {
                        continue;
                    }
                    AdminProtocol.writeFully(ch, o.frame());
                    if (o.afterWrite() != null) {
                        o.afterWrite().run();
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went away, or the server closes
            } finally {
                close();
                retire();
            }
        }

        /** The calling connection thread ends: its CPU time moves to the ended total. */
        void retire() {
            long ns = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            if (adminThreads.remove(Thread.currentThread()) && ns > 0) {
                endedThreadsCpuNs.addAndGet(ns);
            }
        }

        void close() {
            if (!open.compareAndSet(true, false)) {
                return;
            }
            for (ScheduledFuture<?> f : subscriptions.values()) {
                f.cancel(false);
            }
            subscriptions.clear();
            connections.remove(this);
            // Let the writer finish what is queued (an error before closing), then close the socket.
            Thread w = writer;
            if (w != null && Thread.currentThread() != w) {
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        w.join(2_000);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                    closeChannel();
                });
            } else {
                closeChannel();
            }
        }

        void closeChannel() {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    // ------------------------------------------------------------------ serving one request

    private static final String NO_WAL = "this node runs without a write-ahead log (started with the WAL disabled)";

    private static AdminResponse walFailure(AdminResponse.Builder r, Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof IllegalStateException) {
            return r.setUnavailable(AdminViews.unavailable("wal", NO_WAL)).build();
        }
        return r.setError(Error.newBuilder().setCode(Error.Code.FAILED).setMessage("compaction failed: "
                + cause.getMessage())).build();
    }

    private static boolean isView(AdminRequest.BodyCase c) {
        return switch (c) {
            case INFO, ROUTING, PEERS, SESSIONS, ADMISSION, RELAYS, NAT, RECORDS, WAL, METRICS, ERRORS, BANS,
                    LOG_LEVELS -> true;
            default -> false;
        };
    }

    /** The answer to one request, as a future completed off the protocol loop's hands. */
    CompletableFuture<AdminResponse> serve(AdminRequest request) {
        return serve(request, new ContactLabels());
    }

    /** Every shard's sessions, each copied on its own loop (and the routing table, for the peers view). */
    private CompletableFuture<AdminViews.SessionsCapture> sessionsOfEveryShard(boolean withRouting) {
        return node.onLoop(s -> AdminViews.captureSessions(s, withRouting))
                .thenCombine(node.onServingShards(AdminViews::sessionRows), AdminViews::withSessions);
    }

    /** The answer to one request; {@code labels} carries contacts' text forms over a subscription's updates. */
    private CompletableFuture<AdminResponse> serve(AdminRequest request, ContactLabels labels) {
        long rid = request.getId();
        AdminResponse.Builder r = AdminResponse.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(rid);
        try {
            return switch (request.getBodyCase()) {
                case INFO -> node.onLoop(s -> AdminViews.info(s, node.address(), node.isEpoll() ? "epoll" : "nio"))
                        .thenApplyAsync(info -> r.setInfo(AdminViews.withSockets(info, node.sockets(),
                                node.askedBuffers())).build(), streams);
                case ROUTING -> node.onLoop(AdminViews::captureRouting).thenApplyAsync(c -> r.setRouting(
                        AdminViews.routing(c, request.getRouting().getIncludeContacts(), labels)).build(), streams);
                case PEERS -> sessionsOfEveryShard(true)
                        .thenApplyAsync(c -> r.setPeers(AdminViews.peers(c, labels)).build(), streams);
                case SESSIONS -> sessionsOfEveryShard(false)
                        .thenApplyAsync(c -> r.setSessions(AdminViews.sessions(c, labels)).build(), streams);
                case RECORDS -> node.onLoop(s -> r.setRecords(AdminViews.records(s,
                        request.getRecords().getTop() == 0 ? 10 : Math.min(100, request.getRecords().getTop())))
                        .build());
                case METRICS -> node.onLoop(AdminViews::captureMetrics).thenApplyAsync(c -> r.setMetrics(
                        withAdmin(AdminViews.withSockets(AdminViews.metrics(c), node.sockets()))).build(), streams);
                case BANS -> node.onLoop(s -> r.setBans(AdminViews.bans(s)).build());
                case ADMISSION -> done(r.setUnavailable(AdminViews.unavailable("admission", "Sybil scores, rate "
                        + "limits and dynamic proof of work: " + AdminViews.NOT_AVAILABLE)));
                case RELAYS -> done(r.setUnavailable(AdminViews.unavailable("relays", "relay budgets: "
                        + AdminViews.NOT_AVAILABLE)));
                case NAT -> done(r.setUnavailable(AdminViews.unavailable("nat", "NAT classification and hole "
                        + "punching: " + AdminViews.NOT_AVAILABLE)));
                case WAL -> node.onLoop(s -> {
                    WalView v = AdminViews.wal(s);
                    return v == null ? r.setUnavailable(AdminViews.unavailable("wal", NO_WAL)).build()
                            : r.setWal(v).build();
                });
                case WAL_SNAPSHOT -> node.compactWal().handle((c, e) -> e == null
                        ? r.setDone(ActionDone.newBuilder().setMessage("compacted: generation " + c.generation()
                                + ", " + c.records() + " records and " + c.peers() + " peers in a snapshot of "
                                + c.snapshotBytes() + " bytes, " + c.millis() + " ms")).build()
                        : walFailure(r, e));
                case ERRORS -> done(errors(r, request.getErrors().getMax() == 0 ? 50 : request.getErrors().getMax()));
                case LOG_LEVELS -> done(logLevels(r));
                case SET_LOG_LEVEL -> done(setLogLevel(r, request.getSetLogLevel().getLogger(),
                        request.getSetLogLevel().getLevel()));
                case PING -> ping(r, request.getPing().getPeer());
                case LOOKUP -> lookup(r, request.getLookup().getTarget(), request.getLookup().getFindValue());
                case PUT -> put(r, request.getPut().getValue(), request.getPut().getTtlSeconds());
                case GET -> get(r, request.getGet().getKey());
                case BOOTSTRAP -> bootstrap(r, request.getBootstrap().getAddress());
                case EVICT -> node.onLoop(s -> {
                    Contact c = AdminViews.resolvePeer(s, request.getEvict().getPeer());
                    boolean removed = s.core().routingTable().remove(c.id());
                    if (!removed) {
                        throw new AdminException(Error.Code.NOT_FOUND, c.id().shortHex()
                                + " is not in the routing table");
                    }
                    return r.setDone(ActionDone.newBuilder().setMessage("evicted " + c.id().toHex())).build();
                });
                case BAN -> ban(r, request.getBan().getTarget(), request.getBan().getDurationSeconds());
                case UNBAN -> unban(r, request.getUnban().getTarget());
                case SHUTDOWN -> {
                    if (options.shutdown() == null) {
                        throw new AdminException(Error.Code.FAILED, "this node cannot be shut down from its socket");
                    }
                    yield done(r.setDone(ActionDone.newBuilder().setMessage("shutting down")));
                }
                case SUBSCRIBE, UNSUBSCRIBE -> throw new AdminException(Error.Code.INVALID_ARGUMENT,
                        "subscriptions do not nest");
                case BODY_NOT_SET -> throw new AdminException(Error.Code.UNKNOWN_REQUEST,
                        "no request this node knows (admin API version " + AdminProtocol.API_VERSION + ")");
            };
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CompletableFuture<AdminResponse> done(AdminResponse.Builder r) {
        return CompletableFuture.completedFuture(r.build());
    }

    /** CPU time of the admin socket's own threads (accept, connections, streams), ended ones included. */
    private long adminThreadsCpuNs() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long total = endedThreadsCpuNs.get();
        for (Thread t : adminThreads) {
            long ns = mx.getThreadCpuTime(t.threadId());
            if (ns > 0) {
                total += ns;
            }
        }
        return total;
    }

    private MetricsView withAdmin(MetricsView m) {
        Map<String, Long> own = new LinkedHashMap<>();
        Figure.addTo(own, FIGURES, List.of(this));
        return m.toBuilder().putAllCounters(own).build();
    }

    private AdminResponse.Builder errors(AdminResponse.Builder r, int max) {
        LogControl log = options.logControl();
        if (log == null) {
            return r.setUnavailable(AdminViews.unavailable("errors", "no log backend attached to this node"));
        }
        ErrorsView.Builder v = ErrorsView.newBuilder().setTotal(log.warningsTotal());
        for (LogControl.LogEvent e : log.recentWarnings(Math.min(max, 1_000))) {
            v.addEvents(LogEvent.newBuilder().setUnixMs(e.unixMs()).setLevel(e.level()).setLogger(e.logger())
                    .setMessage(e.message()));
        }
        return r.setErrors(v);
    }

    private AdminResponse.Builder logLevels(AdminResponse.Builder r) {
        LogControl log = options.logControl();
        if (log == null) {
            return r.setUnavailable(AdminViews.unavailable("log", "no log backend attached to this node"));
        }
        LogLevelsView.Builder v = LogLevelsView.newBuilder();
        for (LogControl.LoggerLevel l : log.levels()) {
            v.addLoggers(LoggerLevel.newBuilder().setLogger(l.logger()).setLevel(l.level() == null ? "" : l.level())
                    .setEffective(l.effective()));
        }
        return r.setLogLevels(v);
    }

    private AdminResponse.Builder setLogLevel(AdminResponse.Builder r, String logger, String level) {
        LogControl log = options.logControl();
        if (log == null) {
            return r.setUnavailable(AdminViews.unavailable("log", "no log backend attached to this node"));
        }
        if (logger.isBlank()) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "name a logger (ROOT, io.molia.session, ...)");
        }
        log.setLevel(logger, level);
        return r.setDone(ActionDone.newBuilder().setMessage(logger + " set to "
                + (level.isBlank() ? "inherit" : level.toUpperCase(java.util.Locale.ROOT))));
    }

    private CompletableFuture<AdminResponse> ping(AdminResponse.Builder r, String peer) {
        return node.onLoop(s -> AdminViews.resolvePeer(s, peer)).thenCompose(c -> node.ping(c)
                .orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS)
                .thenApply(rttNs -> r.setPing(PingResult.newBuilder().setPeerId(c.id().toHex())
                        .setAddress(c.address().toString()).setAnswered(rttNs >= 0)
                        .setRttUs(rttNs >= 0 ? TimeUnit.NANOSECONDS.toMicros(rttNs) : -1)).build()));
    }

    private CompletableFuture<AdminResponse> lookup(AdminResponse.Builder r, String targetText, boolean findValue) {
        List<NodeId> put = keysPut();
        return node.onLoop(s -> AdminViews.resolveKey(s, targetText, put, true)).thenCompose(target -> node
                .tracedLookup(target, findValue).orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS).thenApply(t -> {
            LookupResult.Builder l = LookupResult.newBuilder().setTarget(target.toHex());
            long startedNs;
            if (t.event() instanceof CoreEvent.LookupCompleted done) {
                startedNs = done.startedNs();
                l.setDurationUs(us(done.finishedNs() - done.startedNs())).setHops(done.hops())
                        .setRequests(done.requests());
                for (Contact c : done.closest()) {
                    l.addClosest(LookupContact.newBuilder().setNodeId(c.id().toHex()).setAddress(
                            c.address().toString()).setCommonPrefixBits(target.commonPrefixLength(c.id())));
                }
            } else {
                CoreEvent.GetCompleted done = (CoreEvent.GetCompleted) t.event();
                startedNs = done.startedNs();
                l.setDurationUs(us(done.finishedNs() - done.startedNs())).setRequests(done.requests())
                        .setValueFound(done.value() != null);
            }
            int maxHop = 0;
            for (LookupHop h : t.hops()) {
                maxHop = Math.max(maxHop, h.hop());
                l.addTrace(io.molia.admin.proto.LookupHop.newBuilder().setPeerId(h.peer().id().toHex())
                        .setAddress(h.peer().address().toString()).setHop(h.hop())
                        .setSentAtUs(us(h.sentNs() - startedNs)).setRttUs(h.rttNs() < 0 ? -1 : us(h.rttNs()))
                        .setOutcome(h.outcome().name().toLowerCase(java.util.Locale.ROOT))
                        .setContactsReturned(h.contactsReturned()));
            }
            if (findValue) {
                l.setHops(maxHop);
            }
            return r.setLookup(l).build();
        }));
    }

    private CompletableFuture<AdminResponse> put(AdminResponse.Builder r, ByteString value, long ttlSeconds) {
        if (value.isEmpty()) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "an empty value");
        }
        return node.put(value.toByteArray(), ttlSeconds == 0 ? 3600 : ttlSeconds)
                .orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS)
                .thenApply(p -> {
                    keysPut.put(p.key(), Boolean.TRUE);
                    return r.setPut(PutResult.newBuilder().setKey(p.key().toHex()).setStored(p.stored())
                            .setAttempted(p.attempted()).setDurationUs(us(p.finishedNs() - p.startedNs()))).build();
                });
    }

    /** The keys put through this socket, newest last (a copy: the loop reads it while puts add to the map). */
    private List<NodeId> keysPut() {
        synchronized (keysPut) {
            return List.copyOf(keysPut.keySet());
        }
    }

    private CompletableFuture<AdminResponse> get(AdminResponse.Builder r, String keyText) {
        List<NodeId> put = keysPut();
        return node.onLoop(s -> AdminViews.resolveKey(s, keyText, put, false)).thenCompose(key -> node
                .tracedLookup(key, true).orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS).thenApply(t -> {
            CoreEvent.GetCompleted g = (CoreEvent.GetCompleted) t.event();
            GetResult.Builder b = GetResult.newBuilder().setKey(key.toHex()).setFound(g.value() != null)
                    .setDurationUs(us(g.finishedNs() - g.startedNs())).setRequests(g.requests());
            if (g.value() != null) {
                b.setValue(ByteString.copyFrom(g.value()));
            }
            return r.setGet(b).build();
        }));
    }

    private CompletableFuture<AdminResponse> bootstrap(AdminResponse.Builder r, String address) {
        MoliaAddress a;
        try {
            a = MoliaAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, e.getMessage());
        }
        return node.bootstrap(a.toContact()).orTimeout(ACTION_TIMEOUT_S, TimeUnit.SECONDS).thenApply(found -> {
            if (found.isEmpty()) {
                throw new AdminException(Error.Code.FAILED, "not joined: no peer answered through "
                        + a.nodeId().shortHex());
            }
            return r.setDone(ActionDone.newBuilder().setMessage("joined through " + a.nodeId().shortHex() + ": "
                    + found.size() + " peers answered")).build();
        });
    }

    private CompletableFuture<AdminResponse> ban(AdminResponse.Builder r, String target, long seconds) {
        long durationNs = TimeUnit.SECONDS.toNanos(seconds == 0 ? 3600 : seconds);
        Long subnet = subnetKey(target);
        return node.onLoop(s -> {
            long expires = s.nowNs() + durationNs;
            if (subnet != null) {
                if (!s.bans().banSubnet(subnet, expires)) {
                    throw new AdminException(Error.Code.FAILED, "the ban list is full");
                }
                return r.setDone(ActionDone.newBuilder().setMessage("banned " + NodeAddress.subnetText(subnet) + " for "
                        + TimeUnit.NANOSECONDS.toSeconds(durationNs) + " s")).build();
            }
            Contact c = AdminViews.resolvePeer(s, target);
            if (!s.bans().banPeer(c.id(), expires)) {
                throw new AdminException(Error.Code.FAILED, "the ban list is full");
            }
            s.core().routingTable().remove(c.id());
            return r.setDone(ActionDone.newBuilder().setMessage("banned peer " + c.id().toHex() + " for "
                    + TimeUnit.NANOSECONDS.toSeconds(durationNs) + " s")).build();
        });
    }

    private CompletableFuture<AdminResponse> unban(AdminResponse.Builder r, String target) {
        Long subnet = subnetKey(target);
        return node.onLoop(s -> {
            boolean removed;
            String what;
            if (subnet != null) {
                removed = s.bans().unbanSubnet(subnet);
                what = NodeAddress.subnetText(subnet);
            } else {
                NodeId id = target.length() == 64 ? parseId(target, "peer") : bannedPeer(s, target);
                removed = s.bans().unbanPeer(id);
                what = id.toHex();
            }
            if (!removed) {
                throw new AdminException(Error.Code.NOT_FOUND, what + " is not banned");
            }
            return r.setDone(ActionDone.newBuilder().setMessage("unbanned " + what)).build();
        });
    }

    /**
     * The banned peer whose ID starts with {@code prefix} (the bans view shows 16 hex digits; a banned peer has left
     * the routing table, so a known peer is only the fallback).
     */
    private static NodeId bannedPeer(io.molia.node.NodeState s, String prefix) {
        String p = prefix.toLowerCase(java.util.Locale.ROOT);
        List<NodeId> banned = s.bans().list(s.nowNs()).stream()
                .filter(b -> b.kind().equals("peer") && b.target().startsWith(p) && p.length() >= 4)
                .map(b -> NodeId.fromHex(b.target())).toList();
        if (banned.size() > 1) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, banned.size() + " banned peers' IDs start with " + p
                    + ": give more digits");
        }
        return banned.isEmpty() ? AdminViews.resolvePeer(s, prefix).id() : banned.get(0);
    }

    /**
     * The subnet key ({@link NodeAddress#subnetKey}) of "a.b.c.d", "a.b.c.0/24", an IPv6 address or "x:y:z::/48";
     * null when {@code text} is neither (a peer, then).
     */
    static Long subnetKey(String text) {
        String t = text.strip();
        if (t.startsWith(MoliaAddress.SCHEME)) {
            return null; // a peer by its address
        }
        int slash = t.indexOf('/');
        String prefix = slash < 0 ? "" : t.substring(slash);
        String host = slash < 0 ? t : t.substring(0, slash);
        boolean ipv6 = host.contains(":");
        if (!ipv6 && !host.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            if (slash >= 0) {
                throw new AdminException(Error.Code.INVALID_ARGUMENT, "not a subnet: " + text
                        + " (a.b.c.0/24 or an IPv6 /48)");
            }
            return null;
        }
        if (!prefix.isEmpty() && !prefix.equals(ipv6 ? "/48" : "/24")) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, "only " + (ipv6 ? "/48" : "/24")
                    + " subnets can be banned: " + text);
        }
        try {
            return SocketAddresses.toNodeAddress(SocketAddresses.literal(host), 0).subnetKey();
        } catch (IllegalArgumentException e) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, e.getMessage());
        }
    }

    private static NodeId parseId(String hex, String what) {
        if (hex == null || hex.length() != 64) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, what + " must be 64 hex digits");
        }
        try {
            HexFormat.of().parseHex(hex);
            return NodeId.fromHex(hex.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new AdminException(Error.Code.INVALID_ARGUMENT, what + " must be 64 hex digits");
        }
    }

    private static long us(long ns) {
        return TimeUnit.NANOSECONDS.toMicros(ns);
    }

    static AdminResponse error(long id, Error.Code code, String message) {
        return AdminResponse.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(id)
                .setError(Error.newBuilder().setCode(code).setMessage(message)).build();
    }

    private static AdminResponse done(long id, String message) {
        return AdminResponse.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(id)
                .setDone(ActionDone.newBuilder().setMessage(message)).build();
    }

    private static AdminResponse failure(long id, Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof AdminException a) {
            return error(id, a.code(), a.getMessage());
        }
        if (cause instanceof IllegalArgumentException) {
            return error(id, Error.Code.INVALID_ARGUMENT, cause.getMessage());
        }
        if (cause instanceof TimeoutException) {
            return error(id, Error.Code.FAILED, "the node did not finish within " + ACTION_TIMEOUT_S + " s");
        }
        return error(id, Error.Code.FAILED, cause.getMessage() != null ? cause.getMessage() : cause.toString());
    }

    /** For tests: the connections being served. */
    int connectionCount() {
        return connections.size();
    }

    static List<String> viewNames() {
        return List.of("info", "routing", "peers", "sessions", "admission", "relays", "nat", "records", "wal",
                "metrics", "errors", "bans", "log_levels");
    }
}
