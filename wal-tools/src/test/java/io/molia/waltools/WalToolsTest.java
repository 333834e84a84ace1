package io.molia.waltools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.CoreConfig;
import io.molia.core.NodeCore;
import io.molia.core.store.StoreJournal;
import io.molia.wal.DataDirLock;
import io.molia.wal.NodeWal;
import io.molia.wal.ShardWal;
import io.molia.wal.StoreDigest;
import io.molia.wal.WalClock;
import io.molia.wal.WalFormat;
import io.molia.wal.WalLayout;
import io.molia.wal.WalOptions;
import io.molia.wal.WalScanner;
import io.molia.wal.WalState;
import io.molia.wal.WalSync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The library classes behind {@code molia wal}, called directly, on WALs written by the node's own writer. */
class WalToolsTest {
    private static final WalClock CLOCK = new WalClock(1_800_000_000_000_000_000L, 0);
    private static final Progress QUIET = new Progress(System.err, "test", false);

    @TempDir
    Path dir;

    /** Writes puts (every 7th deleted again, every 11th expired) and a few peers; returns the expected records. */
    private Map<NodeId, WalState.Record> write(Path dataDir, long gen, long firstSeq, int from, int n)
            throws Exception {
        Map<NodeId, WalState.Record> expected = new HashMap<>();
        try (ShardWal wal = new ShardWal(0, WalLayout.shardDir(dataDir, 0), WalSync.NONE, CLOCK, gen, firstSeq)) {
            for (int i = from; i < from + n; i++) {
                NodeId key = new NodeId(i, 3, 5, 7);
                byte[] value = ("record " + i).getBytes(StandardCharsets.US_ASCII);
                long expiresNs = (1_000L + i) * 1_000_000_000L;
                wal.onRecordPut(key, value, 0, expiresNs);
                expected.put(key, new WalState.Record(value, 0, CLOCK.toWallMs(expiresNs)));
                if (i % 7 == 0) {
                    wal.onRecordRemoved(key, StoreJournal.Removal.DELETED);
                    expected.remove(key);
                } else if (i % 11 == 0) {
                    wal.onRecordRemoved(key, StoreJournal.Removal.EXPIRED);
                    expected.remove(key);
                }
                if (i % 100 == 0) {
                    byte[] pk = new byte[32];
                    new SplittableRandom(i).nextBytes(pk);
                    wal.onPeerAdded(new Contact(NodeId.ofPublicKey(pk), pk, 0, NodeAddress.ipv4(0x7f000001, 4000 + i
                            % 1000)));
                }
            }
        }
        return expected;
    }

