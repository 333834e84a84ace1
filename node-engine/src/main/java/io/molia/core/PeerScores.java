package io.molia.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeId;

/**
 * The behaviour score of each peer this node dealt with (DESIGN §3.5, issue 16 item 5): what it did, by
 * {@link Reason}, each count decayed exponentially with a configurable half-life, so a peer's past fades and a
 * reformed peer comes back. The score is the weighted sum of the decayed counts; answers are capped
 * ({@link #MAX_ANSWERED}) so a peer cannot bank credit for a later attack, and a low peer's answers do not count
 * (only decay lifts it: otherwise answering one ping would buy it back in). An answer does forgive timeouts: a peer
 * that answers again was away (restarted), which churn makes common, not misbehaving. A peer at or below
 * {@link Config#lowScore} is <em>low</em>: the routing table evicts it, refuses it, never hands it out and never
 * promotes it from a replacement cache ({@link RoutingTable}).
 *
 * <p>The score is read "as of the last input" ({@link #nowNs()}, the latest time any {@code record} carried), so the
 * table can ask without a clock. Bounded memory: at most {@link Config#capacity} peers; beyond it the peer not heard
 * of the longest is forgotten (counted, {@link #forgotten()}). Entries that decayed to nothing are swept by
 * {@link #sweep}. What must survive a restart is journaled by the owner ({@link #takeDirty}), and
 * {@link #restore}d.
 *
 * <p>Owned by the routing table's owner (shard 0's core); not thread-safe.
 */
public final class PeerScores {
    /** What a peer did; each weighs on its score. */
    public enum Reason {
        /** It answered a request. */
        ANSWERED(1.0),
        /** A request to it reached its hard timeout. */
        TIMED_OUT(-2.0),
        /** A contact it referred (in a NODES answer) then timed out, or lacked the proof of work (never asked). */
        UNREACHABLE_REFERRAL(-1.0),
        /** Its answer to a lookup brought nothing closer to the target than the lookup already knew. */
        NOT_CLOSER(-0.5),
        /** It sent an invalid signature, write token or proof of work of its own. */
        INVALID(-4.0),
        /** It went past a rate limit. */
        LIMITER_HIT(-1.0);

        private final double weight;

        Reason(double weight) {
            this.weight = weight;
        }

        public double weight() {
            return weight;
        }

        /** The name in views and the WAL dump: lower case. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Reason[] REASONS = Reason.values();
    /** Decayed answers count up to this: ten answers' credit at most. */
    static final double MAX_ANSWERED = 10.0;
    /**
     * At most this many (decayed) answers not closer count: honest peers give them all the time (a lookup's final
     * round asks the k closest, whose answers rarely improve on it; in a small network almost every answer is one), so
     * on their own they never make a peer low (-4 against the mark of -6); with worse behaviour they add up.
     */
    public static final double MAX_NOT_CLOSER = 8;
    /**
     * Bin edges of the score distribution views and metrics show: the low mark (-6 by default) falls on an edge. Bin 0
     * is below the first edge, the last at or above the last.
     */
    public static final double[] HISTOGRAM_EDGES = {-6, -3, -1, 0, 1, 5};
    /** A decayed count below this is nothing: the entry is swept. */
    private static final double NEGLIGIBLE = 0.01;

    /**
     * @param halfLifeNs          time for a decayed count to halve
     * @param lowScore            a peer whose score is at or below this is evicted and refused
     * @param capacity            peers remembered at most
     * @param maxPerSubnetInTable routing-table entries from one /24 (IPv4) or /48 (IPv6) at most, table-wide
     * @param maxPerAsnInTable    routing-table entries from one autonomous system at most (when an ASN table is given)
     */
    public record Config(long halfLifeNs, double lowScore, int capacity, int maxPerSubnetInTable,
            int maxPerAsnInTable) {
        public Config {
            if (halfLifeNs <= 0 || capacity < 1 || maxPerSubnetInTable < 1 || maxPerAsnInTable < 1
                    || !(lowScore < 0)) {
                throw new IllegalArgumentException("score config: half-life and caps must be positive, the low score "
                        + "negative");
            }
        }

        /**
         * Half-life 30 minutes (three timeouts an hour keep a silent peer out; one bad hour is forgotten in a few),
         * low at -6 (three timeouts with no answer, or a forged proof with a timeout), 16,384 peers, 10 per /24 in
         * the table (discv5 and geth), 32 per AS (libp2p's relay limit per AS).
         */
        public static Config defaults() {
            return new Config(TimeUnit.MINUTES.toNanos(30), -6.0, 16_384, 10, 32);
        }

        public Config withHalfLifeNs(long halfLife) {
            return new Config(halfLife, lowScore, capacity, maxPerSubnetInTable, maxPerAsnInTable);
        }

        /** A loopback devnet puts every node in one /24 and no AS: no table-wide subnet cap. */
        public Config withoutSubnetCap() {
            return new Config(halfLifeNs, lowScore, capacity, Integer.MAX_VALUE, maxPerAsnInTable);
        }

        public Config withCapacity(int peers) {
            return new Config(halfLifeNs, lowScore, peers, maxPerSubnetInTable, maxPerAsnInTable);
        }
    }

