package io.molia.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.ShardPartition;
import io.molia.crypto.Ed25519Identity;
import io.molia.record.MutableRecord;
import io.molia.record.SignedNodeRecord;
import org.junit.jupiter.api.Test;

/**
 * After a change of the shard count, the same key may be journaled in two shard dirs (the old owner's, not yet
 * compacted, and the new owner's): the owner keeps the newer entry, and journals again only what it did not hold.
 */
class OwnerSplitTest {
    private final Ed25519Identity owner = Ed25519Identity.generate(new SplittableRandom(5));
    private final byte[] salt = "s".getBytes(StandardCharsets.UTF_8);
    private final MutableRecord older = MutableRecord.sign(owner, salt, 1, bytes("first"));
    private final MutableRecord newer = MutableRecord.sign(owner, salt, 2, bytes("second"));
    private final ShardPartition two = new ShardPartition(0, 2, 4);
    private final int keyOwner = two.ownerOfKey(older.key());

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static DurableShard.Recovered recovered(int shard, WalState state) {
        return new DurableShard.Recovered(shard, state, 0, 0, 0);
    }

    @Test
    void theNewerMutableRecordWinsWhicheverDirHeldIt() {
        WalState atOwner = new WalState();
        atOwner.putMutable(new WalState.Mutable(newer, 10, 1_000));
        WalState elsewhere = new WalState();
        elsewhere.putMutable(new WalState.Mutable(older, 5, 1_000));

        OwnerSplit split = new OwnerSplit(two, 2, List.of(recovered(keyOwner, atOwner),
                recovered(1 - keyOwner, elsewhere)));
        assertEquals(2, split.owned(keyOwner).mutables().get(older.key()).record().seq(), "the owner's later write");
        assertNull(split.movedIn(keyOwner).mutables().get(older.key()), "the owner's own dir holds it already");
        assertEquals(0, split.owned(1 - keyOwner).mutables().size());

        // the other way round: the newer one was in the dir of a shard that no longer owns the key
        OwnerSplit reversed = new OwnerSplit(two, 2, List.of(recovered(keyOwner, elsewhere),
                recovered(1 - keyOwner, atOwner)));
        assertEquals(2, reversed.owned(keyOwner).mutables().get(older.key()).record().seq());
        assertEquals(2, reversed.movedIn(keyOwner).mutables().get(older.key()).record().seq(), "journaled again");
    }

    @Test
    void aProviderEntryKeepsTheLaterExpiryAndShardsBeyondTheCountHandEverythingOver() {
        NodeId key = new NodeId(7, 7, 7, 7);
        SignedNodeRecord record = SignedNodeRecord.sign(owner, List.of(NodeAddress.ipv4(0x7f000001, 4000)), 1, 0);
        WalState gone = new WalState(); // shard 3 of a node that now runs 2
        gone.putProvider(new WalState.Provider(key, record, null, 10, 9_000));
        gone.putRecord(new NodeId(1, 2, 3, 4), new WalState.Record(bytes("v"), 10, 9_000));
        WalState stale = new WalState();
        stale.putProvider(new WalState.Provider(key, record, null, 5, 2_000));

        OwnerSplit split = new OwnerSplit(two, 2, List.of(recovered(0, stale), recovered(1, new WalState()),
                recovered(3, gone)));
        int keyShard = two.ownerOfKey(key);
        assertEquals(9_000, split.owned(keyShard).provider(key, record.id()).expiresWallMs());
        assertEquals(1, split.movedIn(keyShard).providerList().size());
        int recordShard = two.ownerOfKey(new NodeId(1, 2, 3, 4));
        assertEquals(1, split.movedIn(recordShard).records().size(), "shard 3's record moves to its owner");
    }
}
