package io.molia.core;

import java.util.concurrent.TimeUnit;

import io.molia.codec.ProtocolRange;

/**
 * The protocol parameters of one node. Defaults follow DESIGN §3.6; the simulator and tests override what they
 * study. Times are in nanoseconds of the caller's clock.
 *
 * @param k                    bucket size and lookup result size
 * @param alpha                lookup requests in flight
 * @param disjointPaths        S/Kademlia d for record reads and writes (values, mutable records, providers): d paths
 *                             that never share a peer, so one path through honest peers is enough; 1 = classic.
 *                             Each path has at least one request in flight ({@link #alphaOf}); at most k. Plain
 *                             FIND_NODE lookups (join, refresh, an operator's lookup) always take one path (see
 *                             {@link NodeCore}'s operations)
 * @param maxPerSubnetInBucket contacts from one /24 (IPv4) or /48 (IPv6) a bucket admits
 * @param replacementCacheSize replacement contacts kept per bucket
 * @param failuresBeforeEvict  consecutive failures after which a contact leaves its bucket
 * @param initialTimeoutNs     request timeout while the node has no RTT sample at all
 * @param minTimeoutNs         floor of adaptive timeouts
 * @param maxTimeoutNs         ceiling of adaptive timeouts
 * @param hardTimeoutFactor    a request is failed after this many times its adaptive (soft) timeout
 * @param refreshIntervalNs    a bucket with no lookup into it for this long is refreshed
 * @param maxPendingRequests   bound of the outstanding-request table; beyond it requests are refused and counted
 * @param maxLookups           bound of concurrent lookups started by this node
 * @param maxRecords           bound of the record store, in records
 * @param maxRecordBytes       bound of the record store, in value bytes
 * @param maxValueBytes        largest value a STORE may carry
 * @param maxRecordTtlNs       longest TTL a STORE may ask for
 * @param protocol             the protocol versions and feature bits the node speaks (DESIGN §3.4: rolling upgrades)
 */
public record CoreConfig(
        int k,
        int alpha,
        int disjointPaths,
        int maxPerSubnetInBucket,
        int replacementCacheSize,
        int failuresBeforeEvict,
        long initialTimeoutNs,
        long minTimeoutNs,
        long maxTimeoutNs,
        int hardTimeoutFactor,
        long refreshIntervalNs,
        int maxPendingRequests,
        int maxLookups,
        int maxRecords,
        long maxRecordBytes,
        int maxValueBytes,
        long maxRecordTtlNs,
        ProtocolRange protocol) {

    /**
     * d of record operations, measured against 20 % Sybils placed around the keys (docs/benchmarks.md): 8 paths of one
     * request each got 95.5 % of the gets right, 6 got 94.6 %, 4 paths (alpha's 4 shared) 94.5 %; with a get's second
     * round (NodeCore, d > 1) 98.5-98.6 % at seeds 7, 8, 9.
     */
    public static final int DEFAULT_DISJOINT_PATHS = 8;

    public CoreConfig {
        require(k >= 1 && k <= 64, "k must be in 1..64");
        require(alpha >= 1 && alpha <= k, "alpha must be in 1..k");
        require(disjointPaths >= 1 && disjointPaths <= k, "disjointPaths must be in 1..k");
        require(maxPerSubnetInBucket >= 1, "maxPerSubnetInBucket must be >= 1");
        require(minTimeoutNs > 0 && minTimeoutNs <= initialTimeoutNs && initialTimeoutNs <= maxTimeoutNs,
                "timeouts must satisfy 0 < min <= initial <= max");
        require(hardTimeoutFactor >= 1, "hardTimeoutFactor must be >= 1");
        require(maxPendingRequests >= alpha, "maxPendingRequests must be >= alpha");
    }

    public static CoreConfig defaults() {
        return new CoreConfig(20, 4, DEFAULT_DISJOINT_PATHS, 2, 20, 2,
                TimeUnit.MILLISECONDS.toNanos(1_000), TimeUnit.MILLISECONDS.toNanos(50),
                TimeUnit.MILLISECONDS.toNanos(2_000), 3, TimeUnit.MINUTES.toNanos(15),
                4_096, 256, 100_000, 256L << 20, 1_000, TimeUnit.HOURS.toNanos(24), ProtocolRange.THIS_RELEASE);
    }

    /**
     * The requests in flight of a lookup over {@code paths} disjoint paths: alpha, shared among the paths, but at
     * least one per path (d beyond alpha adds paths, each asking one peer at a time, rather than thinning them).
     */
    public int alphaOf(int paths) {
        return Math.max(alpha, paths);
    }

    public CoreConfig withDisjointPaths(int d) {
        return new CoreConfig(k, alpha, d, maxPerSubnetInBucket, replacementCacheSize, failuresBeforeEvict,
                initialTimeoutNs, minTimeoutNs, maxTimeoutNs, hardTimeoutFactor, refreshIntervalNs,
                maxPendingRequests, maxLookups, maxRecords, maxRecordBytes, maxValueBytes, maxRecordTtlNs, protocol);
    }

    /** Loopback devnets put every node in one /24: there the subnet rule would cap buckets at two. */
    public CoreConfig withSubnetLimit(int perBucket) {
        return new CoreConfig(k, alpha, disjointPaths, perBucket, replacementCacheSize, failuresBeforeEvict,
                initialTimeoutNs, minTimeoutNs, maxTimeoutNs, hardTimeoutFactor, refreshIntervalNs,
                maxPendingRequests, maxLookups, maxRecords, maxRecordBytes, maxValueBytes, maxRecordTtlNs, protocol);
    }

    /** This node speaking {@code range} (a test's stand-in for another release). */
    public CoreConfig withProtocol(ProtocolRange range) {
        return new CoreConfig(k, alpha, disjointPaths, maxPerSubnetInBucket, replacementCacheSize, failuresBeforeEvict,
                initialTimeoutNs, minTimeoutNs, maxTimeoutNs, hardTimeoutFactor, refreshIntervalNs,
                maxPendingRequests, maxLookups, maxRecords, maxRecordBytes, maxValueBytes, maxRecordTtlNs, range);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
