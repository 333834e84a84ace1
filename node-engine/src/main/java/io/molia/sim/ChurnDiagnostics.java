package io.molia.sim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.core.lookup.LookupHop;

/**
 * Where churn costs a measured lookup, for {@code latency_breakdown.churn} of the JSON: split by the origin's age
 * (a warm-start node, or a newcomer up for less or more than a minute) and by 20-second windows of lookup starts,
 * how full and how dead the origin's table was when the lookup started, how many peers that had left it asked
 * (seeds from its own table, or peers learned from answers), and what that did to latency and hops.
 * Observing changes nothing a lookup does.
 */
final class ChurnDiagnostics {
    static final double NEWCOMER_SECONDS = 60;
    static final double WINDOW_SECONDS = 20;

    /** The origin's state when a lookup started. */
    record Start(String originAge, double startSeconds, int tableEntries, int deadEntries) {
    }

    private final Map<Long, Start> starts = new HashMap<>();
    private final Map<String, Figures> byOrigin = new TreeMap<>();
    private final Map<Long, Figures> byWindow = new TreeMap<>();

    void onStart(long key, Start start) {
        starts.put(key, start);
    }

    /** A measured lookup ended; {@code departed} says whether a peer had left the network when asked. */
    void onEnd(long key, double latencyMs, int hops, List<LookupHop> trace, Predicate<Contact> departed) {
        Start s = starts.remove(key);
        if (s == null || trace == null) {
            return;
        }
        int departedSeeds = 0;
        int departedLearned = 0;
        Set<NodeId> counted = new HashSet<>(); // a departed peer shows as SLOW, then maybe TIMEOUT: counted once
        for (LookupHop h : trace) {
            if (h.outcome() != LookupHop.Outcome.ANSWERED && h.outcome() != LookupHop.Outcome.VALUE
                    && departed.test(h.peer()) && counted.add(h.peer().id())) {
                if (h.hop() <= 1) {
                    departedSeeds++;
                } else {
                    departedLearned++;
                }
            }
        }
        for (Figures f : new Figures[] {byOrigin.computeIfAbsent(s.originAge(), a -> new Figures()),
                byWindow.computeIfAbsent((long) (s.startSeconds() / WINDOW_SECONDS), w -> new Figures())}) {
            f.add(latencyMs, hops, s, departedSeeds, departedLearned);
        }
    }

    Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> origins = new LinkedHashMap<>();
        byOrigin.forEach((age, f) -> origins.put(age, f.toJsonMap()));
        m.put("by_origin", origins);
        Map<String, Object> windows = new LinkedHashMap<>();
        byWindow.forEach((w, f) -> windows.put(String.valueOf((long) (w * WINDOW_SECONDS)), f.toJsonMap()));
        m.put("by_start_s", windows);
        return m;
    }

    private static final class Figures {
        private double[] latencyMs = new double[64];
        private int n;
        private long hops;
        private long entries;
        private long dead;
        private long departedSeeds;
        private long departedLearned;
        private int newcomers;

        void add(double latency, int h, Start s, int seeds, int learned) {
            if (n == latencyMs.length) {
                latencyMs = Arrays.copyOf(latencyMs, 2 * n);
            }
            latencyMs[n++] = latency;
            hops += h;
            entries += s.tableEntries();
            dead += s.deadEntries();
            departedSeeds += seeds;
            departedLearned += learned;
            newcomers += s.originAge().equals("warm_start") ? 0 : 1;
        }

        Map<String, Object> toJsonMap() {
            double[] sorted = Arrays.copyOf(latencyMs, n);
            Arrays.sort(sorted);
            SimReport.Percentiles p = Simulation.percentiles(sorted);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lookups", n);
            m.put("origin_newcomer_share", round(newcomers / (double) n));
            m.put("latency_ms_p50", Math.round(p.p50()));
            m.put("latency_ms_p95", Math.round(p.p95()));
            m.put("hops_mean", round(hops / (double) n));
            m.put("origin_table_entries_mean", round(entries / (double) n));
            m.put("origin_table_dead_share", round(dead / (double) Math.max(1, entries)));
            m.put("departed_seeds_asked_mean", round(departedSeeds / (double) n));
            m.put("departed_learned_asked_mean", round(departedLearned / (double) n));
            return m;
        }

        private static double round(double v) {
            return Math.round(v * 1000) / 1000.0;
        }
    }
}
