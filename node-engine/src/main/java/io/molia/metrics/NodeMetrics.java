package io.molia.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.molia.core.CoreCounters;
import io.molia.nat.NatTraversal;
import io.molia.node.MoliaVersion;
import io.molia.relay.Relay;
import io.molia.relay.RelayClient;
import io.molia.session.SessionCounters;
import io.molia.transport.UdpTransport;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The node's Prometheus endpoint. Counters stay plain single-writer fields in each shard; this collector reads
 * them at scrape time (racy reads of monotonic longs are fine), so the hot path pays nothing. The families come
 * from {@link NodeFigures}, the same table the admin {@code metrics} view reads, plus {@code molia_build_info},
 * the JVM's and the process's standard collectors ({@code jvm_*}, {@code process_*}) and histograms of operation
 * latency and lookup hops, observed when an operation completes.
 */
public final class NodeMetrics implements AutoCloseable {
    /** What one shard exposes; read from the scrape thread (and, summed, by the admin view on the protocol loop). */
    public interface ShardSource {
        CoreCounters core();

        SessionCounters sessions();

        int routingTableSize();

        int sessionCount();

        int records();

        long recordBytes();

        /** The shard's provider and mutable records (read racily, as every figure is). */
        io.molia.core.store.RecordRequests recordRequests();

        int pendingRequests();

        int activeOperations();

        int handshakesInProgress();

        long handovers();

        /** Datagrams another shard could not hand over because the protocol loop's inbox was full. */
        long handoverDrops();

        /** CPU time of the shard's event-loop thread; -1 where the JVM does not measure it. */
        long cpuNs();

        /** Bytes allocated by the shard's event-loop thread; -1 where the JVM does not measure it. */
        long allocatedBytes();
    }

    /** What the node as a whole exposes; read from the scrape thread. */
    public interface NodeSource {
        boolean isolated();

        long banDroppedDatagrams();

        /** Bytes of every datagram the node sent (UDP payloads, relay frames included): the base of shares of egress. */
        long egressBytes();

        long operatorLoopNs();

        /** The NAT state (read racily, as every figure is), or null where there is none (its figures are left out). */
        default NatTraversal nat() {
            return null;
        }

        /** The relay (read racily), or null where the node relays for nobody (its figures are left out). */
        default Relay relay() {
            return null;
        }

        /** This node's side of relaying as a client (read racily), or null. */
        default RelayClient relayClient() {
            return null;
        }

        /** The identity proof of work's leading zero bits (--pow-bits); -1 where not known (left out). */
        default int powBits() {
            return -1;
        }

        /** The routing table with its behaviour scores (its counters read racily), or null where there is none. */
        default io.molia.core.RoutingTable routingTable() {
            return null;
        }

        /** The blob transfers and store (read racily), or null where the node holds no blobs. */
        default io.molia.blob.BlobTransfers blobTransfers() {
            return null;
        }
    }

    /**
     * Bucket bounds of operation latency: from 1 ms (a loopback or LAN lookup) to 10 s, so a local network's
     * lookups are not all in the first bucket.
     */
    static final double[] LATENCY_BUCKETS_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
        2.5, 5, 10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram lookupSeconds = Histogram.builder().name("molia_lookup_seconds")
            .help("Duration of lookups, gets and puts (the operations lookups_started counts) until they finished")
            .classicOnly().classicUpperBounds(LATENCY_BUCKETS_SECONDS).register(registry);
    private final Histogram lookupHops = Histogram.builder().name("molia_lookup_hops")
            .help("Hops to the closest peer a lookup found").classicOnly()
            .classicUpperBounds(1, 2, 3, 4, 5, 6, 8, 10).register(registry);
    private HTTPServer server;

    public NodeMetrics(Supplier<List<ShardSource>> shards, NodeSource node) {
        registry.register((MultiCollector) () -> {
            List<MetricSnapshot> all = new ArrayList<>(Figure.snapshots(NodeFigures.SHARD, shards.get(), true));
            all.addAll(Figure.snapshots(NodeFigures.NODE, List.of(node), false));
            return new MetricSnapshots(all);
        });
        Info.builder().name("molia_build_info").help("The release, commit and protocol this node runs")
                .labelNames("version", "commit", "protocol", "java").register(registry)
                .addLabelValues(MoliaVersion.release(), MoliaVersion.commit(),
                        String.valueOf(MoliaVersion.protocol()), Runtime.version().toString());
    }

    /** Serves {@code /metrics} on {@code address} (the node binds loopback unless told otherwise). */
    public void serve(InetSocketAddress address) throws IOException {
        // Registered only here: the JVM collectors load hundreds of classes (JMX, JFR) a node without --metrics
        // never needs (docs/benchmarks.md, "A small node").
        JvmMetrics.builder().register(registry);
        try {
            server = HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort()).registry(registry)
                    .buildAndStart();
        } catch (java.net.BindException e) {
            throw new IOException("--metrics: TCP port " + address.getPort() + " on "
                    + address.getAddress().getHostAddress() + " is in use", e);
        }
    }

    /** Adds figures read at scrape time from another part of the node (e.g. the WAL's); returns it for removal. */
    public MultiCollector register(Supplier<MetricSnapshots> figures) {
        MultiCollector collector = figures::get;
        registry.register(collector);
        return collector;
    }

    public void unregister(MultiCollector collector) {
        registry.unregister(collector);
    }

    public int port() {
        return server.getPort();
    }

    /** A lookup, get or put finished; {@code hops} only for a lookup (-1 otherwise). */
    public void onOperationCompleted(double seconds, int hops) {
        lookupSeconds.observe(seconds);
        if (hops >= 0) {
            lookupHops.observe(hops);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }

    /**
     * Each shard socket's kernel figures, read at scrape time: datagrams the kernel dropped before the shard read
     * them (its receive buffer was full; not counted by any reason of {@code molia_dropped}), and the buffers it
     * granted. A socket the kernel does not list (not Linux) has no drop figure.
     */
    public static MetricSnapshots sockets(List<UdpTransport.ShardSocket> sockets) {
        CounterSnapshot.Builder drops = CounterSnapshot.builder().name("molia_kernel_receive_drops")
                .help("Datagrams the kernel dropped before the shard read them (receive buffer full), /proc/net/udp");
        CounterSnapshot.Builder sendDrops = CounterSnapshot.builder().name("molia_socket_send_drops")
                .help("Datagrams the shard could not send: refused by the kernel (firewall, no route) or its buffer full");
        GaugeSnapshot.Builder receive = GaugeSnapshot.builder().name("molia_socket_receive_buffer_bytes")
                .help("Receive buffer the kernel granted the shard's socket (getsockopt SO_RCVBUF)");
        GaugeSnapshot.Builder send = GaugeSnapshot.builder().name("molia_socket_send_buffer_bytes")
                .help("Send buffer the kernel granted the shard's socket (getsockopt SO_SNDBUF)");
        for (int i = 0; i < sockets.size(); i++) {
            UdpTransport.ShardSocket socket = sockets.get(i);
            Labels shard = Labels.of("shard", String.valueOf(i));
            if (socket.kernelReceiveDrops() >= 0) {
                drops.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(shard)
                        .value(socket.kernelReceiveDrops()).build());
            }
            if (socket.sendDrops() >= 0) {
                sendDrops.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(shard)
                        .value(socket.sendDrops()).build());
            }
            receive.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(shard)
                    .value(socket.receiveBufferBytes()).build());
            send.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(shard)
                    .value(socket.sendBufferBytes()).build());
        }
        return new MetricSnapshots(drops.build(), sendDrops.build(), receive.build(), send.build());
    }
}
