package io.molia.core.store;

import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import io.molia.contact.NodeId;
import io.molia.record.MutableRecord;
import io.molia.record.WriteOutcome;

/**
 * The signed mutable records this node holds for others (BEP 44 semantics), bounded by count and bytes. Every write
 * goes through {@link #put}: signature, size, seq and compare-and-swap are checked there and nowhere else, so a
 * later admission rule (a write token) has one place to go. Refusals are counted per {@link WriteOutcome}.
 *
 * <p>Owned by the core's thread; not thread-safe.
 */
public final class MutableStore {
    /** A held record and when it expires. */
    public record Held(MutableRecord record, long storedNs, long expiresNs) {
    }

    /** No compare-and-swap asked: any stored seq is fine. */
    public static final long NO_CAS = -1;

    private final int maxRecords;
    private final long maxBytes;
    private final int maxValueBytes;
    private final Map<NodeId, Held> records = new HashMap<>();
    private final WriteTally tally = new WriteTally();
    private long bytes;
    private long expired;
    private StoreJournal journal = StoreJournal.NONE;

    public MutableStore(int maxRecords, long maxBytes, int maxValueBytes) {
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.maxValueBytes = maxValueBytes;
    }

    public void journal(StoreJournal journal) {
        this.journal = journal;
    }

    /**
     * Stores {@code r} under its key unless refused: a bad signature or shape, an oversize value, a seq not above
     * the stored one (an equal seq with the same value only refreshes the TTL), a {@code cas} (the seq the writer
     * expects stored; 0 for none stored) that differs, a full store, or a journal that failed. On
     * {@link WriteOutcome#STORED} the change is journaled and may be acknowledged.
     */
    public WriteOutcome put(long nowNs, MutableRecord r, long cas, long ttlNs) {
        WriteOutcome outcome = admit(nowNs, r, cas);
        if (outcome.stored()) {
            NodeId key = r.key();
            Held old = records.get(key);
            if (!journal.onMutablePut(key, r, nowNs, nowNs + ttlNs)) {
                outcome = WriteOutcome.NOT_DURABLE;
            } else {
                records.put(key, new Held(r, nowNs, nowNs + ttlNs));
                bytes += r.sizeBytes() - (old == null ? 0 : old.record().sizeBytes());
            }
        }
        tally.count(outcome);
        return outcome;
    }

    private WriteOutcome admit(long nowNs, MutableRecord r, long cas) {
        WriteOutcome shape = r.check(maxValueBytes);
        if (!shape.stored()) {
            return shape;
        }
        Held old = get(nowNs, r.key());
        long storedSeq = old == null ? 0 : old.record().seq();
        if (cas != NO_CAS && cas != storedSeq) {
            return WriteOutcome.CAS_MISMATCH;
        }
        if (old != null && (r.seq() < storedSeq || (r.seq() == storedSeq && !r.sameValue(old.record())))) {
            return WriteOutcome.STALE_SEQ;
        }
        long newBytes = bytes + r.sizeBytes() - (old == null ? 0 : old.record().sizeBytes());
        if ((old == null && records.size() >= maxRecords) || newBytes > maxBytes) {
            return WriteOutcome.STORE_FULL;
        }
        return WriteOutcome.STORED;
    }

    /** Puts back a record recovered from the WAL, unchecked and unjournaled (it was accepted once). Start-up only. */
    public void restore(MutableRecord r, long storedNs, long expiresNs) {
        Held old = records.put(r.key(), new Held(r, storedNs, expiresNs));
        bytes += r.sizeBytes() - (old == null ? 0 : old.record().sizeBytes());
    }

    /** The live record under {@code key}, or null (an expired one is dropped on the way). */
    public Held get(long nowNs, NodeId key) {
        Held h = records.get(key);
        if (h != null && h.expiresNs() <= nowNs) {
            drop(key, h);
            return null;
        }
        return h;
    }

    /** Drops every record whose TTL passed; returns how many. */
    public int expire(long nowNs) {
        int n = 0;
        for (Iterator<Map.Entry<NodeId, Held>> it = records.entrySet().iterator(); it.hasNext();) {
            Map.Entry<NodeId, Held> e = it.next();
            if (e.getValue().expiresNs() <= nowNs) {
                journal.onMutableRemoved(e.getKey(), StoreJournal.Removal.EXPIRED);
                bytes -= e.getValue().record().sizeBytes();
                it.remove();
                n++;
            }
        }
        expired += n;
        return n;
    }

    private void drop(NodeId key, Held h) {
        journal.onMutableRemoved(key, StoreJournal.Removal.EXPIRED);
        records.remove(key);
        bytes -= h.record().sizeBytes();
        expired++;
    }

    /** Every record, expired or not yet swept, for snapshots and operator views on the owner thread. */
    public Map<NodeId, Held> view() {
        return Collections.unmodifiableMap(records);
    }

    public int size() {
        return records.size();
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
