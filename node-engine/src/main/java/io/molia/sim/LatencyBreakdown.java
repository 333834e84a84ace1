package io.molia.sim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.molia.contact.NodeId;
import io.molia.core.lookup.LookupHop;

/**
 * Where a measured lookup's latency went, from its trace: how long until the closest node of the result was asked
 * (the path to it, with its waits) and how long that node then took to answer (the last hop), whether that last
 * request was hedged, and how many of the lookup's requests missed their hedge time before the closest answered.
 * Over all lookups and over the slowest 5 % (where the tail comes from).
 */
final class LatencyBreakdown {
    private double[] askedMs = new double[256];
    private double[] lastHopMs = new double[256];
    private boolean[] lastHedged = new boolean[256];
    private int[] slowBefore = new int[256];
    private int n;

    /** One lookup that found {@code closest}, answered at {@code closestAnsweredNs}; {@code hops} its trace. */
    void add(long startedNs, long closestAnsweredNs, NodeId closest, List<LookupHop> hops) {
        long askedNs = -1;
        boolean hedged = false;
        int slow = 0;
        for (LookupHop h : hops) {
            if (h.sentNs() + Math.max(0, h.rttNs()) > closestAnsweredNs) {
                continue;
            }
            boolean isClosest = h.peer().id().equals(closest);
            if (isClosest && askedNs < 0) {
                askedNs = h.sentNs();
            }
            if (h.outcome() == LookupHop.Outcome.SLOW) {
                slow++;
                hedged |= isClosest;
            }
        }
        if (askedNs < 0) {
            return;
        }
        if (n == askedMs.length) {
            askedMs = Arrays.copyOf(askedMs, 2 * n);
            lastHopMs = Arrays.copyOf(lastHopMs, 2 * n);
            lastHedged = Arrays.copyOf(lastHedged, 2 * n);
            slowBefore = Arrays.copyOf(slowBefore, 2 * n);
        }
        askedMs[n] = (askedNs - startedNs) / 1e6;
        lastHopMs[n] = (closestAnsweredNs - askedNs) / 1e6;
        lastHedged[n] = hedged;
        slowBefore[n] = slow;
        n++;
    }

    Map<String, Object> toJsonMap() {
        Integer[] bySlowest = new Integer[n];
        for (int i = 0; i < n; i++) {
            bySlowest[i] = i;
        }
        Arrays.sort(bySlowest, (a, b) -> Double.compare(askedMs[b] + lastHopMs[b], askedMs[a] + lastHopMs[a]));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lookups", n);
        m.put("all", figures(bySlowest, n));
        m.put("slowest_5pct", figures(bySlowest, Math.max(1, n / 20)));
        return m;
    }

    private Map<String, Object> figures(Integer[] bySlowest, int count) {
        double[] asked = new double[count];
        double[] last = new double[count];
        int hedged = 0;
        long slow = 0;
        for (int j = 0; j < count && j < n; j++) {
            int i = bySlowest[j];
            asked[j] = askedMs[i];
            last[j] = lastHopMs[i];
            hedged += lastHedged[i] ? 1 : 0;
            slow += slowBefore[i];
        }
        Arrays.sort(asked);
        Arrays.sort(last);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("closest_asked_ms_p50", Math.round(Simulation.percentiles(asked).p50()));
        m.put("closest_asked_ms_mean", Math.round(Simulation.percentiles(asked).mean()));
        m.put("last_hop_ms_p50", Math.round(Simulation.percentiles(last).p50()));
        m.put("last_hop_ms_mean", Math.round(Simulation.percentiles(last).mean()));
        m.put("last_hop_hedged_share", Math.round(1000.0 * hedged / Math.max(1, count)) / 1000.0);
        m.put("slow_requests_before_closest_mean", Math.round(100.0 * slow / Math.max(1, count)) / 100.0);
        return m;
    }
}
