package io.molia.wal;

import java.util.ArrayList;
import java.util.List;

import io.molia.contact.NodeId;
import io.molia.core.ShardPartition;

/**
 * What every shard dir of a WAL held, split among the shards that own it now (DESIGN §3.9): after a change of the
 * shard count a key's owner may be another shard than the one whose dir journaled it, or a shard the node no longer
 * runs. Each shard gets every record, mutable record and provider it owns, whichever dir held it, and the part of it
 * that came from another dir, which it journals again so that its own WAL holds all it serves.
 *
 * <p>The same key may be in two dirs: the old owner's, not yet compacted since the key moved, and the new owner's,
 * which may hold a later write. The newer one wins: the highest {@code seq} of a mutable record (BEP 44's order), the
 * later expiry of a provider entry; an immutable record is the same value in both.
 */
final class OwnerSplit {
    private final List<WalState> owned = new ArrayList<>();
    private final List<WalState> movedIn = new ArrayList<>();

    /** Splits {@code recovered} (one per shard dir, its own owners first) among {@code partition}'s shards. */
    OwnerSplit(ShardPartition partition, int shards, List<DurableShard.Recovered> recovered) {
        long records = recovered.stream().mapToLong(r -> r.state().records().size()).sum();
        for (int shard = 0; shard < shards; shard++) {
            owned.add(new WalState());
            owned.get(shard).expectRecords(records / shards);
            movedIn.add(new WalState());
        }
        for (DurableShard.Recovered r : recovered) {
            int from = r.shard();
            for (var e : r.state().records().entrySet()) {
                int owner = partition.ownerOfKey(e.getKey());
                if (!owned.get(owner).records().containsKey(e.getKey())) {
                    owned.get(owner).putRecord(e.getKey(), e.getValue());
                    if (owner != from) {
                        movedIn.get(owner).putRecord(e.getKey(), e.getValue());
                    }
                }
            }
            for (WalState.Mutable m : r.state().mutables().values()) {
                NodeId key = m.record().key();
                int owner = partition.ownerOfKey(key);
                WalState.Mutable held = owned.get(owner).mutables().get(key);
                if (held == null || held.record().seq() < m.record().seq()) {
                    owned.get(owner).putMutable(m);
                    if (owner != from) {
                        movedIn.get(owner).putMutable(m);
                    }
                }
            }
            for (WalState.Provider p : r.state().providerList()) {
                int owner = partition.ownerOfKey(p.key());
                WalState.Provider held = owned.get(owner).provider(p.key(), p.record().id());
                if (held == null || held.expiresWallMs() < p.expiresWallMs()) {
                    owned.get(owner).putProvider(p);
                    if (owner != from) {
                        movedIn.get(owner).putProvider(p);
                    }
                }
            }
        }
    }

    /** Everything {@code shard} owns now. */
    WalState owned(int shard) {
        return owned.get(shard);
    }

    /** What {@code shard} owns now that another dir held: to journal again in its own WAL. */
    WalState movedIn(int shard) {
        return movedIn.get(shard);
    }
}