    /** One peer's decayed counts as of {@code updatedNs}. */
    private static final class Entry {
        final double[] counts = new double[REASONS.length];
        long updatedNs;
        boolean dirty;

        void decayTo(long nowNs, long halfLifeNs) {
            if (nowNs <= updatedNs) {
                return;
            }
            double factor = Math.pow(0.5, (double) (nowNs - updatedNs) / halfLifeNs);
            for (int i = 0; i < counts.length; i++) {
                counts[i] *= factor;
            }
            updatedNs = nowNs;
        }

        double score() {
            double s = 0;
            for (int i = 0; i < counts.length; i++) {
                s += counts[i] * REASONS[i].weight;
            }
            return s;
        }
    }

    /** A peer's score and decayed counts at one time, for views, the journal and tests. */
    public record Snapshot(NodeId id, double score, double[] counts, long updatedNs) {
        /** The reason that weighs most against the peer, or null when none does. */
        public Reason worst() {
            Reason worst = null;
            double most = 0;
            for (int i = 0; i < counts.length; i++) {
                double against = -counts[i] * REASONS[i].weight;
                if (against > most) {
                    most = against;
                    worst = REASONS[i];
                }
            }
            return worst;
        }
    }

    private final Config config;
    /** Least recently touched first: the one forgotten when full. */
    private final LinkedHashMap<NodeId, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
    private final long[] recorded = new long[REASONS.length];
    private long nowNs = Long.MIN_VALUE;
    private long forgotten;
    private long becameLow;
    /** The distribution over {@link #HISTOGRAM_EDGES} as of the last sweep or view, for other threads (metrics). */
    private volatile long[] publishedHistogram = new long[HISTOGRAM_EDGES.length + 1];

