package io.molia.blob;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;

/**
 * What a node holds for blobs: fragments under their placement keys and manifests under their content keys, each
 * checked on the way in (a fragment against the hash it carries, a manifest by hashing it), bounded in bytes: a
 * store past {@link #capacityBytes} refuses and counts, it never evicts another blob's fragment to make room.
 * Each object lives a TTL from when it was last pushed ({@link #expire}): a push of an object already held refreshes it.
 *
 * <p>Owned by one thread; not thread-safe.
 */
public final class BlobStore {
    private final long capacityBytes;
    private final Blake3 blake3 = new Blake3();
    private final BlobLayout layout = new BlobLayout();
    private final Map<NodeId, byte[]> objects = new LinkedHashMap<>();
    /** When each object held was last pushed (taken, or refreshed by a push of the same object). */
    private final Map<NodeId, Long> pushedNs = new HashMap<>();
    private long expired;
    private long bytes;
    private int fragments;
    private long fragmentBytes;
    private long fragmentsStored;
    private long manifestsStored;
    private long refusedMalformed;
    private long refusedFull;

    public BlobStore(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    /**
     * Takes an object a peer pushed at {@code nowNs}: a fragment ("MF") or a manifest ("MB"). Returns the key it is
     * held under, or null when refused (counted: malformed, or the store is full). An object already held lives on
     * from {@code nowNs} (its owner pushed it again).
     */
    public NodeId accept(byte[] object, long nowNs) {
        NodeId key;
        try {
            if (object.length >= 2 && object[0] == 'M' && object[1] == 'F') {
                FragmentObject f = FragmentObject.decode(object, 0, object.length, blake3);
                key = NodeId.fromBytes(layout.placementKey(f.manifestKey(), f.stripe(), f.index()));
            } else {
                BlobManifest.decode(object, 0, object.length);
                key = NodeId.fromBytes(blake3.hash(object));
            }
        } catch (BlobFormatException e) {
            refusedMalformed++;
            return null;
        }
        if (objects.containsKey(key)) {
            pushedNs.put(key, nowNs);
            return key;
        }
        if (bytes + object.length > capacityBytes) {
            refusedFull++;
            return null;
        }
        objects.put(key, object);
        pushedNs.put(key, nowNs);
        bytes += object.length;
        if (object[1] == 'F') {
            fragmentsStored++;
            fragments++;
            fragmentBytes += object.length;
        } else {
            manifestsStored++;
        }
        return key;
    }

    /** Every object held, with its key, in the order taken (what a WAL compaction writes). */
    public void forEach(java.util.function.BiConsumer<NodeId, byte[]> action) {
        objects.forEach(action);
    }

    /** The object held under {@code key}, or null. */
    public byte[] get(NodeId key) {
        return objects.get(key);
    }

    /**
     * Removes every object not pushed again within {@code ttlNs} of {@code nowNs}: each is journaled as removed
     * ({@link BlobJournal#onBlobRemoved}) before its bytes go, so a replay never brings it back and never needs the
     * clock. Returns how many expired.
     */
    public int expire(long nowNs, long ttlNs, BlobJournal journal) {
        List<NodeId> due = new ArrayList<>();
        for (Map.Entry<NodeId, Long> e : pushedNs.entrySet()) {
            if (nowNs - e.getValue() >= ttlNs) {
                due.add(e.getKey());
            }
        }
        due.sort(null); // journaled in key order: the same state gives the same WAL whatever the map's order
        for (NodeId key : due) {
            journal.onBlobRemoved(key);
            remove(key);
        }
        expired += due.size();
        return due.size();
    }

    /** Objects removed by {@link #expire} since this store was made. */
    public long expired() {
        return expired;
    }

    public void remove(NodeId key) {
        pushedNs.remove(key);
        byte[] o = objects.remove(key);
        if (o != null) {
            bytes -= o.length;
            if (o[1] == 'F') {
                fragments--;
                fragmentBytes -= o.length;
            }
        }
    }

    public int size() {
        return objects.size();
    }

    public long bytes() {
        return bytes;
    }

    /** Fragments held now (the rest of {@link #size} are manifests). */
    public int fragments() {
        return fragments;
    }

    /** Bytes of the fragments held now (the rest of {@link #bytes} are manifests'). */
    public long fragmentBytes() {
        return fragmentBytes;
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    public long fragmentsStored() {
        return fragmentsStored;
    }

    public long manifestsStored() {
        return manifestsStored;
    }

    public long refusedMalformed() {
        return refusedMalformed;
    }

    public long refusedFull() {
        return refusedFull;
    }
}
