package io.molia.core.store;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;

/**
 * What adaptive replication has to do next on one core, and the budgets that bound it (DESIGN §3.7, issue 18 item 5):
 * <ul>
 * <li>newcomers: contacts that answered this core for the first time; each is checked against the keys held, and
 * gets those it is now among the k closest of (<em>handoff</em>);
 * <li>rounds: every {@link RecordsConfig#replicateIntervalNs} the keys held are checked one by one, each on the k
 * closest contacts known, and stored where missing (<em>repair</em>);
 * <li>reads: answered reads per key in a bounded table, reset every minute; a key read
 * {@link RecordsConfig#hotReadsPerMinute} times in a minute is replicated on k + {@link RecordsConfig#hotExtraReplicas}
 * (<em>hot</em>), at most once per interval.
 * </ul>
 * Every push starts with a probe (a read of the key) and stores only where the answer lacks the record, so holders
 * that learn of the same newcomer cost it a probe each, not a copy each. Probes per minute are bounded by
 * {@link RecordsConfig#replicationProbesPerMinute}, key checks by {@link #KEY_CHECKS_PER_MINUTE}; what does not fit
 * waits for the next minute's {@link #tick}.
 *
 * <p>Owned by the core's thread; not thread-safe; no clock (times come in).
 */
public final class Replicator {
    /** Newcomers waiting to be checked; more are dropped (and counted by the core). */
    public static final int MAX_NEWCOMERS = 64;
    /** Keys whose reads are counted at once; the least recently read is forgotten first. */
    public static final int MAX_COUNTED_KEYS = 4_096;
    /** Hot keys remembered as widened (not widened again within the interval). */
    public static final int MAX_WIDENED_KEYS = 1_024;
    /** Key-against-routing-table checks per minute (each a closest-k query), for handoffs and repair rounds. */
    public static final int KEY_CHECKS_PER_MINUTE = 20_000;

    /**
     * Holders that hand a key to a newcomer: those with fewer than this many contacts closer to the key (the newcomer
     * aside). One was too few under churn: the closest holder a view names has often left unnoticed, and then nobody
     * handed over (docs/records.md, "Survival under churn"); every holder cost 5.7x the datagrams.
     */
    public static final int HANDOFF_HOLDERS = 3;

    /** Why a copy is pushed; each has its counters. */
    public enum Reason { HANDOFF, REPAIR, HOT }

    /** What a held key holds: an immutable record, a mutable record, or provider entries. */
    public enum Kind { IMMUTABLE, MUTABLE, PROVIDER }

    /** A held key to check: immutable (RecordStore), mutable (MutableStore) or provider (ProviderStore). */
    public record Check(NodeId key, Kind kind) {
    }

    private final RecordsConfig config;
    private final ArrayDeque<Contact> newcomers = new ArrayDeque<>();
    private final Set<NodeId> queued = new HashSet<>();
    /** Keys of the head newcomer already checked (its scan may span minutes). */
    private int newcomerScanned;
    private final ArrayDeque<Check> round = new ArrayDeque<>();
    private long nextRoundNs;
    private int probes;
    private int keyChecks;
    private final Map<NodeId, Integer> reads = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, Integer> eldest) {
            return size() > MAX_COUNTED_KEYS;
        }
    };
    private final Map<NodeId, Long> widened = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, Long> eldest) {
            return size() > MAX_WIDENED_KEYS;
        }
    };

    public Replicator(RecordsConfig config) {
        this.config = config;
        this.nextRoundNs = -1; // set by the first roundDue: the first round comes one interval after the start
        this.probes = config.replicationProbesPerMinute();
        this.keyChecks = KEY_CHECKS_PER_MINUTE;
    }

    public RecordsConfig config() {
        return config;
    }

    /** A minute passed: the budgets refill and the read counts start again. */
    public void tick() {
        probes = config.replicationProbesPerMinute();
        keyChecks = KEY_CHECKS_PER_MINUTE;
        reads.clear();
    }

    /** Takes {@code n} probes from this minute's budget; false (nothing taken) when fewer are left. */
    public boolean takeProbes(int n) {
        if (probes < n) {
            return false;
        }
        probes -= n;
        return true;
    }

    /** Takes one key check from this minute's budget; false when none is left. */
    public boolean takeKeyCheck() {
        if (keyChecks == 0) {
            return false;
        }
        keyChecks--;
        return true;
    }

    // ---------------------------------------------------------------- handoff

    /** {@code peer} answered this core for the first time; false when the queue is full (dropped). */
    public boolean onNewcomer(Contact peer) {
        if (queued.contains(peer.id())) {
            return true;
        }
        if (newcomers.size() >= MAX_NEWCOMERS) {
            return false;
        }
        newcomers.add(peer);
        queued.add(peer.id());
        return true;
    }

    /** The newcomer being checked, or null. */
    public Contact newcomer() {
        return newcomers.peek();
    }

    /** How many keys of the current newcomer were checked already. */
    public int newcomerScanned() {
        return newcomerScanned;
    }

    /** The current newcomer's check moved on by one key. */
    public void newcomerKeyChecked() {
        newcomerScanned++;
    }

    /** The current newcomer was checked against every key held. */
    public void newcomerDone() {
        Contact done = newcomers.poll();
        if (done != null) {
            queued.remove(done.id());
        }
        newcomerScanned = 0;
    }

    // ---------------------------------------------------------------- repair rounds

    /** Whether a new round should start: its time came and the last one is done. */
    public boolean roundDue(long nowNs) {
        if (nextRoundNs < 0) {
            nextRoundNs = nowNs + config.replicateIntervalNs();
        }
        return round.isEmpty() && nowNs >= nextRoundNs;
    }

    /** Starts a round over {@code keys} (those held and not stored within the interval). */
    public void startRound(long nowNs, List<Check> keys) {
        round.addAll(keys);
        nextRoundNs = nowNs + config.replicateIntervalNs();
    }

    /** The next key of the round, or null when it is done. */
    public Check nextCheck() {
        return round.poll();
    }

    /** Puts back a key taken by {@link #nextCheck} that the probe budget could not cover this minute. */
    public void deferCheck(Check check) {
        round.addFirst(check);
    }

    public int roundRemaining() {
        return round.size();
    }

    // ---------------------------------------------------------------- hot keys

    /**
     * A read of {@code key} was answered with its record. True when this read makes the key hot: the
     * {@link RecordsConfig#hotReadsPerMinute}-th of this minute, and the key was not widened within the interval.
     */
    public boolean onRead(long nowNs, NodeId key) {
        int n = reads.merge(key, 1, Integer::sum);
        if (n != config.hotReadsPerMinute()) {
            return false;
        }
        Long last = widened.get(key);
        if (last != null && nowNs - last < config.replicateIntervalNs()) {
            return false;
        }
        widened.remove(key);
        widened.put(key, nowNs);
        return true;
    }
}
