package io.molia.dash;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.AdmissionRequest;
import io.molia.admin.proto.BansRequest;
import io.molia.admin.proto.ErrorsRequest;
import io.molia.admin.proto.InfoRequest;
import io.molia.admin.proto.MetricsRequest;
import io.molia.admin.proto.NatRequest;
import io.molia.admin.proto.PeersRequest;
import io.molia.admin.proto.RecordsRequest;
import io.molia.admin.proto.RelaysRequest;
import io.molia.admin.proto.RoutingRequest;
import io.molia.admin.proto.SessionsRequest;
import io.molia.admin.proto.WalRequest;
import io.molia.adminclient.AdminClient;

/**
 * Keeps a connection to one node's admin socket and the latest answer of every view the dashboard shows. Twelve
 * views are subscribed to (the node pushes them every interval: the node does no more work than for a
 * {@code molia admin watch}), the NAT, relays and admission views among them. A node that does not answer a first
 * question within 5 s is given up and tried again from scratch.
 * When the connection dies a background thread reconnects every half second, for as long as it takes;
 * meanwhile {@link #snapshot()} says "disconnected, retrying". Thread-safe: updates arrive on the client's reader
 * thread, snapshots are taken by the dashboard thread.
 */
public final class Sampler implements AutoCloseable {
    /** Counters turned into per-second rates (and sparkline histories). */
    public static final List<String> RATE_COUNTERS = List.of("datagrams_in", "datagrams_out", "datagrams_dropped",
            "kernel_receive_drops", "lookups_started", "requests_in", "requests_out", "handshakes_completed",
            "hard_timeouts",
            "session_rate_limited", "session_not_admitted", "ban_dropped_datagrams");
    /** Per-shard counters turned into rates too: CPU ns per second (a load), bytes allocated per second. */
    static final java.util.regex.Pattern SHARD_COUNTER = java.util.regex.Pattern.compile(
            "shard_\\d+_(cpu_ns|allocated_bytes)");
    /** Gauges whose values (not rates) get a history: the lookup latency percentiles the node computes. */
    public static final List<String> LATENCY_GAUGES = List.of("lookup_latency_p50_us", "lookup_latency_p95_us",
            "lookup_latency_p99_us");
    static final int HISTORY_POINTS = 600;
    private static final long RETRY_MS = 500;

    private final int intervalMs;
    private final Thread thread;
    private volatile boolean running = true;

    // Guarded by this.
    private Path target;
    private int devnetNode;
    private int devnetSize;
    private AdminClient client;
    private final List<AutoCloseable> subscriptions = new ArrayList<>();
    private final Map<AdminResponse.BodyCase, AdminResponse> latest = new HashMap<>();
    private final Map<String, AdminResponse> subsystems = new LinkedHashMap<>();
    private final Map<String, Double> rates = new HashMap<>();
    private final Map<String, ArrayDeque<Double>> history = new HashMap<>();
    private AdminResponse errors;
    private Map<String, Long> lastCounters;
    private long lastUptimeMs = -1;
    private long sequence;
    private String status = "connecting";

