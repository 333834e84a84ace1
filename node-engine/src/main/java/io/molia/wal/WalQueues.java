package io.molia.wal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.Wires;

/** How Molia opens its Chronicle Queues: one place, so the node and the tools agree on every setting. */
public final class WalQueues {
    /** Daily files, up to 2^32 entries each: the cycle only names files, generations do the real rolling. */
    private static final RollCycles ROLL = RollCycles.FAST_DAILY;
    /** Short: after a SIGKILL the next start must not wait long on a lock a dead writer held. */
    private static final long TIMEOUT_MS = 2_000;
    /** Chronicle's name for a queue's table store, beside its cycle files. */
    private static final String TABLE_STORE = "metadata.cq4t";

    static {
        // A privacy product never phones home (DESIGN §3.9): also when started without the JVM flags file.
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
    }

    private WalQueues() {
    }

    /**
     * A queue to append to. Under {@link WalSync#NONE} Chronicle's own msync is off (the page cache is the
     * durability); otherwise it is MS_SYNC, which {@code ExcerptAppender.sync()} needs to do anything at all.
     */
    public static SingleChronicleQueue openForAppend(Path dir, WalSync sync) {
        SingleChronicleQueue queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(ROLL)
                .timeoutMS(TIMEOUT_MS).syncMode(sync == WalSync.NONE ? SyncMode.NONE : SyncMode.SYNC)
                .storeFileListener(NARROW_ACQUIRED).build();
        try {
            narrowFiles(dir); // the table store (metadata.cq4t) is made as the queue opens
        } catch (IOException e) {
            queue.close();
            throw new java.io.UncheckedIOException("cannot make " + dir + " private: " + e.getMessage(), e);
        }
        return queue;
    }

    /**
     * Narrows every file of a queue's directory to 0600: call it once an appender has written (the first append
     * creates the cycle file), since Chronicle tells its {@link StoreFileListener} only later, on a background thread.
     */
    public static void narrowFiles(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                PrivateFiles.narrow(f);
            }
        }
    }

    /**
     * Chronicle creates a cycle file with the process umask (often 0644) when it first acquires it, at the first
     * append and at each daily roll, and calls this (on its background thread) soon after: the file is narrowed to
     * 0600 then; the queue's 0700 directory keeps it unreachable to others meanwhile.
     */
    private static final StoreFileListener NARROW_ACQUIRED = new StoreFileListener() {
        @Override
        public void onAcquired(int cycle, java.io.File file) {
            try {
                PrivateFiles.narrow(file.toPath());
            } catch (IOException e) {
                // Chronicle's background thread: say it; the 0700 directory still keeps the file from others
                org.slf4j.LoggerFactory.getLogger(WalQueues.class).atWarn().addKeyValue("event", "wal.file_not_private")
                        .addKeyValue("file", file)
                        .addKeyValue("error", e.getMessage()).log("wal: cannot make a queue file private");
            }
        }

        @Override
        public void onReleased(int cycle, java.io.File file) {
        }
    };

    public static SingleChronicleQueue openReadOnly(Path dir) {
        return SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(ROLL).timeoutMS(TIMEOUT_MS).readOnly(true)
                .build();
    }

    /** The file of {@code cycle} in the queue directory {@code dir} (its name is the cycle's UTC day). */
    public static Path cycleFile(Path dir, int cycle) {
        String day = java.time.format.DateTimeFormatter.ofPattern(ROLL.format()).withZone(java.time.ZoneOffset.UTC)
                .format(java.time.Instant.ofEpochMilli(cycle * (long) ROLL.lengthInMillis()));
        return dir.resolve(day + ".cq4");
    }

    /**
     * True when the queue's table store ({@code metadata.cq4t}) was left unfinished by its creator: Chronicle sized
     * the file (it maps it before writing) but its first header is not complete. A SIGKILL while Chronicle creates
     * the store leaves it so (WalKillIT, as a compaction began a generation). {@link #openReadOnly} cannot open such
     * a queue: the header read fails inside Chronicle's table-store lock loop, which takes the failure for a lock
     * held elsewhere, retries for 10 s and throws "Unable to claim exclusive shared lock". A store shorter than that
     * first mapping Chronicle opens without (read-only), so it is not called unfinished here. Only the header is
     * read: nothing is written.
     */
    public static boolean tableStoreUnfinished(Path dir) {
        Path store = dir.resolve(TABLE_STORE);
        try (InputStream in = Files.newInputStream(store)) {
            if (Files.size(store) < OS.mapAlignment()) {
                return false;
            }
            byte[] word = in.readNBytes(4);
            return !Wires.isReady(ByteBuffer.wrap(word).order(ByteOrder.nativeOrder()).getInt());
        } catch (IOException e) {
            return false; // no store, or none readable: Chronicle's own open says what it can
        }
    }
}
