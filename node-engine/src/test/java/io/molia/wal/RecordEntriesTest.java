package io.molia.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.Ed25519Identity;
import io.molia.record.MutableRecord;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;
import io.molia.record.WriteOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAL entries of provider and mutable records (types 7-10): encoded, checked, replayed into {@link WalState},
 * kept by a snapshot, and an entry whose lengths do not add up refused with a reason (never guessed at).
 */
class RecordEntriesTest {
    private final WalFormat f = new WalFormat();
    private final Ed25519Identity owner = Ed25519Identity.generate(new SplittableRandom(3));
    private final MutableRecord mutable = MutableRecord.sign(owner, "salt".getBytes(StandardCharsets.UTF_8), 7,
            "value".getBytes(StandardCharsets.UTF_8));
    private final SignedNodeRecord provider = SignedNodeRecord.sign(owner, List.of(NodeAddress.ipv4(0x7f000001, 4000),
            NodeAddress.ipv6(1, 2, 4001)), 3, 5);
    private final NodeId key = new NodeId(1, 2, 3, 4);

    private byte[] entry(int n, byte[] b) {
        byte[] e = Arrays.copyOf(b, n);
        assertNull(f.check(e, 0, e.length), "a valid entry");
        return e;
    }

    private static String apply(WalState s, byte[] e) {
        return s.apply(WalFormat.type(e, 0), e, WalFormat.HEADER_BYTES, e.length - WalFormat.HEADER_BYTES);
    }

    @Test
    void putsAndRemovesReplayIntoTheStateAndSignaturesStillHold() {
        byte[] b = new byte[1024];
        WalState s = new WalState();
        assertNull(apply(s, entry(WalEntries.mutablePut(f, b, 1, mutable, 10, 20), b)));
        assertNull(apply(s, entry(WalEntries.providerPut(f, b, 2, key, provider, null, 11, 21), b)));
        assertEquals(mutable, s.mutables().get(mutable.key()).record());
        assertEquals(20, s.mutables().get(mutable.key()).expiresWallMs());
        assertEquals(WriteOutcome.STORED, s.mutables().get(mutable.key()).record().check(1_000));
        assertEquals(List.of(new WalState.Provider(key, provider, null, 11, 21)), s.providerList());
        assertEquals(WriteOutcome.STORED, s.providerList().get(0).record().check());

        assertNull(apply(s, entry(WalEntries.keyOnly(f, b, WalFormat.TYPE_MUTABLE_REMOVE, 3, mutable.key()), b)));
        assertNull(apply(s, entry(WalEntries.providerRemove(f, b, 4, key, provider.id()), b)));
        assertTrue(s.mutables().isEmpty());
        assertTrue(s.providerList().isEmpty());
        assertEquals("mutable_put", WalFormat.typeName(WalFormat.TYPE_MUTABLE_PUT));
        assertEquals(WalFormat.TYPE_PROVIDER_REMOVE, WalFormat.typeOf("provider_remove"));
    }

    @Test
    void aProviderEntryKeepsItsAnnouncementAcrossReplayAndSnapshot(@TempDir Path dir) throws Exception {
        byte[] b = new byte[1024];
        ProvideAnnouncement announcement = ProvideAnnouncement.sign(owner, key, provider.seq(), 1_800_172_800L);
        byte[] e = entry(WalEntries.providerPut(f, b, 2, key, provider, announcement, 11, 21), b);
        assertEquals(2, WalFormat.version(e, 0), "version 2: the announcement follows the addresses");
        WalState s = new WalState();
        assertNull(apply(s, e));
        WalState.Provider back = s.providerList().get(0);
        assertEquals(new WalState.Provider(key, provider, announcement, 11, 21), back);
        assertEquals(WriteOutcome.STORED, back.announcement().check(back.record(), key, 1_800_000_000L),
                "still signed by the provider after replay");
        Path file = dir.resolve("snapshot");
        SnapshotFile.write(file, 0, 1, 2, 0, s);
        assertEquals(s.providerList(), SnapshotFile.read(file).state().providerList());

        byte[] cut = entry(f.seal(e, 0, WalFormat.TYPE_PROVIDER_PUT, 2, 2, e.length - WalFormat.HEADER_BYTES - 72), e);
        assertNotNull(apply(new WalState(), cut), "a version 2 entry without its announcement is refused");
    }

