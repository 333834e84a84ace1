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
 * older one. Bounded: past {@link #MAX_ENTRIES} the oldest entry is forgotten.
 *
 * <p>Owned by the core's thread; not thread-safe.
 */
public final class Republisher {
    public static final int MAX_ENTRIES = 10_000;

    /** One thing to publish again: a provider record of {@code key}, or a mutable record (then key = its key). */
    public record Due(NodeId key, SignedNodeRecord provider, MutableRecord mutable) {
    }

    private record Entry(Due due, long nextNs) {
    }

    private final RecordsConfig config;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public Republisher(RecordsConfig config) {
        this.config = config;
    }

    /** This node provides {@code key} with {@code record}: re-announced every provider interval from now. */
    public void provided(long nowNs, NodeId key, SignedNodeRecord record) {
        put("p" + key.toHex(), new Entry(new Due(key, record, null), nowNs + config.providerRepublishNs()));
    }

    /** This node published {@code record} as its owner: republished every mutable interval from now. */
    public void published(long nowNs, MutableRecord record) {
        NodeId key = record.key();
        put("m" + key.toHex(), new Entry(new Due(key, null, record), nowNs + config.mutableRepublishNs()));
    }

    private void put(String id, Entry e) {
        entries.remove(id);
        entries.put(id, e);
        if (entries.size() > MAX_ENTRIES) {
            entries.remove(entries.keySet().iterator().next());
        }
    }

    /** The entries due at {@code nowNs}, each rescheduled one interval on. */
    public List<Due> takeDue(long nowNs) {
        List<Due> out = new ArrayList<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Entry entry = e.getValue();
            if (entry.nextNs() <= nowNs) {
                out.add(entry.due());
                long interval = entry.due().provider() != null ? config.providerRepublishNs()
                        : config.mutableRepublishNs();
                e.setValue(new Entry(entry.due(), nowNs + interval));
            }
        }
        return out;
    }

    public int size() {
        return entries.size();
    }
}