    /**
     * Starts sampling {@code socket} every {@code intervalMs} (at least 100, the node's minimum).
     *
     * @param devnetNode the devnet node index the socket belongs to, or -1
     * @param devnetSize the number of nodes in that devnet, or 0
     */
    public Sampler(Path socket, int intervalMs, int devnetNode, int devnetSize) {
        if (intervalMs < 100) {
            throw new IllegalArgumentException("the interval must be at least 100 ms");
        }
        this.intervalMs = intervalMs;
        this.target = socket;
        this.devnetNode = devnetNode;
        this.devnetSize = devnetSize;
        this.thread = new Thread(this::connectLoop, "molia-dash-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Follows another node (devnet switching): drops the connection and everything learnt from it. */
    public synchronized void retarget(Path socket, int node) {
        disconnect("switching to " + socket);
        target = socket;
        devnetNode = node;
        latest.clear();
        subsystems.clear();
        errors = null;
        resetRates();
        sequence++;
        notifyAll();
    }

    public synchronized Path target() {
        return target;
    }

    /** The current model: immutable, safe to hand to any thread. */
    public synchronized DashModel snapshot() {
        Map<String, List<Double>> h = new HashMap<>();
        history.forEach((k, v) -> h.put(k, List.copyOf(v)));
        AdminResponse info = latest.get(AdminResponse.BodyCase.INFO);
        AdminResponse metrics = latest.get(AdminResponse.BodyCase.METRICS);
        AdminResponse routing = latest.get(AdminResponse.BodyCase.ROUTING);
        AdminResponse peers = latest.get(AdminResponse.BodyCase.PEERS);
        AdminResponse sessions = latest.get(AdminResponse.BodyCase.SESSIONS);
        AdminResponse records = latest.get(AdminResponse.BodyCase.RECORDS);
        AdminResponse bans = latest.get(AdminResponse.BodyCase.BANS);
        return new DashModel(sequence, target.toString(), client != null && client.isOpen(), status, intervalMs,
                info == null ? null : info.getInfo(), metrics == null ? null : metrics.getMetrics(),
                routing == null ? null : routing.getRouting(), peers == null ? null : peers.getPeers(),
                sessions == null ? null : sessions.getSessions(), records == null ? null : records.getRecords(),
                bans == null ? null : bans.getBans(), errors, Map.copyOf(subsystems), Map.copyOf(rates), Map.copyOf(h),
                devnetNode, devnetSize);
    }

    /** Grows with every update: the dashboard redraws when it changed. */
    public synchronized long sequence() {
        return sequence;
    }

    /** Waits until the sequence passes {@code after} or the timeout ends; returns the sequence. */
    public synchronized long awaitSequence(long after, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (sequence <= after) {
            long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return sequence;
    }

    /** Sends one action (the dashboard's ping) on the current connection; null when not connected. */
    public AdminResponse call(AdminRequest.Builder request) throws Exception {
        AdminClient c;
        synchronized (this) {
            c = client;
        }
        if (c == null || !c.isOpen()) {
            return null;
        }
        return c.call(request, 10, TimeUnit.SECONDS);
    }

    private void connectLoop() {
        while (running) {
            Path socket;
            synchronized (this) {
                if (client != null && client.isOpen()) {
                    try {
                        wait(RETRY_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
                socket = target;
            }
            try {
                connect(socket);
            } catch (Exception e) {
                synchronized (this) {
                    String why = e.getMessage() == null ? e.toString() : e.getMessage();
                    if (target.equals(socket)) {
                        status = "disconnected, retrying: " + why;
                        sequence++;
                        notifyAll();
                    }
                }
                try {
                    Thread.sleep(RETRY_MS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void connect(Path socket) throws Exception {
        AdminClient c = AdminClient.connect(socket);
        try { // a node that answers
            c.call(AdminRequest.newBuilder().setInfo(InfoRequest.getDefaultInstance()), 5, TimeUnit.SECONDS);
        } catch (Exception e) {
            c.close(); // a node that does not answer: try again from scratch
            throw e;
        }
        synchronized (this) {
            if (!running || !target.equals(socket)) {
                c.close();
                return;
            }
            client = c;
            subsystems.clear();
            resetRates();
            status = "connected";
            sequence++;
            notifyAll();
            c.onClose(() -> onClosed(c));
            List<AdminRequest.Builder> views = List.of(
                    AdminRequest.newBuilder().setInfo(InfoRequest.getDefaultInstance()),
                    AdminRequest.newBuilder().setMetrics(MetricsRequest.getDefaultInstance()),
                    AdminRequest.newBuilder().setRouting(RoutingRequest.newBuilder().setIncludeContacts(true)),
                    AdminRequest.newBuilder().setPeers(PeersRequest.getDefaultInstance()),
                    AdminRequest.newBuilder().setSessions(SessionsRequest.getDefaultInstance()),
                    AdminRequest.newBuilder().setRecords(RecordsRequest.newBuilder().setTop(20)),
                    AdminRequest.newBuilder().setBans(BansRequest.getDefaultInstance()),
                    AdminRequest.newBuilder().setErrors(ErrorsRequest.newBuilder().setMax(256)),
                    AdminRequest.newBuilder().setWal(WalRequest.getDefaultInstance()),
                    AdminRequest.newBuilder().setNat(NatRequest.getDefaultInstance()),
                    AdminRequest.newBuilder().setRelays(RelaysRequest.getDefaultInstance()),
                    AdminRequest.newBuilder().setAdmission(AdmissionRequest.getDefaultInstance()));
            for (AdminRequest.Builder v : views) {
                AdminRequest.BodyCase asked = v.getBodyCase();
                subscriptions.add(c.subscribe(v, intervalMs, r -> onUpdate(c, asked, r)));
            }
        }
    }

    private synchronized void onClosed(AdminClient c) {
        if (client == c) {
            client = null;
            subscriptions.clear();
            status = "disconnected, retrying: the node closed the connection";
            sequence++;
            notifyAll();
        }
    }

    private synchronized void onUpdate(AdminClient c, AdminRequest.BodyCase asked, AdminResponse r) {
        if (client != c) {
            return; // a late update from a connection given up
        }
        if (asked == AdminRequest.BodyCase.ERRORS) {
            errors = r; // the errors view, or `unavailable` without a log backend
        } else if (asked == AdminRequest.BodyCase.WAL) {
            subsystems.put("wal", r); // the WAL's figures move, so it is subscribed; `unavailable` without a WAL
        } else if (asked == AdminRequest.BodyCase.NAT) {
            subsystems.put("nat", r); // observers, probes and the role move: subscribed; `unavailable` when off
        } else if (asked == AdminRequest.BodyCase.RELAYS) {
            subsystems.put("relays", r); // the budget and circuits move: subscribed; `unavailable` when off
        } else if (asked == AdminRequest.BodyCase.ADMISSION) {
            subsystems.put("admission", r); // scores and load move: subscribed; `unavailable` from an older node
        } else if (r.hasError() || r.hasUnavailable()) {
            status = "connected; " + asked.name().toLowerCase(java.util.Locale.ROOT) + ": "
                    + (r.hasError() ? r.getError().getMessage() : r.getUnavailable().getReason());
        } else {
            latest.put(r.getBodyCase(), r);
            if (r.hasMetrics()) {
                onMetrics(r);
            }
        }
        sequence++;
        notifyAll();
    }

    private void onMetrics(AdminResponse r) {
        Map<String, Long> counters = r.getMetrics().getCountersMap();
        long uptimeMs = r.getMetrics().getUptimeMs();
        if (lastCounters != null && uptimeMs > lastUptimeMs) {
            double seconds = (uptimeMs - lastUptimeMs) / 1000.0;
            for (Map.Entry<String, Long> e : counters.entrySet()) {
                String name = e.getKey();
                if (!RATE_COUNTERS.contains(name) && !SHARD_COUNTER.matcher(name).matches()) {
                    continue;
                }
                Long before = lastCounters.get(name);
                if (before == null) {
                    continue;
                }
                double rate = Math.max(0, e.getValue() - before) / seconds;
                rates.put(name, rate);
                remember(name, rate);
            }
            if (counters.getOrDefault("lookup_latency_samples", 0L) > 0) {
                for (String name : LATENCY_GAUGES) {
                    Long v = counters.get(name);
                    if (v != null) {
                        remember(name, v);
                    }
                }
            }
        }
        if (lastCounters == null || uptimeMs > lastUptimeMs) {
            lastCounters = Map.copyOf(counters);
            lastUptimeMs = uptimeMs;
        }
    }

    private void remember(String name, double value) {
        ArrayDeque<Double> h = history.computeIfAbsent(name, k -> new ArrayDeque<>());
        h.addLast(value);
        while (h.size() > HISTORY_POINTS) {
            h.removeFirst();
        }
    }

    private void resetRates() {
        rates.clear();
        history.clear();
        lastCounters = null;
        lastUptimeMs = -1;
    }

    private void disconnect(String why) {
        AdminClient c = client;
        client = null;
        for (AutoCloseable s : subscriptions) {
            try {
                s.close();
            } catch (Exception ignored) {
                // the connection closes below anyway
            }
        }
        subscriptions.clear();
        if (c != null) {
            c.close();
        }
        status = why;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        synchronized (this) {
            disconnect("closed");
        }
    }
}