    @Test
    void anEntryWhoseLengthsDoNotAddUpIsRefusedWithAReason() {
        byte[] b = new byte[1024];
        byte[] e = entry(WalEntries.mutablePut(f, b, 1, mutable, 10, 20), b);
        int valueLengthAt = WalFormat.HEADER_BYTES + 121 + mutable.salt().length;
        WalFormat.putInt(e, valueLengthAt, 999);
        assertNotNull(apply(new WalState(), e));
        e = entry(WalEntries.providerPut(f, b, 2, key, provider, null, 11, 21), b);
        e[WalFormat.HEADER_BYTES + 160] = 9; // more addresses than the payload holds
        assertNotNull(apply(new WalState(), e));
    }

    @Test
    void aSnapshotKeepsThemAndTheirSignatures(@TempDir Path dir) throws Exception {
        WalState s = new WalState();
        s.putMutable(new WalState.Mutable(mutable, 10, 20));
        s.putProvider(new WalState.Provider(key, provider, null, 11, 21));
        Path file = dir.resolve("snapshot");
        SnapshotFile.write(file, 0, 1, 2, 0, s);
        WalState back = SnapshotFile.read(file).state();
        assertEquals(s.mutables(), back.mutables());
        assertEquals(s.providerList(), back.providerList());
    }

    @Test
    void whatTheOwnerRepublishesReplaysInPublishOrderAndASnapshotKeepsIt(@TempDir Path dir) throws Exception {
        byte[] b = new byte[1024];
        WalState s = new WalState();
        MutableRecord newer = MutableRecord.sign(owner, mutable.salt(), 8, "newer".getBytes(StandardCharsets.UTF_8));
        assertNull(apply(s, entry(WalEntries.republishAdd(f, b, 1, mutable.key(), null, mutable, 10, 3_600_010), b)));
        assertNull(apply(s, entry(WalEntries.republishAdd(f, b, 2, key, provider, null, 11, 79_200_011), b)));
        assertNull(apply(s, entry(WalEntries.republishAdd(f, b, 3, newer.key(), null, newer, 12, 3_600_012), b)));
        assertEquals(List.of(new WalState.Republish(key, provider, null, 11, 79_200_011),
                new WalState.Republish(newer.key(), null, newer, 12, 3_600_012)), s.republishList(),
                "the newer publish of the same key replaced the older and moved to the end");
        assertEquals(WriteOutcome.STORED, s.republishList().get(1).mutable().check(1_000));

        Path file = dir.resolve("snapshot");
        SnapshotFile.write(file, 0, 1, 3, 0, s);
        assertEquals(s.republishList(), SnapshotFile.read(file).state().republishList());

        assertNull(apply(s, entry(WalEntries.republishRemove(f, b, 4, WalEntries.REPUBLISH_MUTABLE, key), b)));
        assertEquals(2, s.republishList().size(), "a mutable removal does not touch the provider record of a key");
        assertNull(apply(s, entry(WalEntries.republishRemove(f, b, 5, WalEntries.REPUBLISH_PROVIDER, key), b)));
        assertEquals(List.of(newer), s.republishList().stream().map(WalState.Republish::mutable).toList());
        assertEquals(WalFormat.TYPE_REPUBLISH_ADD, WalFormat.typeOf("republish_add"));
        assertEquals("republish_remove", WalFormat.typeName(WalFormat.TYPE_REPUBLISH_REMOVE));
    }

    @Test
    void aRepublishEntryOfUnknownKindOrBadLengthsIsRefused() {
        byte[] b = new byte[1024];
        byte[] e = entry(WalEntries.republishAdd(f, b, 1, mutable.key(), null, mutable, 10, 20), b);
        e[WalFormat.HEADER_BYTES] = 2;
        assertNotNull(apply(new WalState(), e));
        e = entry(WalEntries.republishAdd(f, b, 1, key, provider, null, 10, 20), b);
        e[WalFormat.HEADER_BYTES] = WalEntries.REPUBLISH_MUTABLE; // a provider payload read as a mutable record
        assertNotNull(apply(new WalState(), e));
        e = entry(WalEntries.republishRemove(f, b, 2, WalEntries.REPUBLISH_PROVIDER, key), b);
        e[WalFormat.HEADER_BYTES] = 7;
        assertNotNull(apply(new WalState(), e));
    }
}
