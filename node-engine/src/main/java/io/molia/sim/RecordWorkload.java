package io.molia.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.record.MutableRecord;
import io.molia.record.SignedNodeRecord;

/**
 * The simulator's record rounds ({@code molia sim --records N}): in each, a random node publishes a signed mutable
 * record (PUT_MUTABLE to the k closest, acknowledged) and announces itself as a provider of a random key; once each
 * write finished, another random node gets the mutable record and looks up the key's providers. Latencies are taken
 * from the operations' own start and end, in virtual time; a read succeeds when it returns the record written (the
 * same seq) or a provider list naming the provider. Reads whose writer left before they start are not issued.
 *
 * <p>With a survival check ({@code --records-check-after}), every write that stored its record is read again by a
 * random node that long after it finished, churn, republish and repair running meanwhile: the share of those reads
 * that still find the record (the seq written, the provider named) is the records' survival. A check whose reader
 * leaves before it completes is not counted.
 *
 * <p>Single-threaded (the simulation's thread).
 */
public final class RecordWorkload {
    /** What a read is waiting for: the mutable record written, or the provider announced as a provider of content. */
    record Expected(MutableRecord mutable, NodeId provider, NodeId content) {
    }

    /** The figures of a run's record rounds. */
    public record Figures(int rounds, SimReport.Percentiles publish, SimReport.Percentiles publishAcknowledged,
            SimReport.Percentiles provide, SimReport.Percentiles provideAcknowledged,
            SimReport.Percentiles mutableGet, SimReport.Percentiles mutableFirstAnswer,
            SimReport.Percentiles providerLookup, SimReport.Percentiles providerFirstFound, int publishesStored, int providesStored, int mutableGetsFound,
            int mutableGets, int providerLookupsFound, int providerLookups, Survival survival,
            long writeSpareCopies, Map<String, Object> writeSplit) {

        public Map<String, Object> toJsonMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rounds", rounds);
            m.put("publish_ms", percentiles(publish));
            m.put("publish_acknowledged_ms", percentiles(publishAcknowledged));
            m.put("provide_ms", percentiles(provide));
            m.put("provide_acknowledged_ms", percentiles(provideAcknowledged));
            m.put("mutable_get_ms", percentiles(mutableGet));
            m.put("mutable_first_answer_ms", percentiles(mutableFirstAnswer));
            m.put("provider_lookup_ms", percentiles(providerLookup));
            m.put("provider_first_found_ms", percentiles(providerFirstFound));
            m.put("publishes_stored", publishesStored);
            m.put("provides_stored", providesStored);
            m.put("mutable_gets_found", mutableGetsFound);
            m.put("mutable_gets", mutableGets);
            m.put("provider_lookups_found", providerLookupsFound);
            m.put("provider_lookups", providerLookups);
            m.put("write_spare_copies", writeSpareCopies);
            m.put("write_split", writeSplit);
            if (survival != null) {
                m.put("survival", survival.toJsonMap());
            }
            return m;
        }

        public String toTable() {
            return String.format("%-28s %s%n%-28s %s%n%-28s %s%n%-28s %s%n%-28s %s%n%-28s %s%n%-28s %s%n%-28s %s%n"
                    + "%-28s %s%n",
                    "record rounds", rounds + " (publish stored " + publishesStored + ", provide stored "
                            + providesStored + ")",
                    "publish (k closest, acked)", fmt(publish),
                    "publish acknowledged", fmt(publishAcknowledged) + "  (a majority of the k stored it)",
                    "provide (k closest, acked)", fmt(provide),
                    "provide acknowledged", fmt(provideAcknowledged),
                    "mutable get", fmt(mutableGet) + "  found " + mutableGetsFound + "/" + mutableGets,
                    "mutable get, first answer", fmt(mutableFirstAnswer),
                    "provider lookup", fmt(providerLookup) + "  found " + providerLookupsFound + "/"
                            + providerLookups,
                    "provider lookup, first found", fmt(providerFirstFound)) + String.format("%-28s %d  (every write of the run, republish "
                            + "and caching aside: stores streamed to peers later out of the final k)%n",
                            "write spare copies", writeSpareCopies) + (survival == null ? "" : survival.toTable());
        }

        private static String fmt(SimReport.Percentiles p) {
            return String.format("P50 %.0f ms  P95 %.0f ms  P99 %.0f ms", p.p50(), p.p95(), p.p99());
        }

