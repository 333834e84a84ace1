package io.molia.dash;

import java.util.List;
import java.util.Map;

import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.BansView;
import io.molia.admin.proto.MetricsView;
import io.molia.admin.proto.NodeInfo;
import io.molia.admin.proto.PeersView;
import io.molia.admin.proto.RecordsView;
import io.molia.admin.proto.RoutingView;
import io.molia.admin.proto.SessionsView;

/**
 * One immutable snapshot of what a node's admin socket last said, as the dashboard draws it: the latest answer of
 * each view (null until the first one arrives), rates the client computed from successive metrics (counter deltas
 * over the node's own uptime delta) and short histories of those rates for the sparklines. Nothing in it is made
 * up: a figure the socket did not give is absent, and the screens say so.
 *
 * @param sequence   grows with every update received; equal sequences mean equal models
 * @param target     the admin socket this model comes from
 * @param connected  whether the connection is up; when not, {@code status} says why and the views are the last ones
 * @param status     one line: "connected", or "disconnected, retrying: why"
 * @param intervalMs the update interval asked of the node
 * @param errors     the errors view, or its {@code unavailable} answer (a node without a log backend)
 * @param subsystems admission, relays, nat, wal: their answers (in this version: {@code unavailable} with a reason)
 * @param rates      per second, by counter name ({@link Sampler#RATE_COUNTERS}); absent until two metrics arrived
 * @param history    the last rates per counter and the last lookup latency percentiles
 *                   ({@link Sampler#LATENCY_GAUGES}), oldest first, one point per metrics update
 * @param devnetNode the devnet node index shown, or -1 when the socket was named directly
 * @param devnetSize how many nodes the devnet data dir holds (0 when not a devnet)
 */
public record DashModel(long sequence, String target, boolean connected, String status, long intervalMs,
        NodeInfo info, MetricsView metrics, RoutingView routing, PeersView peers, SessionsView sessions,
        RecordsView records, BansView bans, AdminResponse errors, Map<String, AdminResponse> subsystems,
        Map<String, Double> rates, Map<String, List<Double>> history, int devnetNode, int devnetSize) {

    /** The model before anything was received. */
    public static DashModel empty(String target, long intervalMs) {
        return new DashModel(0, target, false, "connecting", intervalMs, null, null, null, null, null, null, null,
                null, Map.of(), Map.of(), Map.of(), -1, 0);
    }

    /** A counter's last value, or -1 when the metrics view has not arrived or lacks it. */
    public long counter(String name) {
        return metrics == null ? -1 : metrics.getCountersOrDefault(name, -1L);
    }

    /** A rate per second, or NaN when not known yet. */
    public double rate(String name) {
        Double r = rates.get(name);
        return r == null ? Double.NaN : r;
    }

    public List<Double> series(String name) {
        return history.getOrDefault(name, List.of());
    }

    public String shortId() {
        return info == null ? "?" : info.getNodeId().substring(0, 16);
    }
}
