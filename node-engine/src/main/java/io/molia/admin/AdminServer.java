package io.molia.admin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.molia.admin.proto.MetricsView;
import io.molia.contact.NodeId;
import io.molia.metrics.Figure;
import io.molia.node.BlobProgress;
import io.molia.node.MoliaNode;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's admin socket (DESIGN §3.10): a Unix domain socket {@code admin.sock} in the data dir, mode 0600,
 * serving only clients of the node's own user (or root), checked by the peer credentials of each connection.
 * No TCP listener exists unless the operator configures one, with a token ({@link Options#withTcp}).
 *
 * <p>Threads: one acceptor, and per connection a reader and a writer (at most {@link Options#maxConnections}
 * connections); views and actions run on the node's protocol loop through {@link MoliaNode#onLoop} and the
 * node's futures, so the admin socket never locks or pauses a shard and adds nothing to the packet path.
 * Subscriptions are ticked by one scheduler thread. Every answer goes through a bounded per-connection queue: a
 * client that does not read (a slow subscriber) is disconnected, never buffered without bound.
 *
 * <p>This class listens (the socket file, an optional TCP listener), admits connections (peer credentials, the
 * connection limit) and owns what they share; {@link AdminConnection} serves one client, {@link AdminDispatcher}
 * turns a request into its answer, {@link AdminActions} runs the operator's actions and {@link AdminSubscriptions}
 * pushes a connection's streams.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

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

    final Options options;
    private final ServerSocketChannel server;
    private final ServerSocketChannel tcpServer;
    private final UserPrincipal owner;
    /** Ticks subscriptions and turns views into protobuf: the admin's own thread, never the protocol loop. */
    final ScheduledExecutorService streams;
    final AdminDispatcher dispatcher;
    /** The blob transfers of every connection (docs/admin-api.md "Blobs"). */
    final AdminBlobs blobs;
    final AdminThreads threads = new AdminThreads();
    private final Set<AdminConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger connectionIds = new AtomicInteger();
    final AtomicLong refusedCredentials = new AtomicLong();
    final AtomicLong refusedTokens = new AtomicLong();
    final AtomicLong refusedConnections = new AtomicLong();
    final AtomicLong malformedRequests = new AtomicLong();
    final AtomicLong slowClientsDropped = new AtomicLong();
    final AtomicLong requestsServed = new AtomicLong();

    /** The admin server's own figures, in its {@code metrics} view and on the node's Prometheus endpoint alike. */
    static final List<Figure<AdminServer>> FIGURES = List.of(
            Figure.nanosCounter("admin_threads_cpu_ns", "CPU time of the admin socket's own threads",
                    a -> a.threads.cpuNs()),
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
            Figure.counter("admin_requests_served", "Admin requests answered", a -> a.requestsServed.get()),
            Figure.gauge("admin_blob_transfers", "Blob uploads and downloads open on the admin socket",
                    a -> a.blobs.open()),
            Figure.counter("admin_blob_transfers_opened", "Blob uploads and downloads opened on the admin socket",
                    a -> a.blobs.opened.get()),
            Figure.counter("admin_blob_requests_refused", "Blob admin requests refused (unknown transfer, oversize, "
                    + "out of order, too many open)", a -> a.blobs.refused.get()),
            Figure.counter("admin_blob_transfers_idle_dropped", "Blob transfers dropped after 60 s without a request",
                    a -> a.blobs.idleDropped.get()));
    /** Removes {@link #FIGURES} from the node's metrics endpoint. */
    private final Runnable removeMetrics;

    private AdminServer(MoliaNode node, Options options, long blobIdleNs) throws IOException {
        this.options = options;
        this.owner = Files.getOwner(Path.of("/proc/self"));
        this.server = AdminSocketFile.bind(options.socket());
        this.streams = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "molia-admin-streams");
            t.setDaemon(true);
            threads.add(t);
            return t;
        });
        this.blobs = new AdminBlobs(new AdminBlobs.Blobs() {
            @Override
            public CompletableFuture<NodeId> put(byte[] blob, BlobProgress progress) {
                return node.putBlob(blob, progress);
            }

            @Override
            public CompletableFuture<byte[]> get(NodeId key, BlobProgress progress) {
                return node.getBlob(key, progress);
            }

            @Override
            public CompletableFuture<io.molia.node.BlobRepairCheck.Round> repair(int stripes) {
                return node.blobRepair().round(stripes);
            }
        }, System::nanoTime, blobIdleNs);
        this.dispatcher = new AdminDispatcher(node, options, streams, new AdminActions(node, options), blobs,
                this::withAdminFigures);
        // An idle blob transfer's memory is freed even when no further blob request comes.
        streams.scheduleWithFixedDelay(() -> blobs.sweep(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
        Thread acceptor = new Thread(this::acceptLoop, "molia-admin-accept");
        acceptor.setDaemon(true);
        threads.add(acceptor);
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
            threads.add(tcpAcceptor);
            tcpAcceptor.start();
            LOG.atWarn().addKeyValue("event", "admin.tcp_listening").addKeyValue("address", tcpServer.getLocalAddress())
                    .log("admin API also on TCP (token required)");
        } else {
            this.tcpServer = null;
        }
        this.removeMetrics = node.addMetrics(() -> new MetricSnapshots(Figure.snapshots(FIGURES, List.of(this),
                false)));
        LOG.atInfo().addKeyValue("event", "admin.listening").addKeyValue("node", node.self().id().shortHex()).addKeyValue("socket", options.socket())
                .log("admin socket listening");
    }

    /** Creates {@code admin.sock} (mode 0600) and serves it until {@link #close}. */
    public static AdminServer start(MoliaNode node, Options options) throws IOException {
        return new AdminServer(node, options, AdminBlobs.DEFAULT_IDLE_NS);
    }

    /** For tests: blob transfers idle for {@code blobIdleNs} are dropped (a minute in a node). */
    static AdminServer start(MoliaNode node, Options options, long blobIdleNs) throws IOException {
        return new AdminServer(node, options, blobIdleNs);
    }

    public Path socket() {
        return options.socket();
    }

    private void acceptLoop() {
        while (!closed.get()) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    LOG.atWarn().addKeyValue("event", "admin.accept_failed").addKeyValue("error", e.toString()).log("admin socket accept failed");
                }
                return;
            }
            try {
                UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
                if (!allowed(peer)) {
                    refusedCredentials.incrementAndGet();
                    LOG.atWarn().addKeyValue("event", "admin.connection_refused").addKeyValue("user", peer.user().getName())
                            .log("admin connection refused: not the node's user nor root");
                    ch.close();
                    continue;
                }
                if (connections.size() >= options.maxConnections()) {
                    refusedConnections.incrementAndGet();
                    ch.close();
                    continue;
                }
                AdminConnection c = new AdminConnection(this, ch, connectionIds.incrementAndGet(), true);
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
            AdminConnection c = new AdminConnection(this, ch, connectionIds.incrementAndGet(), false);
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
        for (AdminConnection c : connections) {
            c.close();
        }
        streams.shutdownNow();
        try {
            Files.deleteIfExists(options.socket());
        } catch (IOException ignored) {
            // the next start replaces a stale socket
        }
    }

    /** A connection closed: it no longer counts against the limit. */
    void forget(AdminConnection c) {
        connections.remove(c);
    }

    private MetricsView withAdminFigures(MetricsView m) {
        Map<String, Long> own = new LinkedHashMap<>();
        Figure.addTo(own, FIGURES, List.of(this));
        return m.toBuilder().putAllCounters(own).build();
    }

    /** For tests: the connections being served. */
    int connectionCount() {
        return connections.size();
    }
}