        private static Map<String, Object> percentiles(SimReport.Percentiles p) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("p50", p.p50());
            m.put("p95", p.p95());
            m.put("p99", p.p99());
            return m;
        }
    }

    /**
     * The records read again {@code checkAfterNs} after their write: how many of each kind were checked, and found.
     */
    public record Survival(long checkAfterNs, int mutableChecked, int mutableFound, int providerChecked,
            int providerFound) {
        public double mutableShare() {
            return mutableChecked == 0 ? 0 : (double) mutableFound / mutableChecked;
        }

        public double providerShare() {
            return providerChecked == 0 ? 0 : (double) providerFound / providerChecked;
        }

        Map<String, Object> toJsonMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("check_after_s", checkAfterNs / 1_000_000_000L);
            m.put("mutable_checked", mutableChecked);
            m.put("mutable_found", mutableFound);
            m.put("provider_checked", providerChecked);
            m.put("provider_found", providerFound);
            return m;
        }

        String toTable() {
            return String.format(java.util.Locale.ROOT, "%-28s mutable %d/%d (%.1f %%), provider %d/%d (%.1f %%)%n",
                    "retrievable after " + checkAfterNs / 1_000_000_000L + " s", mutableFound, mutableChecked,
                    100 * mutableShare(), providerFound, providerChecked, 100 * providerShare());
        }
    }

    private final int rounds;
    private final long checkAfterNs;
    /** Writes that stored their record, by check index: read again {@link #checkAfterNs} after they finished. */
    private final List<Expected> toCheck = new ArrayList<>();
    private int checksWaiting;
    private final Map<Long, Expected> checkReads = new HashMap<>();
    private int mutableChecked;
    private int mutableCheckFound;
    private int providerChecked;
    private int providerCheckFound;
    /** Handles (incarnation-keyed, see {@code Simulation.key}) of writes and reads in flight. */
    private final Map<Long, Expected> writes = new HashMap<>();
    private final Map<Long, Expected> reads = new HashMap<>();
    private final List<Double> publishMs = new ArrayList<>();
    private final List<Double> provideMs = new ArrayList<>();
    private final List<Double> publishAckMs = new ArrayList<>();
    private final List<Double> provideAckMs = new ArrayList<>();
    private final List<Double> getMs = new ArrayList<>();
    private final List<Double> firstAnswerMs = new ArrayList<>();
    private final List<Double> lookupMs = new ArrayList<>();
    private final List<Double> firstProviderMs = new ArrayList<>();
    private final List<Double> toNeighbourhoodMs = new ArrayList<>();
    private final List<Double> storingToAckMs = new ArrayList<>();
    private final List<Double> ackStoreWaitMs = new ArrayList<>();
    private final List<Double> ackStoreRttMs = new ArrayList<>();
    private int publishesStored;
    private int providesStored;
    private int getsFound;
    private int lookupsFound;
    private int started;

    /** {@code checkAfterNs}: how long after its write each stored record is read again; 0 for no survival check. */
    RecordWorkload(int rounds, long checkAfterNs) {
        this.rounds = rounds;
        this.checkAfterNs = checkAfterNs;
    }

    int rounds() {
        return rounds;
    }

    long checkAfterNs() {
        return checkAfterNs;
    }

    /**
     * A round's write started under {@code key}; -1: the node refused to start it (too many operations). A mutable
     * record ({@code provider}, {@code content} null), or {@code provider} announced for {@code content}.
     */
    void onWriteStarted(long key, MutableRecord mutable, NodeId provider, NodeId content) {
        if (key != -1) {
            writes.put(key, new Expected(mutable, provider, content));
        }
        started++;
    }

    /** {@code e}'s write stored its record: it is to be checked; returns the index {@link #takeCheck} takes. */
    int addCheck(Expected e) {
        toCheck.add(e);
        checksWaiting++;
        return toCheck.size() - 1;
    }

    /** What check {@code index} reads; the check is no longer waiting (its read may still not start). */
    Expected takeCheck(int index) {
        checksWaiting--;
        return toCheck.set(index, null);
    }

    void onCheckStarted(long key, Expected e) {
        checkReads.put(key, e);
    }

    /** A write finished: its latency is counted; returns what the read that follows must find (null: not ours). */
    Expected onWriteCompleted(long key, CoreEvent.RecordWriteCompleted done) {
        Expected e = writes.remove(key);
        if (e == null) {
            return null;
        }
        double ms = (done.finishedNs() - done.startedNs()) / 1e6;
        if (done.acknowledgedNs() >= 0) {
            (e.mutable() != null ? publishAckMs : provideAckMs).add((done.acknowledgedNs() - done.startedNs()) / 1e6);
            if (done.storingFromNs() >= 0) {
                toNeighbourhoodMs.add((done.storingFromNs() - done.startedNs()) / 1e6);
                storingToAckMs.add((done.acknowledgedNs() - done.storingFromNs()) / 1e6);
            }
            if (done.acknowledgingStoreSentNs() >= 0 && done.storingFromNs() >= 0) {
                ackStoreWaitMs.add((done.acknowledgingStoreSentNs() - done.storingFromNs()) / 1e6);
                ackStoreRttMs.add((done.acknowledgedNs() - done.acknowledgingStoreSentNs()) / 1e6);
            }
        }
        if (e.mutable() != null) {
            publishMs.add(ms);
            publishesStored += done.stored() > 0 ? 1 : 0;
        } else {
            provideMs.add(ms);
            providesStored += done.stored() > 0 ? 1 : 0;
        }
        return e;
    }

    void onReadStarted(long key, Expected e) {
        reads.put(key, e);
    }

    void onMutableGet(long key, CoreEvent.MutableGetCompleted done) {
        Expected e = reads.remove(key);
        if (e == null) {
            Expected c = checkReads.remove(key);
            if (c != null) {
                mutableChecked++;
                mutableCheckFound += done.record() != null && done.record().seq() == c.mutable().seq() ? 1 : 0;
            }
            return;
        }
        getMs.add((done.finishedNs() - done.startedNs()) / 1e6);
        if (done.firstValidNs() >= 0) {
            firstAnswerMs.add((done.firstValidNs() - done.startedNs()) / 1e6);
        }
        getsFound += done.record() != null && done.record().seq() == e.mutable().seq() ? 1 : 0;
    }

    void onProvidersFound(long key, CoreEvent.ProvidersFound done) {
        Expected e = reads.remove(key);
        if (e == null) {
            Expected c = checkReads.remove(key);
            if (c != null) {
                providerChecked++;
                providerCheckFound += names(done, c.provider()) ? 1 : 0;
            }
            return;
        }
        lookupMs.add((done.finishedNs() - done.startedNs()) / 1e6);
        if (done.firstFoundNs() >= 0) {
            firstProviderMs.add((done.firstFoundNs() - done.startedNs()) / 1e6);
        }
        lookupsFound += names(done, e.provider()) ? 1 : 0;
    }

    private static boolean names(CoreEvent.ProvidersFound done, NodeId provider) {
        for (SignedNodeRecord p : done.providers()) {
            if (p.id().equals(provider)) {
                return true;
            }
        }
        return false;
    }

    /** Every round started, every check read, and nothing in flight. */
    boolean done() {
        return started >= 2 * rounds && writes.isEmpty() && reads.isEmpty() && checksWaiting == 0
                && checkReads.isEmpty();
    }

    /** Forgets what waits on the node of {@code incarnation}, which left: its operations never complete. */
    void forget(int incarnation) {
        writes.keySet().removeIf(k -> (int) (k >>> 32) == incarnation);
        reads.keySet().removeIf(k -> (int) (k >>> 32) == incarnation);
        checkReads.keySet().removeIf(k -> (int) (k >>> 32) == incarnation);
    }

    /** {@code writeSpareCopies}: the nodes' {@code CoreCounters#writeSpareCopies}, departed ones included. */
    Figures figures(long writeSpareCopies) {
        return new Figures(rounds, p(publishMs), p(publishAckMs), p(provideMs), p(provideAckMs), p(getMs), p(firstAnswerMs), p(lookupMs),
                p(firstProviderMs),
                publishesStored, providesStored, getsFound, getMs.size(), lookupsFound, lookupMs.size(),
                checkAfterNs == 0 ? null : new Survival(checkAfterNs, mutableChecked, mutableCheckFound,
                        providerChecked, providerCheckFound), writeSpareCopies, split());
    }

    private Map<String, Object> split() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("to_neighbourhood", splitOf(toNeighbourhoodMs));
        m.put("storing_to_ack", splitOf(storingToAckMs));
        m.put("ack_store_wait", splitOf(ackStoreWaitMs));
        m.put("ack_store_rtt", splitOf(ackStoreRttMs));
        return m;
    }

    private static Map<String, Object> splitOf(List<Double> values) {
        SimReport.Percentiles q = p(values);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", values.size());
        m.put("p50", Math.round(q.p50()));
        m.put("p95", Math.round(q.p95()));
        m.put("mean", Math.round(q.mean()));
        return m;
    }

    private static SimReport.Percentiles p(List<Double> values) {
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        Arrays.sort(v);
        return Simulation.percentiles(v);
    }
}
