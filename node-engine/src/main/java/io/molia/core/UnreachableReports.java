package io.molia.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeId;

/**
 * The budgets of the checks this node makes when a peer reports that contacts it handed out did not answer (a PING's
 * {@code unreachable} IDs; docs/simulator.md, "Dead contacts reported back"). A report is a hint, never evidence: the
 * entry is only pinged, and leaves the answers only if it misses that ping too, as any entry that fails a request of
 * this node. So a Sybil reporting honest entries gets pings sent to them and nothing more, and this bounds those
 * pings: per reporter {@link #PER_REPORTER_BURST}, then one per {@link #PER_REPORTER_INTERVAL_NS}; in total
 * {@link #TOTAL_BURST}, then one per {@link #TOTAL_INTERVAL_NS} (token buckets kept as the time the next check is
 * due, GCRA). At most {@link #REPORTERS} reporters are remembered (the least recent is forgotten first: a forgotten
 * reporter starts with a full burst, still under the total budget).
 *
 * <p>Owned by the routing table's owner core; not thread-safe.
 */
final class UnreachableReports {
    static final int PER_REPORTER_BURST = 8;
    static final long PER_REPORTER_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    static final int TOTAL_BURST = 32;
    static final long TOTAL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    static final int REPORTERS = 256;
    /**
     * An entry this node heard from this recently most likely answered after the reporter's request went out (which
     * then missed two timeouts): not checked.
     */
    static final long HEARD_LATELY_NS = TimeUnit.SECONDS.toNanos(5);

    /** Reporter → when its next check is due; a check is allowed while that is at most a burst ahead of now. */
    private final Map<NodeId, long[]> dueByReporter = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, long[]> eldest) {
            return size() > REPORTERS;
        }
    };
    private long totalDueNs = Long.MIN_VALUE;

    /** Whether one more check for {@code reporter}'s report fits both budgets now; if so it is taken from both. */
    boolean tryTake(long nowNs, NodeId reporter) {
        long[] due = dueByReporter.get(reporter);
        long reporterDueNs = due == null ? nowNs : Math.max(due[0], nowNs);
        long totalDueNs = Math.max(this.totalDueNs, nowNs);
        if (reporterDueNs - nowNs > (PER_REPORTER_BURST - 1) * PER_REPORTER_INTERVAL_NS
                || totalDueNs - nowNs > (TOTAL_BURST - 1) * TOTAL_INTERVAL_NS) {
            return false;
        }
        if (due == null) {
            due = new long[1];
            dueByReporter.put(reporter, due);
        }
        due[0] = reporterDueNs + PER_REPORTER_INTERVAL_NS;
        this.totalDueNs = totalDueNs + TOTAL_INTERVAL_NS;
        return true;
    }
}
