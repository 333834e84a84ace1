package io.molia.sim;

import io.molia.core.CoreConfig;

/**
 * One simulated scenario. Every random choice derives from {@code seed}, so a run is replayed exactly.
 *
 * @param nodes              network size (kept constant: churn replaces nodes)
 * @param lookups            measured lookups, issued after the warm-up at an even pace
 * @param churnPerMinute     fraction of nodes replaced per simulated minute (departures vanish silently)
 * @param loss               probability that any one datagram is lost
 * @param seed               master seed
 * @param warmupSeconds      simulated time with churn running before the first measured lookup
 * @param lookupSeconds      simulated time over which the measured lookups are spread
 * @param minAccessMs        lower bound of the per-node one-way access-link delay
 * @param maxAccessMs        upper bound of the per-node one-way access-link delay
 * @param handshakeRoundTrip model a session handshake before the first request to a peer never contacted
 *                           (true: plain WireGuard; false: Molia's one-round-trip initiation)
 * @param sessions           drive each node as the real node does: a {@link io.molia.shard.Shard} with real WireGuard
 *                           sessions between the wire and the core (every datagram sealed, every handshake run);
 *                           false: the cores exchange inner messages directly (fast, for 100k nodes)
 * @param core               protocol parameters of every node
 * @param partition          a region cut off for a while, then rejoined; null: none
 * @param sybils             the adversary (then the measured lookups are gets of records stored before); null: none
 */
public record SimConfig(int nodes, int lookups, double churnPerMinute, double loss, long seed, double warmupSeconds,
        double lookupSeconds, double minAccessMs, double maxAccessMs, boolean handshakeRoundTrip, boolean sessions,
        CoreConfig core, Partition partition, SybilAttack sybils) {

    public SimConfig {
        if (nodes < 2) {
            throw new IllegalArgumentException("--nodes must be at least 2");
        }
        if (lookups < 0) {
            throw new IllegalArgumentException("--lookups must not be negative");
        }
        if (churnPerMinute < 0 || churnPerMinute > 10) {
            throw new IllegalArgumentException("--churn must be in [0, 10] (fraction of nodes replaced per minute)");
        }
        if (loss < 0 || loss >= 1) {
            throw new IllegalArgumentException("--loss must be in [0, 1)");
        }
        if (warmupSeconds < 0 || lookupSeconds <= 0) {
            throw new IllegalArgumentException("--warmup must be >= 0 and --duration > 0");
        }
        if (sessions && handshakeRoundTrip) {
            throw new IllegalArgumentException("--sessions runs the real handshakes: --handshake-rtt models "
                    + "them when sessions are off");
        }
        if (minAccessMs < 0 || maxAccessMs < minAccessMs) {
            throw new IllegalArgumentException("access delay bounds must satisfy 0 <= min <= max");
        }
        if (sybils != null && sessions) {
            throw new IllegalArgumentException("--sybil-fraction runs without --sessions: the Sybils' keys are ground "
                    + "for their IDs, not usable for handshakes");
        }
        if (sybils != null && nodes - sybils.sybils(nodes) < 2) {
            throw new IllegalArgumentException("--sybil-fraction leaves fewer than 2 honest nodes");
        }
    }

    public SimConfig(int nodes, int lookups, double churnPerMinute, double loss, long seed, double warmupSeconds,
            double lookupSeconds, double minAccessMs, double maxAccessMs, boolean handshakeRoundTrip, boolean sessions,
            CoreConfig core, Partition partition) {
        this(nodes, lookups, churnPerMinute, loss, seed, warmupSeconds, lookupSeconds, minAccessMs, maxAccessMs,
                handshakeRoundTrip, sessions, core, partition, null);
    }

    public SimConfig(int nodes, int lookups, double churnPerMinute, double loss, long seed, double warmupSeconds,
            double lookupSeconds, double minAccessMs, double maxAccessMs, boolean handshakeRoundTrip, boolean sessions,
            CoreConfig core) {
        this(nodes, lookups, churnPerMinute, loss, seed, warmupSeconds, lookupSeconds, minAccessMs, maxAccessMs,
                handshakeRoundTrip, sessions, core, null, null);
    }

    public static SimConfig defaults(int nodes, int lookups, double churn, double loss, long seed) {
        return new SimConfig(nodes, lookups, churn, loss, seed, 60, 100, 1, 10, false, false, CoreConfig.defaults());
    }

    /** This scenario with every node driven through a shard with real WireGuard sessions. */
    public SimConfig withSessions() {
        return new SimConfig(nodes, lookups, churnPerMinute, loss, seed, warmupSeconds, lookupSeconds, minAccessMs,
                maxAccessMs, false, true, core, partition, sybils);
    }

    /** This scenario with {@code region} cut off for a while. */
    public SimConfig withPartition(Partition region) {
        return new SimConfig(nodes, lookups, churnPerMinute, loss, seed, warmupSeconds, lookupSeconds, minAccessMs,
                maxAccessMs, handshakeRoundTrip, sessions, core, region, sybils);
    }

    /** This scenario under {@code attack}. */
    public SimConfig withSybils(SybilAttack attack) {
        return new SimConfig(nodes, lookups, churnPerMinute, loss, seed, warmupSeconds, lookupSeconds, minAccessMs,
                maxAccessMs, handshakeRoundTrip, sessions, core, partition, attack);
    }
}
