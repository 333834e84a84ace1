package io.molia.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.molia.contact.NodeId;
import io.molia.core.TestContacts;
import io.molia.core.store.StoreJournal;

/** Writes WALs through the node's own writer ({@link ShardWal}) for tests. */
final class WalTestSupport {
    static final WalClock CLOCK = new WalClock(1_700_000_000_000_000_000L, 0);

    private WalTestSupport() {
    }

    /** A value that can be found again in the raw queue files. */
    static byte[] value(int i) {
        return String.format("value-%06d-%s", i, "x".repeat(40)).getBytes(StandardCharsets.US_ASCII);
    }

    static NodeId key(int i) {
        return new NodeId(0x1000 + i, i * 31L, 7, i);
    }

    /** Appends {@code n} record puts (and every 10th a delete of an earlier one, some peers) to generation gen. */
    static ShardWal write(Path shardDir, long gen, long firstSeq, int from, int n) throws IOException {
        ShardWal wal = new ShardWal(0, shardDir, WalSync.NONE, CLOCK, gen, firstSeq);
        SplittableRandom random = new SplittableRandom(from);
        for (int i = from; i < from + n; i++) {
            wal.onRecordPut(key(i), value(i), i * 1_000_000L, (i + 3_600_000L) * 1_000_000L);
            if (i % 10 == 9) {
                wal.onRecordRemoved(key(i - 5), StoreJournal.Removal.DELETED);
            }
            if (i % 25 == 0) {
                wal.onPeerAdded(TestContacts.random(random));
            }
        }
        return wal;
    }

    static List<Path> queueFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return new ArrayList<>(s.filter(p -> p.toString().endsWith(".cq4")).sorted().toList());
        }
    }

    /** Where a SIGKILL stopped Chronicle creating a queue's table store ({@code metadata.cq4t}); all met by kills. */
    enum TableStoreKill {
        /** Sized as Chronicle maps it (128 KiB), its first header word still 0. */
        BEFORE_HEADER,
        /** The header begun: its word "not complete", part of it written. */
        IN_HEADER,
        /** The header complete, none of the queue's listing entries (listing.highestCycle, ...) written yet. */
        AFTER_HEADER
    }

    /**
     * Gives the queue in {@code genDir} the table store a SIGKILL leaves at {@code at}, cut from
     * {@code completeStore}, a table store Chronicle finished.
     */
    static void unfinishedTableStore(Path genDir, Path completeStore, TableStoreKill at) throws IOException {
        byte[] complete = Files.readAllBytes(completeStore);
        ByteBuffer header = ByteBuffer.wrap(complete).order(ByteOrder.nativeOrder());
        byte[] store = new byte[128 * 1024];
        switch (at) {
            case BEFORE_HEADER -> {
            }
            case IN_HEADER -> {
                System.arraycopy(complete, 0, store, 0, 64);
                ByteBuffer.wrap(store).order(ByteOrder.nativeOrder()).putInt(0, NOT_COMPLETE);
            }
            case AFTER_HEADER -> System.arraycopy(complete, 0, store, 0, 4 + (header.getInt(0) & LENGTH_MASK));
        }
        Files.createDirectories(genDir);
        Files.write(genDir.resolve("metadata.cq4t"), store);
    }

    /** Chronicle's header word of a document being written, its length not yet known. */
    private static final int NOT_COMPLETE = 0x8000_0000;
    /** The length bits of Chronicle's header word. */
    private static final int LENGTH_MASK = 0x3fff_ffff;

    /** Offset of {@code needle} in {@code file}, or -1. */
    static long find(Path file, byte[] needle) throws IOException {
        byte[] all = Files.readAllBytes(file);
        outer:
        for (int i = 0; i + needle.length <= all.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (all[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
