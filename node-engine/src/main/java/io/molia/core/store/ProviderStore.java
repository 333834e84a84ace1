package io.molia.core.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeId;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;
import io.molia.record.WriteOutcome;

/**
 * Provider records: for a key, the signed node records of the nodes that say they provide it (IPFS's ADD_PROVIDER).
 * Bounded per key (a popular key does not crowd out others), per provider (one node cannot fill the store with
 * keys it claims) and in all; a write past a bound is refused and counted. A provider refreshes its entry by adding
 * it again (same or higher seq). An entry with the provider's {@link ProvideAnnouncement} can be added by any node (a
 * holder handing it over), and lives no longer than the announcement says. Every write goes through {@link #add}.
 *
 * <p>One exception to "refused, never evicts": a key full of entries some other node handed over makes room for a
 * provider that announces itself, by dropping the oldest handed-over entry. Anyone can sign announcements for
 * identities made up on the spot and hand them over, so without it one peer could fill a key's providers at its
 * holders and lock the real providers out; with it, a made-up provider holds a place against real ones only by
 * announcing itself over its own session, which costs an identity with its proof of work like any peer.
 *
 * <p>Owned by the core's thread; not thread-safe.
 */
public final class ProviderStore {
    /**
     * One provider of a key: its record, its announcement (null when it sent none), when the entry expires, and
     * whether the provider itself added it here (false for one handed over by another node, or read back from the
     * WAL, which does not say: the provider's next announcement makes it direct again).
     */
    public record Entry(SignedNodeRecord record, ProvideAnnouncement announcement, long storedNs, long expiresNs,
            boolean direct) {
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
    private long forwarded;
    private long displaced;
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
     * Adds or refreshes {@code record} as a provider of {@code key}, sent by the provider itself, without an
     * announcement (a provider that predates them): kept for {@code ttlNs}.
     */
    public WriteOutcome add(long nowNs, NodeId key, SignedNodeRecord record, NodeId sender, long ttlNs) {
        return add(nowNs, 0, key, record, null, sender, ttlNs);
    }

    /**
     * Adds or refreshes {@code record} as a provider of {@code key}, sent by {@code sender}: refused unless the record
     * is signed by its key, and either the sender is the provider itself or {@code announcement} (the provider's
     * signature naming the key, the record's seq and an expiry) holds and has not expired at {@code wallNowNs}; its
     * seq must not be below the one held, and the bounds must leave room. Kept for {@code ttlNs}, never past the
     * announcement's expiry: a holder that forwards an entry cannot make it outlive what its provider signed. A
     * refresh of the same seq that would end sooner leaves the entry as it is.
     */
    public WriteOutcome add(long nowNs, long wallNowNs, NodeId key, SignedNodeRecord record,
            ProvideAnnouncement announcement, NodeId sender, long ttlNs) {
        long expiresNs = nowNs + ttlNs;
        if (announcement != null) {
            expiresNs = Math.min(expiresNs, nowNs + untilNs(announcement.expiresSeconds(), wallNowNs));
        }
        WriteOutcome outcome = admit(nowNs, wallNowNs, key, record, announcement, sender);
        Entry old = outcome.stored() ? entry(key, record.id()) : null;
        boolean direct = record.id().equals(sender) || old != null && old.direct();
        if (old != null && old.record().seq() == record.seq() && old.expiresNs() >= expiresNs
                && old.direct() == direct) {
            tally.count(outcome); // the same entry, held at least as long: nothing to write
            return outcome;
        }
        if (outcome.stored()) {
            NodeId provider = record.id();
            if (announcement == null && old != null && old.record().seq() == record.seq()) {
                announcement = old.announcement(); // still signed for this seq: it stays forwardable
            }
            if (!journal.onProviderPut(key, record, announcement, nowNs, expiresNs)) {
                outcome = WriteOutcome.NOT_DURABLE;
            } else {
                if (old == null) {
                    makeRoom(key);
                }
                byKey.computeIfAbsent(key, k -> new LinkedHashMap<>())
                        .put(provider, new Entry(record, announcement, nowNs, expiresNs, direct));
                if (old == null) {
                    entries++;
                    keysPerProvider.merge(provider, 1, Integer::sum);
                    bytes += sizeBytes(record, announcement);
                } else {
                    bytes += sizeBytes(record, announcement) - sizeBytes(old.record(), old.announcement());
                }
                if (!provider.equals(sender)) {
                    forwarded++;
                }
            }
        }
        tally.count(outcome);
        return outcome;
    }

    /** Nanoseconds from {@code wallNowNs} until {@code expiresSeconds} (wall clock), 0 when it has passed. */
    private static long untilNs(long expiresSeconds, long wallNowNs) {
        long leftSeconds = expiresSeconds - Math.floorDiv(wallNowNs, 1_000_000_000L);
        return leftSeconds <= 0 ? 0 : TimeUnit.SECONDS.toNanos(Math.min(leftSeconds, Long.MAX_VALUE / 1_000_000_000L))
                - Math.floorMod(wallNowNs, 1_000_000_000L);
    }

    private WriteOutcome admit(long nowNs, long wallNowNs, NodeId key, SignedNodeRecord record,
            ProvideAnnouncement announcement, NodeId sender) {
        WriteOutcome shape = record.check();
        if (!shape.stored()) {
            return shape;
        }
        NodeId provider = record.id();
        if (announcement != null) {
            WriteOutcome signed = announcement.check(record, key, Math.floorDiv(wallNowNs, 1_000_000_000L));
            if (!signed.stored()) {
                return signed;
            }
        } else if (!provider.equals(sender)) {
            return WriteOutcome.NOT_THE_PROVIDER;
        }
        expire(nowNs, key);
        Map<NodeId, Entry> providers = byKey.get(key);
        Entry old = providers == null ? null : providers.get(provider);
        if (old != null) {
            return record.seq() < old.record().seq() ? WriteOutcome.STALE_SEQ : WriteOutcome.STORED;
        }
        if (providers != null && providers.size() >= maxPerKey
                && (!provider.equals(sender) || oldestHandedOver(providers) == null)) {
            return WriteOutcome.KEY_FULL;
        }
        if (keysPerProvider.getOrDefault(provider, 0) >= maxKeysPerProvider) {
            return WriteOutcome.PROVIDER_FULL;
        }
        return entries >= maxEntries ? WriteOutcome.STORE_FULL : WriteOutcome.STORED;
    }

    /** The first entry of {@code providers} that another node handed over, or null when the provider added each. */
    private static NodeId oldestHandedOver(Map<NodeId, Entry> providers) {
        for (Map.Entry<NodeId, Entry> e : providers.entrySet()) {
            if (!e.getValue().direct()) {
                return e.getKey();
            }
        }
        return null;
    }

    /** When {@code key} is full ({@link #admit} let a provider in on its word), drops its oldest handed-over one. */
    private void makeRoom(NodeId key) {
        Map<NodeId, Entry> providers = byKey.get(key);
        if (providers == null || providers.size() < maxPerKey) {
            return;
        }
        NodeId dropped = oldestHandedOver(providers);
        journal.onProviderRemoved(key, dropped, StoreJournal.Removal.DELETED);
        forget(dropped, providers.remove(dropped));
        displaced++;
    }

    private Entry entry(NodeId key, NodeId provider) {
        Map<NodeId, Entry> providers = byKey.get(key);
        return providers == null ? null : providers.get(provider);
    }

    private static int sizeBytes(SignedNodeRecord record, ProvideAnnouncement announcement) {
        return record.sizeBytes() + (announcement == null ? 0 : 8 + announcement.signature().length);
    }

    /** Puts back an entry recovered from the WAL, unchecked and unjournaled. Start-up only. */
    public void restore(NodeId key, SignedNodeRecord record, ProvideAnnouncement announcement, long storedNs,
            long expiresNs) {
        Entry old = byKey.computeIfAbsent(key, k -> new LinkedHashMap<>())
                .put(record.id(), new Entry(record, announcement, storedNs, expiresNs, false));
        if (old == null) {
            entries++;
            keysPerProvider.merge(record.id(), 1, Integer::sum);
            bytes += sizeBytes(record, announcement);
        } else {
            bytes += sizeBytes(record, announcement) - sizeBytes(old.record(), old.announcement());
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

    /** The live entries of {@code key}, oldest first (an empty list when none). */
    public List<Entry> entries(long nowNs, NodeId key) {
        expire(nowNs, key);
        Map<NodeId, Entry> providers = byKey.get(key);
        return providers == null ? List.of() : new ArrayList<>(providers.values());
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
        bytes -= sizeBytes(e.record(), e.announcement());
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

    /** Entries stored from a node other than their provider (handed over or repaired, with its announcement). */
    public long forwarded() {
        return forwarded;
    }

    /** Handed-over entries dropped to make room for a provider announcing itself at a full key. */
    public long displaced() {
        return displaced;
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
