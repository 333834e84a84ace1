package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.store.StoreJournal;
import io.molia.wal.ShardWal;
import io.molia.wal.WalClock;
import io.molia.wal.WalLayout;
import io.molia.wal.WalScanner;
import io.molia.wal.WalSync;

/**
 * A real WAL, written once by the node's own writer ({@link ShardWal}: a header, 24 record puts, deletes, peers), its
 * queue file corrupted at fuzzer-chosen offsets (bit flips, overwritten runs, a truncation), then read by
 * {@link WalScanner} as recovery, verify and replay read it. Invariants: the scan ends; every entry it hands out is
 * one that was written (same sequence, same bytes); a clean scan (no problem reported) hands out every written
 * entry, in order, unless the file was only cut short at an entry boundary (a tail that was never acknowledged is
 * indistinguishable from one never written); and when bytes of an entry were changed, the scan reports a problem.
 * Between inputs the changed bytes are put back from a copy, so one queue serves every execution.
 */
class WalQueueFuzzTest {
    private static final int SHARD = 0;
    private static Path shardDir;
    private static Path queueFile;
    private static byte[] pristine;
    /** Where the written entries lie in the queue file: [start, end) per entry, in order. */
    private static long[][] entryRanges;
    private static List<byte[]> written;
    private static long dataEnd;
    /** The queue file's length (Chronicle pre-allocates it; after the entries it holds only zeros). */
    private static long fileLength;

