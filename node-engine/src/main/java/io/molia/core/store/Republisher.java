package io.molia.core.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.molia.contact.NodeId;
import io.molia.record.MutableRecord;
import io.molia.record.SignedNodeRecord;

/**
 * What this node published as owner (the keys it provides, its mutable records) and when each is due to be
 * published again: provider records every {@link RecordsConfig#providerRepublishNs}, mutable records every
 * {@link RecordsConfig#mutableRepublishNs}, each well within its TTL. A newer publish of the same key replaces the
 * older one. Bounded: past {@link #MAX_ENTRIES} the oldest entry is forgotten. Every publish and every entry
 * forgotten is reported to the {@link StoreJournal}, so a restarted node goes on republishing (WAL entry types 16-17).
 *
 * <p>Owned by the core's thread; not thread-safe.
 */
public final class Republisher {
    public static final int MAX_ENTRIES = 10_000;

    /** One thing to publish again: a provider record of {@code key}, or a mutable record (then key = its key). */
    public record Due(NodeId key, SignedNodeRecord provider, MutableRecord mutable) {
    }

    /** An entry as the WAL keeps it: what, when it was last published and when it is due again. */
    public record Scheduled(Due due, long publishedNs, long nextNs) {
    }

    private final RecordsConfig config;
    private final Map<String, Scheduled> entries = new LinkedHashMap<>();
    private StoreJournal journal = StoreJournal.NONE;

    public Republisher(RecordsConfig config) {
        this.config = config;
    }

    /** Reports every later publish and every entry forgotten to {@code journal}. */
    public void journal(StoreJournal journal) {
        this.journal = journal;
    }

    /** This node provides {@code key} with {@code record}: re-announced every provider interval from now. */
    public void provided(long nowNs, NodeId key, SignedNodeRecord record) {
        put(new Scheduled(new Due(key, record, null), nowNs, nowNs + config.providerRepublishNs()), true);
    }

    /** This node published {@code record} as its owner: republished every mutable interval from now. */
    public void published(long nowNs, MutableRecord record) {
        put(new Scheduled(new Due(record.key(), null, record), nowNs, nowNs + config.mutableRepublishNs()), true);
    }

    /** Puts back an entry recovered from the WAL (not journaled again); one overdue is republished at once. */
    public void restore(Scheduled s) {
        put(s, false);
    }

    private static String id(Due due) {
        return (due.provider() != null ? "p" : "m") + due.key().toHex();
    }

    private void put(Scheduled s, boolean journaled) {
        String id = id(s.due());
        entries.remove(id);
        entries.put(id, s);
        if (journaled) {
            journal.onRepublishAdd(s.due(), s.publishedNs(), s.nextNs());
        }
        if (entries.size() > MAX_ENTRIES) {
            Scheduled oldest = entries.remove(entries.keySet().iterator().next());
            journal.onRepublishRemove(oldest.due().key(), oldest.due().provider() != null);
        }
    }

    /**
     * The entries due at {@code nowNs}, each rescheduled one interval on (in memory: the publish that follows
     * journals its new time when it is stored, {@link #provided} and {@link #published}).
     */
    public List<Due> takeDue(long nowNs) {
        List<Due> out = new ArrayList<>();
        for (Map.Entry<String, Scheduled> e : entries.entrySet()) {
            Scheduled s = e.getValue();
            if (s.nextNs() <= nowNs) {
                out.add(s.due());
                long interval = s.due().provider() != null ? config.providerRepublishNs()
                        : config.mutableRepublishNs();
                e.setValue(new Scheduled(s.due(), s.publishedNs(), nowNs + interval));
            }
        }
        return out;
    }

    /** Every entry, oldest published first (what a WAL snapshot keeps). */
    public List<Scheduled> entries() {
        return new ArrayList<>(entries.values());
    }

    public int size() {
        return entries.size();
    }
}