    private static String capture(ThrowingConsumer<PrintStream> body) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            body.accept(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    @Test
    void blobFragmentsAndManifestsDumpWithTheirBlobStripeAndSize() throws Exception {
        byte[] blob = new byte[100_000];
        new SplittableRandom(13).nextBytes(blob);
        io.molia.blob.BlobLayout layout = new io.molia.blob.BlobLayout();
        io.molia.blob.BlobLayout.Split split = layout.split(blob);
        io.molia.blob.BlobLayout.Fragment fragment = split.fragments().get(12);
        byte[] object = io.molia.blob.FragmentObject.of(split.manifestKey(), fragment, new io.molia.crypto.Blake3())
                .encode();
        NodeId placement = NodeId.fromBytes(layout.placementKey(split.manifestKey(), 0, 12));
        NodeId manifestKey = NodeId.fromBytes(split.manifestKey());
        try (ShardWal wal = new ShardWal(0, WalLayout.shardDir(dir, 0), WalSync.NONE, CLOCK, 1, 1)) {
            wal.onBlobStored(placement, object);
            wal.onBlobStored(manifestKey, split.manifest().encode());
        }
        String text = capture(out -> new WalDumper(out, System.err).dump(WalTarget.resolveIdle(dir),
                new WalDumper.Options(null, 0, Long.MAX_VALUE, -1, false)));
        List<String> lines = text.lines().toList();
        assertTrue(lines.get(1).contains("blob_fragment v1 key=" + placement.toHex() + " blob=" + manifestKey.toHex()
                + " stripe=0 index=12 data_bytes=10000"), lines.get(1));
        assertTrue(lines.get(2).contains("blob_manifest v1 key=" + manifestKey.toHex() + " blob_bytes=100000 stripes=1"),
                lines.get(2));
        WalState state = new WalScanner(0, WalLayout.shardDir(dir, 0)).scan(true, null, 0, null).state();
        assertTrue(java.util.Arrays.equals(object, state.blobs().get(placement)), "the fragment replays as written");
        assertEquals(2, state.blobs().size());
    }

    @Test
    void anExpiredBlobObjectIsJournaledAsRemovedBeforeItGoesAndReplayAndCompactionDropIt() throws Exception {
        byte[] blob = new byte[50_000];
        new SplittableRandom(17).nextBytes(blob);
        io.molia.blob.BlobLayout layout = new io.molia.blob.BlobLayout();
        io.molia.blob.BlobLayout.Split split = layout.split(blob);
        byte[] fragment = io.molia.blob.FragmentObject.of(split.manifestKey(), split.fragments().get(3),
                new io.molia.crypto.Blake3()).encode();
        byte[] manifest = split.manifest().encode();
        long hourNs = 3_600_000_000_000L;
        io.molia.blob.BlobStore store = new io.molia.blob.BlobStore(1L << 30);
        NodeId fragmentKey;
        NodeId manifestKey;
        try (ShardWal wal = new ShardWal(0, WalLayout.shardDir(dir, 0), WalSync.NONE, CLOCK, 1, 1)) {
            fragmentKey = store.accept(fragment, 0);
            wal.onBlobStored(fragmentKey, fragment);
            manifestKey = store.accept(manifest, 0);
            wal.onBlobStored(manifestKey, manifest);
            assertEquals(manifestKey, store.accept(manifest, 5 * hourNs), "pushed again: it lives on from then");
            assertEquals(0, store.expire(6 * hourNs - 1, 6 * hourNs, wal), "nothing is due before its TTL");
            assertEquals(1, store.expire(7 * hourNs, 6 * hourNs, wal));
        }
        assertEquals(null, store.get(fragmentKey));
        assertTrue(store.get(manifestKey) != null);
        assertEquals(manifest.length, store.bytes(), "the fragment's bytes went");
        assertEquals(1, store.expired());

        String text = capture(out -> new WalDumper(out, System.err).dump(WalTarget.resolveIdle(dir),
                new WalDumper.Options(null, 0, Long.MAX_VALUE, -1, false)));
        List<String> lines = text.lines().toList();
        assertTrue(lines.get(3).contains("blob_remove v1 key=" + fragmentKey.toHex()), text);
        WalState state = new WalScanner(0, WalLayout.shardDir(dir, 0)).scan(true, null, 0, null).state();
        assertEquals(List.of(manifestKey), List.copyOf(state.blobs().keySet()), "replay drops the removed fragment");
        WalStats.ShardStats stats = new WalStats().stats(WalTarget.resolveIdle(dir), QUIET).get(0);
        assertEquals(1, stats.entriesByType()[WalFormat.TYPE_BLOB_REMOVE], "wal stats counts the type");

        new WalCompactor().compactInPlace(WalLayout.resolve(dir), QUIET);
        WalState compacted = new WalScanner(0, WalLayout.shardDir(dir, 0)).scan(true, null, 0, null).state();
        assertEquals(List.of(manifestKey), List.copyOf(compacted.blobs().keySet()), "compaction keeps only the live");
    }

    @Test
    void aProviderEntryDumpsWithItsAnnouncementAndCompactionKeepsIt() throws Exception {
        io.molia.crypto.Ed25519Identity owner = io.molia.crypto.Ed25519Identity.generate(new SplittableRandom(6));
        io.molia.record.SignedNodeRecord provider = io.molia.record.SignedNodeRecord.sign(owner,
                List.of(NodeAddress.ipv4(0x7f000001, 4000)), 2, 0);
        NodeId key = new NodeId(6, 6, 6, 6);
        io.molia.record.ProvideAnnouncement announcement = io.molia.record.ProvideAnnouncement.sign(owner, key, 2,
                1_800_172_800L);
        try (ShardWal wal = new ShardWal(0, WalLayout.shardDir(dir, 0), WalSync.NONE, CLOCK, 1, 1)) {
            assertTrue(wal.onProviderPut(key, provider, announcement, 0, 3_600_000_000_000L));
        }
        String text = capture(out -> new WalDumper(out, System.err).dump(WalTarget.resolveIdle(dir),
                new WalDumper.Options(null, 0, Long.MAX_VALUE, -1, false)));
        String line = text.lines().toList().get(1);
        assertTrue(line.contains("provider_put v2 key=" + key.toHex()) && line.contains("announced_until="
                + java.time.Instant.ofEpochSecond(1_800_172_800L)), line);
        new WalCompactor().compactInPlace(WalLayout.resolve(dir), QUIET);
        WalState state = new WalScanner(0, WalLayout.shardDir(dir, 0)).scan(true, null, 0, null).state();
        assertEquals(announcement, state.providerList().get(0).announcement(), "kept by the snapshot");
    }

    @Test
    void whatTheOwnerRepublishesDumpsCountsInStatsAndCompactionKeepsIt() throws Exception {
        io.molia.crypto.Ed25519Identity owner = io.molia.crypto.Ed25519Identity.generate(new SplittableRandom(5));
        io.molia.record.MutableRecord mutable = io.molia.record.MutableRecord.sign(owner,
                "salt".getBytes(StandardCharsets.UTF_8), 4, "value".getBytes(StandardCharsets.UTF_8));
        io.molia.record.SignedNodeRecord provider = io.molia.record.SignedNodeRecord.sign(owner,
                List.of(NodeAddress.ipv4(0x7f000001, 4000)), 2, 0);
        NodeId key = new NodeId(4, 3, 2, 1);
        NodeId dropped = new NodeId(5, 5, 5, 5);
        try (ShardWal wal = new ShardWal(0, WalLayout.shardDir(dir, 0), WalSync.NONE, CLOCK, 1, 1)) {
            wal.onRepublishAdd(new io.molia.core.store.Republisher.Due(key, provider, null), 0, 79_200_000_000_000L);
            wal.onRepublishAdd(new io.molia.core.store.Republisher.Due(mutable.key(), null, mutable), 0,
                    3_600_000_000_000L);
            wal.onRepublishAdd(new io.molia.core.store.Republisher.Due(dropped, provider, null), 0, 1);
            wal.onRepublishRemove(dropped, true);
        }
        String text = capture(out -> new WalDumper(out, System.err).dump(WalTarget.resolveIdle(dir),
                new WalDumper.Options(null, 0, Long.MAX_VALUE, -1, false)));
        List<String> lines = text.lines().toList();
        assertTrue(lines.get(1).contains("republish_add v1 kind=provider key=" + key.toHex() + " seq=2 addresses=1 "
                + "published=" + java.time.Instant.ofEpochMilli(CLOCK.toWallMs(0)) + " next="
                + java.time.Instant.ofEpochMilli(CLOCK.toWallMs(79_200_000_000_000L))), lines.get(1));
        assertTrue(lines.get(2).contains("republish_add v1 kind=mutable public_key=") && lines.get(2).contains(
                "seq=4 salt=\"salt\" value_bytes=5"), lines.get(2));
        assertTrue(lines.get(4).contains("republish_remove v1 kind=provider key=" + dropped.toHex()), lines.get(4));

        WalStats.ShardStats stats = new WalStats().stats(WalTarget.resolveIdle(dir), QUIET).get(0);
        assertEquals(3, stats.entriesByType()[WalFormat.TYPE_REPUBLISH_ADD]);
        assertEquals(1, stats.entriesByType()[WalFormat.TYPE_REPUBLISH_REMOVE]);
        new WalCompactor().compactInPlace(WalLayout.resolve(dir), QUIET);
        String[] out = {""};
        assertEquals(0, wal(out, "stats", dir.toString(), "--json"));
        JsonNode after = new ObjectMapper().readTree(out[0]);
        assertEquals(2, after.get("snapshot").get("republish").asInt(), out[0]);
        assertTrue(after.get("entries_by_type").has("republish_add") && !after.get("entries_by_type").has("type_15"),
                out[0]);
        assertEquals(0, wal(out, "stats", dir.toString()));
        assertTrue(out[0].contains("republish      2 records this node republishes as owner"), out[0]);
        WalState state = new WalScanner(0, WalLayout.shardDir(dir, 0)).scan(true, null, 0, null).state();
        assertEquals(List.of(key, mutable.key()), state.republishList().stream().map(WalState.Republish::key)
                .toList());
    }

    @Test
    void scoresAndBansDumpWithTheirReasonsAndTargets() throws Exception {
        NodeId peer = new NodeId(9, 8, 7, 6);
        try (ShardWal wal = new ShardWal(0, WalLayout.shardDir(dir, 0), WalSync.NONE, CLOCK, 1, 1)) {
            wal.onPeerBehaviour(peer, 0, new double[] {1, 4, 0, 0, 0, 0});
            wal.onBan(peer, 0, 3_600_000_000_000L);
            wal.onBan(null, NodeAddress.ipv4(0x0a090801, 1).subnetKey(), 3_600_000_000_000L);
            wal.onUnban(peer, 0);
        }
        WalLayout.Target target = WalTarget.resolveIdle(dir);
        String text = capture(out -> new WalDumper(out, System.err).dump(target,
                new WalDumper.Options(null, 0, Long.MAX_VALUE, -1, false)));
        List<String> lines = text.lines().toList();
        assertTrue(lines.get(1).matches(".* peer_behaviour v1 node=0{15}9.* answered=1\\.00 timed_out=4\\.00 .* "
                + "score=-7\\.00"), lines.get(1));
        assertTrue(lines.get(2).contains("ban v1 kind=peer target=0000000000000009"), lines.get(2));
        assertTrue(lines.get(3).contains("kind=subnet target=10.9.8.0/24"), lines.get(3));
        assertTrue(lines.get(4).endsWith("expires=lifted"), lines.get(4));
        WalState state = new io.molia.wal.WalScanner(0, WalLayout.shardDir(dir, 0)).scan(true, null, 0, null).state();
        assertEquals(1, state.bans().size(), "the peer's ban was lifted, the subnet's holds");
        assertEquals(4.0, state.behaviours().get(peer).counts()[1], 1e-6);
    }

    @Test
    void aCleanWalDumpsVerifiesReplaysAndCounts() throws Exception {
        Map<NodeId, WalState.Record> expected = write(dir, 1, 1, 1, 1_000);
        WalLayout.Target target = WalTarget.resolveIdle(dir);

        List<WalVerifier.ShardReport> verify = new WalVerifier().verify(target, QUIET);
        assertEquals(1, verify.size());
        assertEquals(List.of(), verify.get(0).problems());

        WalReplayer.ShardResult replay = new WalReplayer().replay(target, null, Long.MAX_VALUE, Long.MAX_VALUE, QUIET)
                .get(0);
        assertEquals(expected.size(), replay.records());
        assertEquals(StoreDigest.of(expected), replay.digest(), "replay rebuilds exactly what was written");
        assertEquals(10, replay.peers());

        String json = capture(out -> new WalDumper(out, System.err).dump(target,
                new WalDumper.Options(null, 0, Long.MAX_VALUE, -1, true)));
        String[] lines = json.split("\n");
        WalStats.ShardStats stats = new WalStats().stats(target, QUIET).get(0);
        assertEquals(stats.entries(), lines.length);
        assertEquals(1 + 1_000 + 142 + 78 + 10, stats.entries()); // header, puts, deletes, expiries, peers
        JsonNode second = new ObjectMapper().readTree(lines[1]);
        assertEquals("record_put", second.get("type").asText());
        assertEquals(1, second.get("sequence").asLong());
        assertEquals("record 1", second.get("value").asText(), "the value, not a quoted rendering of it");

        String deletes = capture(out -> new WalDumper(out, System.err).dump(target,
                new WalDumper.Options(0, 0, 5, io.molia.wal.WalFormat.typeOf("record_delete"), false)));
        assertEquals(5, deletes.lines().count());
        assertTrue(deletes.lines().allMatch(l -> l.matches("shard 0 gen 1 index 0x[0-9a-f]+ seq \\d+ record_delete v1 "
                + "key=[0-9a-f]{64}")), deletes);
    }

    @Test
    void replayUntilAnIndexStopsThere() throws Exception {
        write(dir, 1, 1, 1, 100);
        WalLayout.Target target = WalTarget.resolveIdle(dir);
        long[] tenth = {-1};
        new WalScanner(0, WalLayout.shardDir(dir, 0)).scan(false, null, 0, e -> {
            if (e.sequence == 10 && e.type != 0) {
                tenth[0] = e.index;
            }
            return true;
        });
        WalReplayer.ShardResult r = new WalReplayer().replay(target, 0, tenth[0], Long.MAX_VALUE, QUIET).get(0);
        assertEquals(10, r.lastSequence(), "stopped after sequence 10");
        assertEquals(8, r.records(), "puts 1..9 minus the deleted 7, nothing of put 10's successors");
    }

    @Test
    void verifyNamesAFlippedByteByShardAndIndexAndTheCommandExitsThree() throws Exception {
        write(dir, 1, 1, 1, 500);
        Path file;
        try (Stream<Path> s = Files.walk(dir)) {
            file = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] all = Files.readAllBytes(file);
        int at = new String(all, StandardCharsets.ISO_8859_1).indexOf("record 250");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at + 7);
            f.write('X');
        }
        WalVerifier.ShardReport r = new WalVerifier().verify(WalTarget.resolveIdle(dir), QUIET).get(0);
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).toString().matches("shard 0 gen 1 index 0x[0-9a-f]+ seq \\d+: checksum "
                + "mismatch .*"), r.problems().toString());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new WalCommand()).execute("verify", dir.toString());
        } finally {
            System.setOut(original);
        }
        assertEquals(WalCommand.PROBLEMS, code);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("shard 0 gen 1 index 0x"));
        assertTrue(lines.get(1).startsWith("shard 0: 1 problem(s)"));
    }

    @Test
    void aCompactionKilledBetweenSnapshotAndDeletionStillVerifiesClean() throws Exception {
        Map<NodeId, WalState.Record> all = write(dir, 1, 1, 1, 200);
        Path shard = WalLayout.shardDir(dir, 0);
        long next = new WalScanner(0, shard).scan(true, null, 0, null).lastSequence() + 1;
        all.putAll(write(dir, 2, next, 201, 200));
        WalScanner both = new WalScanner(0, shard).scan(true, null, 0, null);
        io.molia.wal.SnapshotFile.write(WalLayout.snapshotFile(shard, 2), 0, 2, both.lastSequence(), 0, both.state());
        write(dir, 3, both.lastSequence() + 1, 401, 10);
        // killed before deleting anything: generations 1..2 are still there beside the snapshot that covers them
        assertEquals(List.of(), new WalVerifier().verify(WalTarget.resolveIdle(dir), QUIET).get(0).problems());
        // killed after deleting generation 1 only
        WalCompactor.deleteTree(WalLayout.generationDir(shard, 1));
        assertEquals(List.of(), new WalVerifier().verify(WalTarget.resolveIdle(dir), QUIET).get(0).problems());
        String digestAll = StoreDigest.of(all);
        assertNotEquals(digestAll, new WalReplayer().replay(WalTarget.resolveIdle(dir), null, Long.MAX_VALUE,
                Long.MAX_VALUE, QUIET).get(0).digest(), "generation 3 added records after the snapshot");
    }

    @Test
    void compactionKeepsTheDigestOutOfPlaceAndInPlaceAndRefusesALockedDir() throws Exception {
        Map<NodeId, WalState.Record> first = write(dir, 1, 1, 1, 300);
        WalLayout.Target target = WalTarget.resolveIdle(dir);
        long next = new WalScanner(0, WalLayout.shardDir(dir, 0)).scan(true, null, 0, null).lastSequence() + 1;
        Map<NodeId, WalState.Record> second = write(dir, 2, next, 301, 300);
        first.putAll(second);
        String digest = StoreDigest.of(first);
        Files.writeString(dir.resolve("identity.key"), "secret");

        Path out = dir.resolveSibling(dir.getFileName() + "-compacted");
        WalCompactor.ShardResult r = new WalCompactor().compactTo(target, out, QUIET).get(0);
        assertEquals(digest, r.digestBefore());
        assertEquals(digest, r.digestAfter());
        assertEquals(List.of(3L), WalLayout.generations(WalLayout.shardDir(out, 0)));
        assertEquals(List.of(2L), WalLayout.snapshots(WalLayout.shardDir(out, 0)));
        assertEquals("secret", Files.readString(out.resolve("identity.key")));
        assertTrue(new WalVerifier().verify(WalLayout.resolve(out), QUIET).get(0).problems().isEmpty());
        assertEquals(0, new WalDumper(new PrintStream(java.io.OutputStream.nullOutputStream()), System.err)
                .dump(WalLayout.resolve(out), new WalDumper.Options(null, 0, Long.MAX_VALUE, -1, false)),
                "a compacted WAL dumps without problems (its sequence starts where the header says)");

        try (DataDirLock held = DataDirLock.acquire(dir, "a node")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new WalCompactor().compactInPlace(WalLayout.resolve(dir), QUIET));
            assertTrue(e.getMessage().contains("in use by a running node"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> WalTarget.resolveIdle(dir));
        }
        WalCompactor.ShardResult in = new WalCompactor().compactInPlace(WalLayout.resolve(dir), QUIET).get(0);
        assertEquals(digest, in.digestAfter());
        assertFalse(Files.exists(dir.resolve("wal.backup")), "the backup goes once the result verified");
        WalReplayer.ShardResult again = new WalReplayer().replay(WalTarget.resolveIdle(dir), null, Long.MAX_VALUE,
                Long.MAX_VALUE, QUIET).get(0);
        assertEquals(digest, again.digest());
        assertNotEquals(0, again.records());
    }

    /** Runs {@code molia wal ARGS}; returns the exit code, stdout in {@code out[0]}. */
    private static int wal(String[] out, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        CommandLine cli = new CommandLine(new WalCommand());
        cli.setErr(new java.io.PrintWriter(java.io.OutputStream.nullOutputStream()));
        try {
            return cli.execute(args);
        } finally {
            System.setOut(original);
            out[0] = bytes.toString(StandardCharsets.UTF_8);
        }
    }

    private static Path queueFile(Path genDir) throws Exception {
        try (Stream<Path> s = Files.walk(genDir)) {
            return s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    private static long offsetOf(Path file, String text) throws Exception {
        long at = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).indexOf(text);
        assertTrue(at > 0, text);
        return at;
    }

    private long sequenceOfPut(Path shard, NodeId key) throws Exception {
        long[] seq = {-1};
        new WalScanner(0, shard).scan(false, null, 0, e -> {
            if (e.type == WalFormat.TYPE_RECORD_PUT && NodeId.fromBytes(e.buf, e.payloadOffset()).equals(key)) {
                seq[0] = e.sequence;
            }
            return true;
        });
        return seq[0];
    }

    /**
     * Issue 14: damage recovery refuses was a dead end. Stray bytes far after generation 1's last entry, a flipped
     * byte in put 250 and a zeroed Chronicle length word before put 300 (Chronicle reads nothing of generation 2
     * after it): salvage keeps every other entry, also the complete ones behind the zeroed word, sets the three
     * ranges aside in a 0600 file with their bytes, names the two lost sequences, and the node starts.
     */
    @Test
    void salvageKeepsEveryEntryThatVerifiesSetsTheRestAsideAndTheNodeStarts() throws Exception {
        Map<NodeId, WalState.Record> expected = write(dir, 1, 1, 1, 200);
        Path shard = WalLayout.shardDir(dir, 0);
        long next = new WalScanner(0, shard).scan(true, null, 0, null).lastSequence() + 1;
        expected.putAll(write(dir, 2, next, 201, 200));
        NodeId put250 = new NodeId(250, 3, 5, 7);
        NodeId put300 = new NodeId(300, 3, 5, 7);
        long seq250 = sequenceOfPut(shard, put250);
        long seq300 = sequenceOfPut(shard, put300);
        expected.remove(put250);
        expected.remove(put300);
        Path gen1 = queueFile(WalLayout.generationDir(shard, 1));
        Path gen2 = queueFile(WalLayout.generationDir(shard, 2));
        long stray = offsetOf(gen1, "record 200") + 200_000;
        long flipped = offsetOf(gen2, "record 250") + 7;
        long word300 = offsetOf(gen2, "record 300") - 52 - WalFormat.HEADER_BYTES - 4;
        try (RandomAccessFile f1 = new RandomAccessFile(gen1.toFile(), "rw");
                RandomAccessFile f2 = new RandomAccessFile(gen2.toFile(), "rw")) {
            f1.seek(stray);
            f1.write(new byte[] {1, 2, 3, 4});
            f2.seek(flipped);
            f2.write('X');
            f2.seek(word300);
            f2.writeInt(0);
        }
        String[] out = {""};
        assertEquals(WalCommand.PROBLEMS, wal(out, "verify", dir.toString()));
        assertTrue(out[0].contains("non-zero bytes in [" + stray + ", " + (stray + 4) + ") of " + gen1.getFileName()),
                out[0]);
        assertThrows(io.molia.wal.WalCorruptException.class, () -> startNode().close(), "recovery refuses");
        String[] compact = {""};
        assertEquals(1, wal(compact, "compact", dir.toString(), "--in-place"), "compaction keeps all or nothing");

        assertEquals(0, wal(out, "salvage", dir.toString()), out[0]);
        assertTrue(out[0].startsWith("shard 0: kept "), out[0]);
        assertTrue(out[0].contains("set aside 3 ranges") && out[0].contains("sequences lost: " + seq250 + ", "
                + seq300 + ";"), out[0]);
        Path setAside;
        try (Stream<Path> s = Files.list(dir)) {
            setAside = s.filter(p -> p.getFileName().toString().matches("salvage-\\d{8}T\\d{6}Z\\.txt")).findFirst()
                    .orElseThrow();
        }
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(setAside)));
        String text = Files.readString(setAside);
        assertTrue(text.contains("set aside: shard 0 gen 1 index 0x") && text.contains("bytes [" + stray + ", "
                + (stray + 4) + ") of wal/shard-0/gen-00000001/" + gen1.getFileName()), text);
        assertTrue(text.contains(String.format("%010d  01020304", stray)), "the bytes themselves: " + text);
        assertTrue(text.contains("checksum mismatch") && text.contains("entries found inside and kept"), text);

        WalScanner after = new WalScanner(0, shard).scan(true, null, 0, null);
        assertTrue(after.clean(), after.problems().toString());
        assertEquals(StoreDigest.of(expected), StoreDigest.of(after.state()), "every entry that verifies is kept");
        try (NodeWal node = startNode()) {
            assertEquals(expected.size(), node.shard(0).recordsRecovered());
        }
        assertTrue(Files.isDirectory(dir.resolve(setAside.getFileName().toString().replace("salvage-", "wal.damaged-")
                .replace(".txt", ""))), "the damaged WAL is kept");
        assertEquals(0, wal(out, "salvage", dir.toString()));
        assertTrue(out[0].startsWith("nothing to salvage"), out[0]);
    }

    /** A damaged snapshot whose generations are gone: salvage keeps every snapshot entry that still verifies. */
    @Test
    void salvageKeepsTheEntriesOfADamagedSnapshotThatVerify() throws Exception {
        Map<NodeId, WalState.Record> expected = write(dir, 1, 1, 1, 300);
        new WalCompactor().compactInPlace(WalLayout.resolve(dir), QUIET);
        Path snap = WalLayout.snapshotFile(WalLayout.shardDir(dir, 0), 1);
        long at = offsetOf(snap, "record 150") + 7;
        try (RandomAccessFile f = new RandomAccessFile(snap.toFile(), "rw")) {
            f.seek(at);
            f.write('X');
        }
        expected.remove(new NodeId(150, 3, 5, 7));
        assertThrows(io.molia.wal.WalCorruptException.class, () -> startNode().close(), "recovery refuses");
        String[] out = {""};
        assertEquals(0, wal(out, "salvage", dir.toString()), out[0]);
        assertTrue(out[0].contains("snapshot-00000001.snap: entry ") && out[0].contains("checksum mismatch"), out[0]);
        try (NodeWal node = startNode()) {
            assertEquals(expected.size(), node.shard(0).recordsRecovered());
        }
        WalScanner after = new WalScanner(0, WalLayout.shardDir(dir, 0)).scan(true, null, 0, null);
        assertEquals(StoreDigest.of(expected), StoreDigest.of(after.state()));
        assertTrue(after.lastSequence() > 300, "sequences go on from the damaged snapshot's, never reused");
    }

    private NodeWal startNode() throws Exception {
        byte[] pk = new byte[32];
        pk[0] = 1;
        Contact self = new Contact(NodeId.ofPublicKey(pk), pk, 0, NodeAddress.ipv4(0x7f000001, 4000));
        return NodeWal.open(dir, WalOptions.defaults(), new NodeCore(CoreConfig.defaults(), self,
                new SplittableRandom(1), 0), 0);
    }

    /** Issue 14: generations and snapshots were strings ("[1, 2]"), a compacted WAL showed "sequences -1 .. 0". */
    @Test
    void statsShowTheSnapshotsContentAndJsonArrays() throws Exception {
        Map<NodeId, WalState.Record> records = write(dir, 1, 1, 1, 300);
        String[] out = {""};
        assertEquals(0, wal(out, "stats", dir.toString(), "--json"));
        JsonNode before = new ObjectMapper().readTree(out[0]);
        assertTrue(before.get("generations").isArray() && before.get("generations").get(0).asLong() == 1, out[0]);
        assertTrue(before.get("snapshots").isArray() && before.get("snapshots").isEmpty(), out[0]);
        assertTrue(before.get("snapshot").isNull(), out[0]);
        long last = before.get("last_sequence").asLong();

        new WalCompactor().compactInPlace(WalLayout.resolve(dir), QUIET);
        assertEquals(0, wal(out, "stats", dir.toString(), "--json"));
        JsonNode after = new ObjectMapper().readTree(out[0]);
        assertEquals(records.size(), after.get("snapshot").get("records").asInt(), out[0]);
        assertEquals(last, after.get("snapshot").get("last_sequence").asLong(), out[0]);
        assertEquals(1, after.get("snapshots").get(0).asLong(), out[0]);
        assertTrue(after.get("first_sequence").isNull() && after.get("last_sequence").isNull(), out[0]);
        assertEquals(0, wal(out, "stats", dir.toString()));
        assertTrue(out[0].startsWith("shard 0: " + records.size() + " records and 3 peers in snapshot-00000001, then "
                + "1 WAL entry"), out[0]);
        assertTrue(out[0].contains("snapshot       generations 1..1, up to sequence " + last), out[0]);
        assertTrue(out[0].contains("sequences      none after the snapshot"), out[0]);
    }

    /** Issue 14: dump --json gave "value":"\"record 1\"". */
    @Test
    void dumpJsonGivesTheValueItselfAndLimitZeroPrintsNothing() throws Exception {
        write(dir, 1, 1, 1, 20);
        String[] out = {""};
        assertEquals(0, wal(out, "dump", dir.toString(), "--json", "--type", "record_put", "--limit", "1"));
        assertEquals("record 1", new ObjectMapper().readTree(out[0]).get("value").asText(), out[0]);
        assertEquals(0, wal(out, "dump", dir.toString(), "--limit", "0"));
        assertEquals("", out[0]);
        assertEquals(2, wal(out, "dump", dir.toString(), "--limit", "-5"));
        assertEquals("", out[0]);
        assertEquals(2, wal(out, "dump", dir.toString(), "--shard", "3"));
        assertEquals(2, wal(out, "replay", dir.toString(), "--shard", "3"));
        assertEquals(2, wal(out, "replay", dir.toString(), "--until", "-1"));
        assertEquals(2, wal(out, "dump", dir.toString(), "--from", "-1"));
        Path scratch = dir.resolveSibling(dir.getFileName() + "-bench");
        assertEquals(2, wal(out, "bench", "--dir", scratch.toString(), "--records", "0"));
        assertEquals(2, wal(out, "bench", "--dir", scratch.toString(), "--records", "10", "--sync-writes", "20"));
        assertFalse(Files.exists(scratch), "nothing written for a bad value");
    }

    /**
     * Issue 14: stats and verify refused a live node's data dir although they only read. They read it as it is,
     * with the node's writer appending to its newest generation, and say so.
     */
    @Test
    void readOnlyToolsReadALiveNodesDataDirAndSaySo() throws Exception {
        write(dir, 1, 1, 1, 100);
        long next = new WalScanner(0, WalLayout.shardDir(dir, 0)).scan(true, null, 0, null).lastSequence() + 1;
        try (DataDirLock held = DataDirLock.acquire(dir, "molia node");
                ShardWal appending = new ShardWal(0, WalLayout.shardDir(dir, 0), WalSync.NONE, CLOCK, 2, next)) {
            appending.onRecordPut(new NodeId(9, 9, 9, 9), new byte[] {1}, 0, 1);
            // an append in flight after it: Chronicle's "not complete" header word, part of the entry
            try (RandomAccessFile f = new RandomAccessFile(queueFile(WalLayout.generationDir(WalLayout.shardDir(dir,
                    0), 2)).toFile(), "rw")) {
                f.seek(200_000);
                f.write(new byte[] {0, 0, 0, (byte) 0x80, 1, 2, 3});
            }
            String[] out = {""};
            assertEquals(0, wal(out, "dump", dir.toString()), "the newest generation's end is the node's");
            assertEquals(0, wal(out, "verify", dir.toString()), out[0]);
            assertTrue(out[0].startsWith("node running (pid " + ProcessHandle.current().pid() + " molia node): "
                    + "figures as of now"), out[0]);
            assertEquals(0, wal(out, "stats", dir.toString(), "--json"), out[0]);
            JsonNode stats = new ObjectMapper().readTree(out[0]);
            assertTrue(stats.get("node_running").asText().contains("molia node"), out[0]);
            assertEquals(next, stats.get("last_sequence").asLong(), "the entry just appended is counted");
            assertEquals(1, wal(out, "compact", dir.toString(), "--in-place"), "what writes still refuses");
        }
    }
}
