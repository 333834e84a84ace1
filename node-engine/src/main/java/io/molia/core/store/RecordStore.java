package io.molia.core.store;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import io.molia.core.NodeId;

/**
 * The records this node holds for others, in memory, bounded by count and by value bytes; each expires at its
 * TTL. When full, new keys are refused (and counted) rather than evicting what others stored earlier: a flood of
 * writes must not push out the records that were there first.
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

    public RecordStore(int maxRecords, long maxBytes) {
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    /** Stores or refreshes {@code key}; false when the store is full. */
    public boolean put(long nowNs, NodeId key, byte[] value, long ttlNs) {
        StoredRecord old = records.get(key);
        long newBytes = bytes - (old == null ? 0 : old.value().length) + value.length;
        if ((old == null && records.size() >= maxRecords) || newBytes > maxBytes) {
            refusedFull++;
            return false;
        }
        records.put(key, new StoredRecord(value, nowNs, nowNs + ttlNs));
        bytes = newBytes;
        return true;
    }

    /** The live record of {@code key}, or null (an expired record is dropped on the way). */
    public StoredRecord get(long nowNs, NodeId key) {
        StoredRecord r = records.get(key);
        if (r != null && r.expiresNs() <= nowNs) {
            remove(key);
            expired++;
            return null;
        }
        return r;
    }

    public boolean remove(NodeId key) {
        StoredRecord r = records.remove(key);
        if (r != null) {
            bytes -= r.value().length;
        }
        return r != null;
    }

    /** Drops every record whose TTL passed; returns how many. */
    public int expire(long nowNs) {
        int n = 0;
        for (Iterator<StoredRecord> it = records.values().iterator(); it.hasNext();) {
            StoredRecord r = it.next();
            if (r.expiresNs() <= nowNs) {
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
}
