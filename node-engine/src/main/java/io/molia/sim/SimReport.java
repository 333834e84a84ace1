package io.molia.sim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one simulation run measured. Latencies are simulated milliseconds; {@code wallSeconds} and
 * {@code peakHeapBytes} describe the machine that ran it and are the only figures that differ between two runs of
 * the same seed. {@code samples} holds every measured lookup (for {@code --report}); {@code partition} is null
 * unless the run cut a region off, {@code sybils} unless it had an adversary (then the measured lookups are gets,
 * and a sample succeeded when it returned the value stored); {@code latencyBreakdown} says where the latency went
 * ({@link LatencyBreakdown}).
 */
public record SimReport(
        int nodes,
        long seed,
        double churnPerMinute,
        double loss,
        boolean sessions,
        int lookupsIssued,
        int lookupsCompleted,
        int lookupsAbandoned,
        double successRate,
        double kClosestShare,
        Percentiles latencyMs,
        Percentiles terminationMs,
        double meanHops,
        double meanMessagesPerLookup,
        long nodesReplaced,
        long datagramsSent,
        long datagramsLost,
        double simulatedSeconds,
        double wallSeconds,
        long peakHeapBytes,
        String traceDigest,
        PartitionOutcome partition,
        List<LookupSample> samples,
        SybilOutcome sybils, Map<String, Object> latencyBreakdown) {

    /** P50/P95/P99 and mean. */
    public record Percentiles(double p50, double p95, double p99, double mean) {
    }

    /** Stable field names for {@code --json} (scripts depend on them; see docs/benchmarks.md). */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nodes", nodes);
        m.put("seed", seed);
        m.put("churn_per_minute", churnPerMinute);
        m.put("loss", loss);
        m.put("sessions", sessions);
        m.put("lookups_issued", lookupsIssued);
        m.put("lookups_completed", lookupsCompleted);
        m.put("lookups_abandoned", lookupsAbandoned);
        m.put("success_rate", round(successRate, 4));
        m.put("k_closest_share", round(kClosestShare, 4));
        m.put("latency_ms", percentiles(latencyMs));
        m.put("termination_ms", percentiles(terminationMs));
        m.put("mean_hops", round(meanHops, 3));
        m.put("messages_per_lookup", round(meanMessagesPerLookup, 2));
        m.put("nodes_replaced", nodesReplaced);
        m.put("datagrams_sent", datagramsSent);
        m.put("datagrams_lost", datagramsLost);
        m.put("simulated_seconds", round(simulatedSeconds, 3));
        m.put("wall_seconds", round(wallSeconds, 2));
        m.put("peak_heap_mib", peakHeapBytes >> 20);
        m.put("trace_digest", traceDigest);
        if (partition != null) {
            m.put("partition", partition.toJsonMap());
        }
        if (sybils != null) {
            m.put("sybils", sybils.toJsonMap(lookupsIssued - lookupsAbandoned));
        }
        m.put("latency_breakdown", latencyBreakdown);
        return m;
    }

    /** Every measured lookup, column by column (the {@code --report} file's {@code samples}). */
    public Map<String, Object> samplesJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start_s", samples.stream().map(s -> round(s.startSeconds(), 3)).toList());
        m.put("latency_ms", samples.stream().map(s -> round(s.latencyMs(), 1)).toList());
        m.put("finished_ms", samples.stream().map(s -> round(s.finishedMs(), 1)).toList());
        m.put("hops", samples.stream().map(LookupSample::hops).toList());
        m.put("requests", samples.stream().map(LookupSample::requests).toList());
        m.put("ok", samples.stream().map(s -> s.ok() ? 1 : 0).toList());
        return m;
    }

    /** The human table. */
    public String toTable() {
        StringBuilder b = new StringBuilder();
        row(b, "nodes", String.valueOf(nodes));
        row(b, "seed", String.valueOf(seed));
        row(b, "churn / loss", String.format("%.2f per min / %.2f%%", churnPerMinute, loss * 100));
        row(b, "nodes driven as", sessions ? "shards with WireGuard sessions (every datagram sealed)"
                : "protocol cores (inner messages)");
        row(b, "lookups", lookupsCompleted + " of " + lookupsIssued + " completed, " + lookupsAbandoned
                + " abandoned (origin left)");
        if (sybils == null) {
            row(b, "success", String.format("%.2f%% (closest live node in the result)", successRate * 100));
            row(b, "k closest found", String.format("%.2f%%", kClosestShare * 100));
        } else {
            row(b, "success", String.format("%.2f%% (gets that returned the value stored)", successRate * 100));
        }
        row(b, sybils == null ? "latency (closest answered)" : "latency (value returned)", fmt(latencyMs));
        row(b, sybils == null ? "latency (lookup finished)" : "latency (get finished)", fmt(terminationMs));
        row(b, "hops / messages", String.format("%.2f hops, %.1f requests per lookup", meanHops,
                meanMessagesPerLookup));
        row(b, "nodes replaced", String.valueOf(nodesReplaced));
        row(b, "datagrams", String.format("%d sent, %d lost", datagramsSent, datagramsLost));
        row(b, "simulated / wall", String.format("%.1f s / %.1f s", simulatedSeconds, wallSeconds));
        row(b, "peak heap", (peakHeapBytes >> 20) + " MiB");
        row(b, "trace digest", traceDigest);
        if (sybils != null) {
            sybils.rows(b, lookupsIssued - lookupsAbandoned);
        }
        row(b, "where the latency went", String.valueOf(latencyBreakdown));
        if (partition != null) {
            PartitionOutcome p = partition;
            row(b, "partition", String.format("%.0f%% of the sites (%d nodes) cut off at %.0f s for %.0f s, %d "
                    + "datagrams lost to the cut", p.partition().fraction() * 100, p.nodesInside(),
                    p.partition().startSeconds(), p.partition().durationSeconds(), p.datagramsCut()));
            row(b, "  success before the cut", p.before().toString());
            row(b, "  during: inside / outside", p.inside() + " / " + p.outside());
            row(b, "  during: across the cut", p.across().toString());
            row(b, "  after the heal", p.after().toString());
            row(b, "  back to 99% after", p.recoverySeconds() < 0 ? "not within the run"
                    : String.format("%.0f s (%.0f-s windows)", p.recoverySeconds(), PartitionOutcome.WINDOW_SECONDS));
        }
        return b.toString();
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append(String.format("%-28s %s%n", name, value));
    }

    private static String fmt(Percentiles p) {
        return String.format("P50 %.0f ms  P95 %.0f ms  P99 %.0f ms  (mean %.0f)", p.p50, p.p95, p.p99, p.mean);
    }

    private static Map<String, Object> percentiles(Percentiles p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", round(p.p50, 1));
        m.put("p95", round(p.p95, 1));
        m.put("p99", round(p.p99, 1));
        m.put("mean", round(p.mean, 1));
        return m;
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }
}
