package io.molia.core.store;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;

import io.molia.contact.NodeId;

/**
 * The records this node holds for others, in memory, bounded by count and by value bytes; each expires at its
 * TTL. When full, new keys are refused (and counted) rather than evicting what others stored earlier: a flood of
 * writes must not push out the records that were there first. Every change is reported to the
 * {@link StoreJournal} before it takes effect (the WAL, DESIGN §3.9).
 *
 * <p>Owned by the core's thread; not thread-safe.
 */
public final class RecordStore {
    /** A stored value and when it expires. */
    public record StoredRecord(byte[] value, long storedNs, long expiresNs) {
    }

    private final int maxRecords;
    private final long maxBytes;
    private final Map<NodeId, StoredRecord> records = new HashMap<>();
    private long bytes;
    private long refusedFull;
    private long expired;
    private long refusedJournal;
    private StoreJournal journal = StoreJournal.NONE;

    public RecordStore(int maxRecords, long maxBytes) {
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    /** Where changes are journaled from now on ({@link StoreJournal#NONE} by default). */
    public void journal(StoreJournal journal) {
        this.journal = journal;
    }

    /**
     * Stores or refreshes {@code key}; false when the store is full or the journal could not make the write
     * durable. When this returns true the change is journaled: the caller may acknowledge it.
     */
    public boolean put(long nowNs, NodeId key, byte[] value, long ttlNs) {
        StoredRecord old = records.get(key);
        long newBytes = bytes - (old == null ? 0 : old.value().length) + value.length;
        if ((old == null && records.size() >= maxRecords) || newBytes > maxBytes) {
            refusedFull++;
            return false;
        }
        if (!journal.onRecordPut(key, value, nowNs, nowNs + ttlNs)) {
            refusedJournal++;
            return false;
        }
        records.put(key, new StoredRecord(value, nowNs, nowNs + ttlNs));
        bytes = newBytes;
        return true;
    }

    /**
     * Puts back a record recovered from the WAL, without journaling it again and without the bounds (what was
     * accepted once stays). Start-up only.
     */
    public void restore(NodeId key, byte[] value, long storedNs, long expiresNs) {
        StoredRecord old = records.put(key, new StoredRecord(value, storedNs, expiresNs));
        bytes += value.length - (old == null ? 0 : old.value().length);
    }

    /** Visits every record, expired or not, in no particular order (snapshots, digests). */
    public void forEach(BiConsumer<NodeId, StoredRecord> visitor) {
        records.forEach(visitor);
    }

    /** The live record of {@code key}, or null (an expired record is dropped on the way). */
    public StoredRecord get(long nowNs, NodeId key) {
        StoredRecord r = records.get(key);
        if (r != null && r.expiresNs() <= nowNs) {
            journal.onRecordRemoved(key, StoreJournal.Removal.EXPIRED);
            records.remove(key);
            bytes -= r.value().length;
            expired++;
            return null;
        }
        return r;
    }

    public boolean remove(NodeId key) {
        StoredRecord r = records.get(key);
        if (r == null) {
            return false;
        }
        journal.onRecordRemoved(key, StoreJournal.Removal.DELETED);
        records.remove(key);
        bytes -= r.value().length;
        return true;
    }

    /** Drops every record whose TTL passed; returns how many. */
    public int expire(long nowNs) {
        int n = 0;
        for (Iterator<Map.Entry<NodeId, StoredRecord>> it = records.entrySet().iterator(); it.hasNext();) {
            Map.Entry<NodeId, StoredRecord> e = it.next();
            StoredRecord r = e.getValue();
            if (r.expiresNs() <= nowNs) {
                journal.onRecordRemoved(e.getKey(), StoreJournal.Removal.EXPIRED);
                it.remove();
                bytes -= r.value().length;
                n++;
            }
        }
        expired += n;
        return n;
    }

    /** Every live-or-expired-but-not-swept record, for an operator's view on the owner thread: copy before leaving. */
    public Map<NodeId, StoredRecord> view() {
        return java.util.Collections.unmodifiableMap(records);
    }

    public int maxRecords() {
        return maxRecords;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public int size() {
        return records.size();
    }

    public long bytes() {
        return bytes;
    }

    public long refusedFull() {
        return refusedFull;
    }

    public long expired() {
        return expired;
    }

    /** Writes refused because the journal could not make them durable. */
    public long refusedJournal() {
        return refusedJournal;
    }
}