    public PeerScores(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** The latest time an input carried: the time {@link #isLow} and {@link #score(NodeId)} read at. */
    public long nowNs() {
        return nowNs;
    }

    /**
     * Records that {@code id} did {@code reason} at {@code atNs}. Returns true when this made the peer low (it was
     * not before): the owner evicts it.
     */
    public boolean record(long atNs, NodeId id, Reason reason) {
        advance(atNs);
        Entry e = entries.get(id);
        if (e == null) {
            if (entries.size() >= config.capacity()) {
                forgetEldest();
            }
            e = new Entry();
            e.updatedNs = nowNs;
            entries.put(id, e);
        }
        e.decayTo(nowNs, config.halfLifeNs());
        boolean wasLow = e.score() <= config.lowScore();
        int i = reason.ordinal();
        if (reason == Reason.NOT_CLOSER) {
            e.counts[i] = Math.min(MAX_NOT_CLOSER, e.counts[i] + 1);
        } else if (reason != Reason.ANSWERED) {
            e.counts[i] += 1;
        } else {
            // It answers, so its timeouts were absence (a restart, churn: most peers of a public DHT come and go),
            // not misbehaviour: forgiven, or an honest peer that restarted would be locked out for hours.
            e.counts[Reason.TIMED_OUT.ordinal()] = 0;
            if (e.score() > config.lowScore()) { // still low for what it did: only time lifts it (else one ping would)
                e.counts[i] = Math.min(MAX_ANSWERED, e.counts[i] + 1);
            }
        }
        recorded[i]++;
        boolean low = e.score() <= config.lowScore();
        if (low != wasLow || reason != Reason.ANSWERED) {
            e.dirty = true; // an answer alone changes too little to journal
        }
        if (low && !wasLow) {
            becameLow++;
            return true;
        }
        return false;
    }

    /** Whether {@code id} is low as of {@link #nowNs()}; allocation-free. */
    public boolean isLow(NodeId id) {
        return score(id) <= config.lowScore();
    }

    /** The score of {@code id} as of {@link #nowNs()}: 0 for a peer not known. */
    public double score(NodeId id) {
        Entry e = entries.get(id);
        if (e == null) {
            return 0;
        }
        return e.score() * decayFactor(e);
    }

    /** Sets a peer's decayed counts as journaled at {@code updatedNs} (start-up only; not journaled again). */
    public void restore(NodeId id, long updatedNs, double[] counts) {
        if (entries.size() >= config.capacity() && !entries.containsKey(id)) {
            forgetEldest();
        }
        Entry e = new Entry();
        System.arraycopy(counts, 0, e.counts, 0, Math.min(counts.length, e.counts.length));
        e.updatedNs = updatedNs;
        entries.put(id, e);
        advance(updatedNs);
    }

    /** Moves the score clock to {@code atNs} if later (a maintenance tick with no behaviour to record). */
    public void advance(long atNs) {
        if (atNs > nowNs) {
            nowNs = atNs;
        }
    }

    /**
     * Forgets the peers whose counts all decayed to nothing as of {@code atNs}, then publishes the distribution
     * ({@link #publishedBin}); returns how many it forgot.
     */
    public int sweep(long atNs) {
        advance(atNs);
        int removed = 0;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext();) {
            Entry e = it.next();
            e.decayTo(nowNs, config.halfLifeNs());
            boolean negligible = true;
            for (double c : e.counts) {
                negligible &= c < NEGLIGIBLE;
            }
            if (negligible && !e.dirty) {
                it.remove();
                removed++;
            }
        }
        histogram();
        return removed;
    }

    /** The peers whose scores changed since last taken, with their counts (for the journal); clears the marks. */
    public List<Snapshot> takeDirty() {
        List<Snapshot> out = new ArrayList<>();
        for (Map.Entry<NodeId, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            if (e.dirty) {
                e.dirty = false;
                out.add(new Snapshot(me.getKey(), e.score(), e.counts.clone(), e.updatedNs));
            }
        }
        return out;
    }

    /** Every peer's score and counts as of {@link #nowNs()} (views, compaction). */
    public List<Snapshot> all() {
        List<Snapshot> out = new ArrayList<>(entries.size());
        for (Map.Entry<NodeId, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            double factor = decayFactor(e);
            double[] counts = e.counts.clone();
            for (int i = 0; i < counts.length; i++) {
                counts[i] *= factor;
            }
            out.add(new Snapshot(me.getKey(), e.score() * factor, counts, Math.max(nowNs, e.updatedNs)));
        }
        return out;
    }

    /** The {@code n} lowest scorers, lowest first. */
    public List<Snapshot> lowest(int n) {
        List<Snapshot> all = all();
        all.sort(Comparator.comparingDouble(Snapshot::score));
        return all.subList(0, Math.min(n, all.size()));
    }

    /**
     * How many peers score in each bin of {@code edges} (ascending): bin 0 is below {@code edges[0]}, bin i is
     * [{@code edges[i-1]}, {@code edges[i]}), the last is at or above the last edge.
     */
    public long[] histogram(double[] edges) {
        long[] bins = new long[edges.length + 1];
        for (Snapshot s : all()) {
            int b = 0;
            while (b < edges.length && s.score() >= edges[b]) {
                b++;
            }
            bins[b]++;
        }
        return bins;
    }

    /** {@link #histogram(double[])} over {@link #HISTOGRAM_EDGES}, also published for {@link #publishedBin}. */
    public long[] histogram() {
        long[] bins = histogram(HISTOGRAM_EDGES);
        publishedHistogram = bins.clone();
        return bins;
    }

    /**
     * Peers in bin {@code bin} of {@link #HISTOGRAM_EDGES} as of the last {@link #sweep} (once a minute on a node) or
     * {@link #histogram()}: safe from any thread.
     */
    public long publishedBin(int bin) {
        return publishedHistogram[bin];
    }

    /** The range of bin {@code b} of {@link #HISTOGRAM_EDGES} as an operator reads it: {@code "[-6, -3)"}. */
    public static String binRange(int b) {
        double[] e = HISTOGRAM_EDGES;
        if (b == 0) {
            return "< " + num(e[0]);
        }
        return b == e.length ? ">= " + num(e[e.length - 1]) : "[" + num(e[b - 1]) + ", " + num(e[b]) + ")";
    }

    private static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(java.util.Locale.ROOT, "%.1f", d);
    }

    public int size() {
        return entries.size();
    }

    /** Behaviours recorded of {@code reason}, since start. */
    public long recorded(Reason reason) {
        return recorded[reason.ordinal()];
    }

    /** Peers forgotten to make room (the table was full). */
    public long forgotten() {
        return forgotten;
    }

    /** Times a peer's score fell to the low mark. */
    public long becameLow() {
        return becameLow;
    }

    /** What {@code e}'s counts are worth at {@link #nowNs()}, as a share of their value at its update. */
    private double decayFactor(Entry e) {
        return nowNs <= e.updatedNs ? 1.0 : Math.pow(0.5, (double) (nowNs - e.updatedNs) / config.halfLifeNs());
    }

    private void forgetEldest() {
        Iterator<NodeId> it = entries.keySet().iterator();
        it.next();
        it.remove();
        forgotten++;
    }
}
