package io.molia.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.molia.codec.DecodeStatus;
import io.molia.core.CoreCounters;
import io.molia.session.SessionCounters;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The node's Prometheus endpoint. Counters stay plain single-writer fields in each shard; this collector reads
 * them at scrape time (racy reads of monotonic longs are fine), so the hot path pays nothing. Lookup latency and
 * hops are histograms observed when a lookup completes.
 */
public final class NodeMetrics implements AutoCloseable {
    /** What one shard exposes; read from the scrape thread. */
    public interface ShardSource {
        CoreCounters core();

        SessionCounters sessions();

        int routingTableSize();

        int sessionCount();

        int records();

        long handovers();

        /** Datagrams another shard could not hand over because the protocol loop's inbox was full. */
        long handoverDrops();
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram lookupSeconds = Histogram.builder().name("molia_lookup_seconds")
            .help("Lookup duration until the k closest answered").classicOnly()
            .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
    private final Histogram lookupHops = Histogram.builder().name("molia_lookup_hops")
            .help("Hops to the closest peer a lookup found").classicOnly()
            .classicUpperBounds(1, 2, 3, 4, 5, 6, 8, 10).register(registry);
    private HTTPServer server;

    public NodeMetrics(Supplier<List<ShardSource>> shards) {
        registry.register((MultiCollector) () -> collect(shards.get()));
    }

    /** Serves {@code /metrics} on {@code address} (the node binds loopback unless told otherwise). */
    public void serve(InetSocketAddress address) throws IOException {
        server = HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort()).registry(registry)
                .buildAndStart();
    }

    /** Adds figures read at scrape time from another part of the node (e.g. the WAL's). */
    public void register(Supplier<MetricSnapshots> figures) {
        registry.register((MultiCollector) figures::get);
    }

    public int port() {
        return server.getPort();
    }

    public void onLookupCompleted(double seconds, int hops) {
        lookupSeconds.observe(seconds);
        lookupHops.observe(hops);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }

    private static MetricSnapshots collect(List<ShardSource> shards) {
        CounterSnapshot.Builder in = counter("molia_datagrams_in",
                "Inner messages received: by the core on shard 0, answered on shards 1-N");
        CounterSnapshot.Builder out = counter("molia_datagrams_out",
                "Inner messages sent: by the core on shard 0, answers on shards 1-N");
        CounterSnapshot.Builder dropped = counter("molia_dropped", "Datagrams dropped, by reason");
        CounterSnapshot.Builder lookups = counter("molia_lookups_started", "Lookups, gets and puts started");
        CounterSnapshot.Builder timeouts = counter("molia_request_timeouts", "Requests that failed for good");
        CounterSnapshot.Builder handshakes = counter("molia_handshakes_completed", "Session handshakes completed");
        CounterSnapshot.Builder handovers = counter("molia_handovers",
                "Datagrams and messages this shard was handed by another");
        CounterSnapshot.Builder timestampsEvicted = counter("molia_handshake_timestamps_evicted",
                "Keys whose newest initiation timestamp left the node-wide replay table for another key");
        CounterSnapshot.Builder candidates = counter("molia_routing_candidates",
                "Peers that contacted the node and were queued to be pinged, dropped unpinged, or pinged");
        GaugeSnapshot.Builder routing = gauge("molia_routing_table_contacts", "Contacts in the routing table");
        GaugeSnapshot.Builder sessions = gauge("molia_sessions", "Live sessions");
        GaugeSnapshot.Builder records = gauge("molia_records", "Records held for others");
        for (int i = 0; i < shards.size(); i++) {
            ShardSource s = shards.get(i);
            String shard = String.valueOf(i);
            CoreCounters c = s.core();
            SessionCounters sc = s.sessions();
            add(in, shard, c.datagramsIn);
            add(out, shard, c.datagramsOut);
            add(lookups, shard, c.lookupsStarted);
            add(timeouts, shard, c.hardTimeouts);
            add(handshakes, shard, sc.handshakesCompleted);
            add(handovers, shard, s.handovers());
            add(timestampsEvicted, shard, sc.timestampsEvicted);
            add(candidates, shard, "queued", c.candidatesQueued);
            add(candidates, shard, "dropped", c.candidatesDropped);
            add(candidates, shard, "pinged", c.candidatePings);
            for (DecodeStatus status : DecodeStatus.values()) {
                if (status != DecodeStatus.OK) {
                    add(dropped, shard, "decode_" + status.name().toLowerCase(), c.droppedByStatus[status.ordinal()]);
                }
            }
            add(dropped, shard, "too_short", sc.tooShort);
            add(dropped, shard, "unknown_type", sc.unknownType);
            add(dropped, shard, "bad_reserved", sc.badReserved);
            add(dropped, shard, "bad_mac1", sc.badMac1);
            add(dropped, shard, "rate_limited", sc.rateLimited);
            add(dropped, shard, "bad_handshake", sc.badHandshake);
            add(dropped, shard, "identity_mismatch", sc.identityMismatch);
            add(dropped, shard, "not_admitted", sc.notAdmitted);
            add(dropped, shard, "replayed_timestamp", sc.replayedTimestamp);
            add(dropped, shard, "stale_timestamp", sc.staleTimestamp);
            add(dropped, shard, "unknown_receiver_index", sc.unknownReceiverIndex);
            add(dropped, shard, "replayed_counter", sc.replayedCounter);
            add(dropped, shard, "bad_aead", sc.badAead);
            add(dropped, shard, "expired_session", sc.expiredSession);
            add(dropped, shard, "too_long", sc.tooLong);
            add(dropped, shard, "too_long_to_send", sc.tooLongToSend);
            add(dropped, shard, "transmit_ring_full", sc.transmitRingFull);
            add(dropped, shard, "handover_inbox_full", s.handoverDrops());
            set(routing, shard, s.routingTableSize());
            set(sessions, shard, s.sessionCount());
            set(records, shard, s.records());
        }
        List<MetricSnapshot> all = new ArrayList<>();
        for (CounterSnapshot.Builder b : List.of(in, out, dropped, lookups, timeouts, handshakes, handovers,
                timestampsEvicted, candidates)) {
            all.add(b.build());
        }
        all.add(routing.build());
        all.add(sessions.build());
        all.add(records.build());
        return new MetricSnapshots(all);
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    private static void set(GaugeSnapshot.Builder b, String shard, double value) {
        b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("shard", shard)).value(value)
                .build());
    }

    private static void add(CounterSnapshot.Builder b, String shard, long value) {
        b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of("shard", shard))
                .value(value).build());
    }

    private static void add(CounterSnapshot.Builder b, String shard, String reason, long value) {
        b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .labels(Labels.of("shard", shard, "reason", reason)).value(value).build());
    }
}