    private static synchronized void setUp() {
        if (shardDir != null) {
            return;
        }
        try {
            Path root = Files.createTempDirectory("molia-walqueue-fuzz");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root))); // the queue file is 80 MB (sparse)
            shardDir = root.resolve("shard-0");
            try (ShardWal wal = new ShardWal(SHARD, shardDir, WalSync.NONE, new WalClock(1_700_000_000_000_000_000L, 0),
                    1, 1)) {
                for (int i = 0; i < 24; i++) {
                    NodeId key = new NodeId(0x1000 + i, i * 31L, 7, i);
                    wal.onRecordPut(key, ("value-" + i + "-" + "x".repeat(i)).getBytes(StandardCharsets.US_ASCII),
                            i * 1_000_000L, (i + 3_600_000L) * 1_000_000L);
                    if (i % 6 == 5) {
                        wal.onRecordRemoved(new NodeId(0x1000 + i - 3, (i - 3) * 31L, 7, i - 3),
                                StoreJournal.Removal.DELETED);
                    }
                    if (i % 8 == 0) {
                        byte[] pk = new byte[32];
                        Arrays.fill(pk, (byte) i);
                        wal.onPeerAdded(new Contact(NodeId.ofPublicKey(pk), pk, i, NodeAddress.ipv4(0x0a000000 + i,
                                4000)));
                    }
                }
            }
            try (Stream<Path> s = Files.walk(WalLayout.generationDir(shardDir, 1))) {
                queueFile = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
            }
            written = new ArrayList<>();
            WalScanner clean = scan(written);
            assertTrue(clean.clean(), "the pristine WAL scans clean: " + clean.problems());
            pristine = Files.readAllBytes(queueFile);
            entryRanges = new long[written.size()][];
            long from = 0;
            for (int i = 0; i < written.size(); i++) {
                long at = indexOf(pristine, written.get(i), (int) from);
                assertTrue(at >= 0, "entry " + i + " found in the queue file");
                entryRanges[i] = new long[] {at, at + written.get(i).length};
                from = at + written.get(i).length;
            }
            dataEnd = from;
            fileLength = pristine.length;
            int keep = (int) Math.min(pristine.length, dataEnd + 65_536);
            for (int i = keep; i < pristine.length; i++) {
                assertEquals(0, pristine[i], "the queue file holds data after its entries at " + i);
            }
            pristine = Arrays.copyOf(pristine, keep);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort at exit
        }
    }

    private static long indexOf(byte[] all, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= all.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (all[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static WalScanner scan(List<byte[]> into) throws IOException {
        return new WalScanner(SHARD, shardDir).scan(false, null, 0, e -> {
            into.add(Arrays.copyOf(e.buf, e.length));
            return true;
        });
    }

    @FuzzTest(maxDuration = "30s")
    void corruptedQueueIsReportedNeverSkipped(FuzzedDataProvider in) throws IOException {
        setUp();
        // the region worth corrupting: Chronicle's header and index, the entries, a little after them
        int limit = (int) Math.min(pristine.length, dataEnd + 64);
        boolean[] changed = new boolean[limit];
        long truncateAt = -1;
        try (RandomAccessFile f = new RandomAccessFile(queueFile.toFile(), "rw")) {
            int edits = in.consumeInt(1, 6);
            for (int i = 0; i < edits && in.remainingBytes() > 0; i++) {
                switch (in.consumeInt(0, 3)) {
                    case 0, 1 -> { // flip a bit in an entry, or anywhere
                        int at = in.consumeBoolean()
                                ? (int) entryRanges[in.consumeInt(0, entryRanges.length - 1)][0] + in.consumeInt(0, 40)
                                : in.consumeInt(0, limit - 1);
                        at = Math.min(at, limit - 1);
                        byte b = (byte) (pristine[at] ^ (1 << in.consumeInt(0, 7)));
                        f.seek(at);
                        f.write(b);
                        changed[at] = true;
                    }
                    case 2 -> { // overwrite a run
                        int at = in.consumeInt(0, limit - 1);
                        byte[] run = in.consumeBytes(Math.min(16, limit - at));
                        f.seek(at);
                        f.write(run);
                        for (int k = 0; k < run.length; k++) {
                            changed[at + k] = true;
                        }
                    }
                    default -> { // cut the file short inside the entries
                        truncateAt = in.consumeLong(entryRanges[0][0], dataEnd);
                    }
                }
            }
            if (truncateAt >= 0) {
                f.setLength(truncateAt);
            }
        }
        try {
            check(changed, truncateAt);
        } finally {
            restore(changed, truncateAt);
        }
    }

    private static void check(boolean[] changedAt, long truncateAt) throws IOException {
        boolean[] changedBytes = new boolean[written.size()];
        boolean anyEntryChanged = false;
        for (int i = 0; i < written.size(); i++) {
            if (truncateAt >= 0 && truncateAt <= entryRanges[i][0]) {
                continue; // cut off with the tail (the cut may split Chronicle's length word before it): gone, not changed
            }
            for (long p = entryRanges[i][0]; p < entryRanges[i][1]; p++) {
                if (changedAt[(int) p] && readByte(p, truncateAt) != pristine[(int) p]) {
                    changedBytes[i] = true;
                }
            }
            anyEntryChanged |= changedBytes[i];
        }
        List<byte[]> read = new ArrayList<>();
        WalScanner s = scan(read);
        // every entry handed out is one that was written, at its place in the sequence (header first)
        int w = 0;
        for (byte[] e : read) {
            while (w < written.size() && !Arrays.equals(written.get(w), e)) {
                w++;
            }
            assertTrue(w < written.size(), "the scan handed out an entry that was never written: "
                    + Arrays.toString(Arrays.copyOf(e, Math.min(e.length, 24))) + " problems " + s.problems());
            w++;
        }
        if (anyEntryChanged) {
            StringBuilder where = new StringBuilder();
            for (int i = 0; i < changedBytes.length; i++) {
                if (changedBytes[i]) {
                    where.append(" entry ").append(i).append(" [").append(entryRanges[i][0]).append(", ")
                            .append(entryRanges[i][1]).append(')');
                }
            }
            for (int p = 0; p < changedAt.length; p++) {
                if (changedAt[p]) {
                    where.append(" @").append(p);
                }
            }
            assertTrue(!s.clean(), "bytes of an entry changed and the scan reported nothing:" + where
                    + (truncateAt >= 0 ? " cut at " + truncateAt : "") + "; read " + read.size() + " of "
                    + written.size());
        }
        if (s.clean()) {
            boolean cutAtBoundary = false;
            for (long[] r : entryRanges) {
                cutAtBoundary |= truncateAt >= 0 && truncateAt <= r[0];
            }
            if (!cutAtBoundary || truncateAt < 0) {
                assertEquals(written.size(), read.size(), "a clean scan dropped entries");
            }
            for (int i = 0; i < read.size(); i++) {
                assertArrayEquals(written.get(i), read.get(i), "a clean scan reordered or changed entry " + i);
            }
        }
    }

    private static byte readByte(long p, long truncateAt) throws IOException {
        if (truncateAt >= 0 && p >= truncateAt) {
            return (byte) ~pristine[(int) p]; // gone: counts as changed
        }
        try (RandomAccessFile f = new RandomAccessFile(queueFile.toFile(), "r")) {
            f.seek(p);
            return (byte) f.read();
        }
    }

    private static void restore(boolean[] changedAt, long truncateAt) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(queueFile.toFile(), "rw")) {
            if (truncateAt >= 0) {
                f.setLength(fileLength); // extended with zeros, as it was past the kept prefix
                f.seek(truncateAt);
                f.write(pristine, (int) truncateAt, (int) (pristine.length - truncateAt));
            }
            for (int p = 0; p < changedAt.length; p++) {
                if (changedAt[p]) {
                    f.seek(p);
                    f.write(pristine[p]);
                }
            }
        }
        // Chronicle may have written to the directory listing while reading read-only; the queue file is what counts
    }
}
