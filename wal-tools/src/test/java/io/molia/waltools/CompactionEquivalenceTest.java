package io.molia.waltools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.store.StoreJournal;
import io.molia.wal.ShardWal;
import io.molia.wal.WalClock;
import io.molia.wal.WalLayout;
import io.molia.wal.WalSync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The equivalence check at scale: a WAL of more than a million entries (puts, overwrites, deletes,
 * expiries, peer changes) written by the node's writer; the replay digest before compaction equals the digest after.
 */
class CompactionEquivalenceTest {
    private static final int ENTRIES = 1_050_000;

    @TempDir
    Path dir;

    @Test
    void replayDigestBeforeEqualsAfterOnAMillionEntries() throws Exception {
        SplittableRandom random = new SplittableRandom(2026);
        WalClock clock = new WalClock(1_800_000_000_000_000_000L, 0);
        long written;
        try (ShardWal wal = new ShardWal(0, WalLayout.shardDir(dir, 0), WalSync.NONE, clock, 1, 1)) {
            byte[] value = new byte[24];
            int keys = 400_000; // overwrites and deletes hit earlier keys
            while (wal.nextSequence() <= ENTRIES) {
                int k = random.nextInt(keys);
                NodeId key = new NodeId(k, k * 31L, 17, 1);
                int dice = random.nextInt(100);
                if (dice < 80) {
                    random.nextBytes(value);
                    wal.onRecordPut(key, value.clone(), 0, random.nextLong(1, 1L << 50));
                } else if (dice < 90) {
                    wal.onRecordRemoved(key, StoreJournal.Removal.DELETED);
                } else if (dice < 97) {
                    wal.onRecordRemoved(key, StoreJournal.Removal.EXPIRED);
                } else {
                    byte[] pk = new byte[32];
                    random.nextBytes(pk);
                    wal.onPeerAdded(new Contact(NodeId.ofPublicKey(pk), pk, 0, NodeAddress.ipv4(random.nextInt(),
                            4000)));
                }
            }
            written = wal.nextSequence() - 1;
        }
        assertTrue(written >= 1_000_000);
        Progress quiet = new Progress(System.err, "test", false);
        WalReplayer.ShardResult before = new WalReplayer().replay(WalTarget.resolveIdle(dir), null, Long.MAX_VALUE,
                Long.MAX_VALUE, quiet).get(0);
        assertEquals(written, before.lastSequence());
        assertTrue(before.problems().isEmpty(), before.problems().toString());

        WalCompactor.ShardResult c = new WalCompactor().compactInPlace(WalLayout.resolve(dir), quiet).get(0);
        WalReplayer.ShardResult after = new WalReplayer().replay(WalTarget.resolveIdle(dir), null, Long.MAX_VALUE,
                Long.MAX_VALUE, quiet).get(0);

        assertEquals(before.digest(), c.digestBefore());
        assertEquals(before.digest(), after.digest(), "replay digest before compaction == after");
        assertEquals(before.records(), after.records());
        assertEquals(before.peers(), after.peers());
        assertEquals(written, after.lastSequence(), "the sequence carries on where the old WAL ended");
        System.out.printf("compaction equivalence: %d entries -> %d records, %d peers; digest %s; replay %.2f s, "
                + "compaction %.2f s%n", written, after.records(), after.peers(), after.digest(), before.seconds(),
                c.seconds());
    }
}
