package io.molia.sim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.molia.contact.NodeId;
import io.molia.core.lookup.LookupHop;

/**
 * How far a measured lookup was from a perfect path, for {@code latency_breakdown.closest} of the JSON: the round
 * trip from the origin to the true closest live node (the floor of the latency of any lookup that must hear it), and
 * that node's age when the lookup started, how many live tables held it then (all, and among its own k nearest
 * live nodes, the ones a lookup asks last), whether the origin's own table held it, and at which hop the lookup
 * learned of it (1: the origin's table; 2: named by a first-hop answer; ...). Split by the closest node's age
 * (warm start, joined under a minute before, joined earlier): under churn the closest node is often a recent joiner.
 * Observing changes nothing a lookup does.
 */
final class ClosestNodeDiagnostics {
    /** The true closest node, as the simulator's global view saw it when a lookup started. */
    record Start(NodeId closest, String closestAge, double floorRttMs, int knownByTables, int knownByNearest,
            boolean inOriginTable) {
    }

    private final Map<Long, Start> starts = new HashMap<>();
    private final Figures all = new Figures();
    private final Map<String, Figures> byAge = new TreeMap<>();

    void onStart(long key, Start start) {
        starts.put(key, start);
    }

    /**
     * A measured lookup ended. Only lookups whose true closest is still the one seen at their start are counted (it
     * rarely leaves within a lookup).
     */
    void onEnd(long key, NodeId trueClosest, long startedNs, double latencyMs, int hops,
            List<LookupHop> trace) {
        Start s = starts.remove(key);
        if (s == null || trace == null || !s.closest().equals(trueClosest)) {
            return;
        }
        int learnedAtHop = 0;
        double askedMs = -1;
        for (LookupHop h : trace) {
            if (h.peer().id().equals(trueClosest)) {
                learnedAtHop = h.hop();
                askedMs = (h.sentNs() - startedNs) / 1e6;
                break;
            }
        }
        all.add(s, latencyMs, hops, learnedAtHop, askedMs);
        byAge.computeIfAbsent(s.closestAge(), a -> new Figures()).add(s, latencyMs, hops, learnedAtHop, askedMs);
    }

    Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("all", all.toJsonMap(all.n));
        Map<String, Object> ages = new LinkedHashMap<>();
        byAge.forEach((age, f) -> ages.put(age, f.toJsonMap(all.n)));
        m.put("by_closest_age", ages);
        return m;
    }

    private static final class Figures {
        private double[] latencyMs = new double[64];
        private double[] floorMs = new double[64];
        private double[] askedMs = new double[64];
        private int n;
        private int asked;
        private long hops;
        private long knownBy;
        private long knownByNearest;
        private int inOriginTable;
        /** Lookups by the hop at which they learned the closest node: 1, 2, 3, 4 or more, never. */
        private final int[] learnedAt = new int[5];

        void add(Start s, double latency, int h, int learnedAtHop, double asked) {
            if (n == latencyMs.length) {
                latencyMs = Arrays.copyOf(latencyMs, 2 * n);
                floorMs = Arrays.copyOf(floorMs, 2 * n);
                askedMs = Arrays.copyOf(askedMs, 2 * n);
            }
            latencyMs[n] = latency;
            floorMs[n] = s.floorRttMs();
            n++;
            if (asked >= 0) {
                askedMs[this.asked++] = asked;
            }
            hops += h;
            knownBy += s.knownByTables();
            knownByNearest += s.knownByNearest();
            inOriginTable += s.inOriginTable() ? 1 : 0;
            learnedAt[learnedAtHop == 0 ? 4 : Math.min(learnedAtHop, 4) - 1]++;
        }

        Map<String, Object> toJsonMap(int total) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lookups", n);
            m.put("share", round(n / (double) Math.max(1, total)));
            SimReport.Percentiles latency = percentiles(latencyMs, n);
            SimReport.Percentiles floor = percentiles(floorMs, n);
            m.put("latency_ms_p50", Math.round(latency.p50()));
            m.put("latency_ms_p95", Math.round(latency.p95()));
            m.put("floor_rtt_ms_p50", Math.round(floor.p50()));
            m.put("floor_rtt_ms_p95", Math.round(floor.p95()));
            m.put("closest_asked_ms_p50", Math.round(percentiles(askedMs, asked).p50()));
            m.put("hops_mean", round(hops / (double) Math.max(1, n)));
            m.put("known_by_tables_mean", round(knownBy / (double) Math.max(1, n)));
            m.put("known_by_nearest_mean", round(knownByNearest / (double) Math.max(1, n)));
            m.put("in_origin_table_share", round(inOriginTable / (double) Math.max(1, n)));
            Map<String, Object> learned = new LinkedHashMap<>();
            String[] names = {"1", "2", "3", "4_or_more", "never_asked"};
            for (int i = 0; i < names.length; i++) {
                learned.put(names[i], round(learnedAt[i] / (double) Math.max(1, n)));
            }
            m.put("learned_at_hop_share", learned);
            return m;
        }

        private static SimReport.Percentiles percentiles(double[] values, int count) {
            double[] sorted = Arrays.copyOf(values, count);
            Arrays.sort(sorted);
            return Simulation.percentiles(sorted);
        }

        private static double round(double v) {
            return Math.round(v * 1000) / 1000.0;
        }
    }
}
