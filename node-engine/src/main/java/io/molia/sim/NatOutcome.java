package io.molia.sim;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.molia.nat.NatType;

/**
 * What a run with NATs ({@code molia sim --nat-share}) shows beyond the usual figures, taken at its end: per true NAT
 * type, how many live nodes sit behind one, how many classified themselves correctly (their core's own
 * {@code NatTraversal}, from peers' observations and dial-back probes), how many run as DHT clients and how many hold
 * a relay reservation (also among those up for at least {@link #SETTLED_SECONDS}: a fresh joiner is still probing);
 * the datagrams NATs dropped, the dial-back probes; the measured lookups split by origin: started behind a NAT or from
 * a public node; and the failed lookups by the NAT type of the node they missed (the closest live server).
 */
public record NatOutcome(NatMix mix, Map<NatType, TypeFigures> byType, long datagramsFiltered, long probesSent,
        long probesDelivered, Origin fromNatted, Origin fromPublic, Map<String, Integer> failuresByClosestNat) {

    /** How long a node has been up before its classification is judged "settled". */
    static final double SETTLED_SECONDS = 30;

    /** One live node at the end: its true NAT type, what it classified itself as, its role, its reservation. */
    record Node(NatType truth, NatType classified, boolean client, boolean reserved, boolean settled) {
    }

    /** The live nodes behind one type of NAT (OPEN: public): how they see themselves. */
    public record TypeFigures(int nodes, int classifiedCorrectly, int unknown, int clients, int relayReservations,
            int settled, int settledCorrectly, Map<String, Integer> classifiedAs) {
        Map<String, Object> toJsonMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("nodes", nodes);
            m.put("classified_correctly", classifiedCorrectly);
            m.put("unknown", unknown);
            m.put("clients", clients);
            m.put("servers", nodes - clients);
            m.put("relay_reservations", relayReservations);
            m.put("settled", settled);
            m.put("settled_classified_correctly", settledCorrectly);
            m.put("classified_as", classifiedAs);
            return m;
        }
    }

    /** The measured lookups one kind of node started (completed ones): success and latency (closest answered). */
    public record Origin(int lookups, double successRate, SimReport.Percentiles latencyMs) {
        static Origin of(List<LookupSample> samples) {
            double[] latency = samples.stream().mapToDouble(LookupSample::latencyMs).toArray();
            Arrays.sort(latency);
            long ok = samples.stream().filter(LookupSample::ok).count();
            return new Origin(samples.size(), samples.isEmpty() ? 0 : (double) ok / samples.size(),
                    Simulation.percentiles(latency));
        }

        Map<String, Object> toJsonMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lookups", lookups);
            m.put("success_rate", Math.round(successRate * 10_000) / 10_000.0);
            m.put("latency_ms", Map.of("p50", latencyMs.p50(), "p95", latencyMs.p95(), "p99", latencyMs.p99()));
            return m;
        }

        @Override
        public String toString() {
            return String.format("%d lookups, %.2f%% success, P50 %.0f ms  P95 %.0f ms  P99 %.0f ms", lookups,
                    successRate * 100, latencyMs.p50(), latencyMs.p95(), latencyMs.p99());
        }
    }

    static NatOutcome of(NatMix mix, long nowNs, List<Node> nodes, long filtered, long probesSent,
            long probesDelivered, List<LookupSample> fromNatted, List<LookupSample> fromPublic,
            Map<NatType, Integer> failuresByClosestNat) {
        Map<NatType, int[]> counts = new EnumMap<>(NatType.class);
        Map<NatType, Map<String, Integer>> as = new EnumMap<>(NatType.class);
        for (Node n : nodes) {
            as.computeIfAbsent(n.truth(), t -> new java.util.TreeMap<>()).merge(n.classified().label(), 1,
                    Integer::sum);
            int[] c = counts.computeIfAbsent(n.truth(), t -> new int[7]);
            c[0]++;
            c[1] += n.classified() == n.truth() ? 1 : 0;
            c[2] += n.classified() == NatType.UNKNOWN ? 1 : 0;
            c[3] += n.client() ? 1 : 0;
            c[4] += n.reserved() ? 1 : 0;
            c[5] += n.settled() ? 1 : 0;
            c[6] += n.settled() && n.classified() == n.truth() ? 1 : 0;
        }
        Map<NatType, TypeFigures> byType = new EnumMap<>(NatType.class);
        counts.forEach((t, c) -> byType.put(t, new TypeFigures(c[0], c[1], c[2], c[3], c[4], c[5], c[6],
                as.get(t))));
        Map<String, Integer> failures = new LinkedHashMap<>();
        failuresByClosestNat.forEach((t, count) -> failures.put(t.label(), count));
        return new NatOutcome(mix, byType, filtered, probesSent, probesDelivered, Origin.of(fromNatted),
                Origin.of(fromPublic), failures);
    }

    /** Live nodes that classified themselves as their true type. */
    public int classifiedCorrectly() {
        return byType.values().stream().mapToInt(TypeFigures::classifiedCorrectly).sum();
    }

    public int nodes() {
        return byType.values().stream().mapToInt(TypeFigures::nodes).sum();
    }

    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("share", mix.share());
        m.put("mix", Map.of("full_cone", mix.fullCone(), "address_restricted", mix.addressRestricted(),
                "port_restricted", mix.portRestricted(), "symmetric", mix.symmetric()));
        m.put("mapping_timeout_s", mix.mappingTimeoutSeconds());
        Map<String, Object> types = new LinkedHashMap<>();
        byType.forEach((t, f) -> types.put(t.label(), f.toJsonMap()));
        m.put("by_type", types);
        m.put("classified_correctly", classifiedCorrectly());
        m.put("datagrams_filtered", datagramsFiltered);
        m.put("probes_sent", probesSent);
        m.put("probes_delivered", probesDelivered);
        m.put("lookups_from_natted", fromNatted.toJsonMap());
        m.put("lookups_from_public", fromPublic.toJsonMap());
        m.put("failures_by_closest_nat", failuresByClosestNat);
        return m;
    }

    public String toTable() {
        StringBuilder b = new StringBuilder();
        row(b, "NATs", mix.toString());
        row(b, "classified correctly", String.format("%d of %d live nodes", classifiedCorrectly(), nodes()));
        byType.forEach((t, f) -> row(b, "  " + t.label(), String.format("%d nodes: %d correct, %d unknown, "
                + "%d clients, %d servers, %d relay reservations; classified as %s; up >= %.0f s: %d of %d correct",
                f.nodes(), f.classifiedCorrectly(), f.unknown(), f.clients(), f.nodes() - f.clients(),
                f.relayReservations(), f.classifiedAs(), SETTLED_SECONDS, f.settledCorrectly(), f.settled())));
        row(b, "NAT-filtered datagrams", String.valueOf(datagramsFiltered));
        row(b, "dial-back probes", probesSent + " sent, " + probesDelivered + " delivered");
        row(b, "lookups from NATed nodes", fromNatted.toString());
        row(b, "lookups from public nodes", fromPublic.toString());
        row(b, "failed: closest server's NAT", failuresByClosestNat.toString());
        return b.toString();
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append(String.format("%-28s %s%n", name, value));
    }
}
