package io.molia.core.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.molia.contact.NodeId;
import io.molia.record.SignedNodeRecord;
import io.molia.record.WriteOutcome;

/**
 * Provider records: for a key, the signed node records of the nodes that say they provide it (IPFS's ADD_PROVIDER).
 * Bounded per key (a popular key does not crowd out others), per provider (one node cannot fill the store with
 * keys it claims) and in all; a write past a bound is refused and counted, never evicts. A provider refreshes its
 * entry by adding it again (same or higher seq). Every write goes through {@link #add}.
 *
 * <p>Owned by the core's thread; not thread-safe.
 */
public final class ProviderStore {
    /** One provider of a key and when its entry expires. */
    public record Entry(SignedNodeRecord record, long storedNs, long expiresNs) {
    }

    private final int maxPerKey;
    private final int maxKeysPerProvider;
    private final int maxEntries;
    private final Map<NodeId, LinkedHashMap<NodeId, Entry>> byKey = new HashMap<>();
    private final Map<NodeId, Integer> keysPerProvider = new HashMap<>();
    private final WriteTally tally = new WriteTally();
    private int entries;
    private long bytes;
    private long expired;
    private StoreJournal journal = StoreJournal.NONE;

    public ProviderStore(int maxPerKey, int maxKeysPerProvider, int maxEntries) {
        this.maxPerKey = maxPerKey;
        this.maxKeysPerProvider = maxKeysPerProvider;
        this.maxEntries = maxEntries;
    }

    public void journal(StoreJournal journal) {
        this.journal = journal;
    }

    /**
     * Adds or refreshes {@code record} as a provider of {@code key}, sent by {@code sender}: refused unless the
     * sender is the provider itself, the record is signed by it, its seq is not below the one held, and the bounds
     * leave room.
     */
    public WriteOutcome add(long nowNs, NodeId key, SignedNodeRecord record, NodeId sender, long ttlNs) {
        WriteOutcome outcome = admit(nowNs, key, record, sender);
        if (outcome.stored()) {
            NodeId provider = record.id();
            if (!journal.onProviderPut(key, record, nowNs, nowNs + ttlNs)) {
                outcome = WriteOutcome.NOT_DURABLE;
            } else {
                Entry old = byKey.computeIfAbsent(key, k -> new LinkedHashMap<>())
                        .put(provider, new Entry(record, nowNs, nowNs + ttlNs));
                if (old == null) {
                    entries++;
                    keysPerProvider.merge(provider, 1, Integer::sum);
                    bytes += record.sizeBytes();
                } else {
                    bytes += record.sizeBytes() - old.record().sizeBytes();
                }
            }
        }
        tally.count(outcome);
        return outcome;
    }

    private WriteOutcome admit(long nowNs, NodeId key, SignedNodeRecord record, NodeId sender) {
        WriteOutcome shape = record.check();
        if (!shape.stored()) {
            return shape;
        }
        NodeId provider = record.id();
        if (!provider.equals(sender)) {
            return WriteOutcome.NOT_THE_PROVIDER;
        }
        expire(nowNs, key);
        Map<NodeId, Entry> providers = byKey.get(key);
        Entry old = providers == null ? null : providers.get(provider);
        if (old != null) {
            return record.seq() < old.record().seq() ? WriteOutcome.STALE_SEQ : WriteOutcome.STORED;
        }
        if (providers != null && providers.size() >= maxPerKey) {
            return WriteOutcome.KEY_FULL;
        }
        if (keysPerProvider.getOrDefault(provider, 0) >= maxKeysPerProvider) {
            return WriteOutcome.PROVIDER_FULL;
        }
        return entries >= maxEntries ? WriteOutcome.STORE_FULL : WriteOutcome.STORED;
    }

    /** Puts back an entry recovered from the WAL, unchecked and unjournaled. Start-up only. */
    public void restore(NodeId key, SignedNodeRecord record, long storedNs, long expiresNs) {
        Entry old = byKey.computeIfAbsent(key, k -> new LinkedHashMap<>())
                .put(record.id(), new Entry(record, storedNs, expiresNs));
        if (old == null) {
            entries++;
            keysPerProvider.merge(record.id(), 1, Integer::sum);
            bytes += record.sizeBytes();
        } else {
            bytes += record.sizeBytes() - old.record().sizeBytes();
        }
    }

    /** The live providers of {@code key}, oldest first (an empty list when none). */
    public List<SignedNodeRecord> providers(long nowNs, NodeId key) {
        expire(nowNs, key);
        Map<NodeId, Entry> providers = byKey.get(key);
        List<SignedNodeRecord> out = new ArrayList<>(providers == null ? 0 : providers.size());
        if (providers != null) {
            for (Entry e : providers.values()) {
                out.add(e.record());
            }
        }
        return out;
    }

    /** Drops every expired entry; returns how many. */
    public int expire(long nowNs) {
        int n = 0;
        for (NodeId key : new ArrayList<>(byKey.keySet())) {
            n += expire(nowNs, key);
        }
        return n;
    }

    private int expire(long nowNs, NodeId key) {
        Map<NodeId, Entry> providers = byKey.get(key);
        if (providers == null) {
            return 0;
        }
        int n = 0;
        for (Iterator<Map.Entry<NodeId, Entry>> it = providers.entrySet().iterator(); it.hasNext();) {
            Map.Entry<NodeId, Entry> e = it.next();
            if (e.getValue().expiresNs() <= nowNs) {
                journal.onProviderRemoved(key, e.getKey(), StoreJournal.Removal.EXPIRED);
                it.remove();
                forget(e.getKey(), e.getValue());
                n++;
            }
        }
        if (providers.isEmpty()) {
            byKey.remove(key);
        }
        expired += n;
        return n;
    }

    private void forget(NodeId provider, Entry e) {
        entries--;
        bytes -= e.record().sizeBytes();
        keysPerProvider.computeIfPresent(provider, (p, n) -> n == 1 ? null : n - 1);
    }

    /** Every key's entries, expired or not yet swept, for snapshots and operator views on the owner thread. */
    public void forEach(EntryVisitor visitor) {
        byKey.forEach((key, providers) -> providers.values().forEach(e -> visitor.visit(key, e)));
    }

    /** Sees one entry of {@link #forEach}. */
    @FunctionalInterface
    public interface EntryVisitor {
        void visit(NodeId key, Entry entry);
    }

    public int keys() {
        return byKey.size();
    }

    public int size() {
        return entries;
    }

    public long bytes() {
        return bytes;
    }

    public long expired() {
        return expired;
    }

    /** Writes that ended with {@code outcome} (STORED included). */
    public long outcomes(WriteOutcome outcome) {
        return tally.of(outcome);
    }

    /** Writes refused for any reason. */
    public long refused() {
        return tally.refused();
    }
}
