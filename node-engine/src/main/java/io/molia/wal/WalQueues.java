package io.molia.wal;

import java.nio.file.Path;

import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/** How Molia opens its Chronicle Queues: one place, so the node and the tools agree on every setting. */
public final class WalQueues {
    /** Daily files, up to 2^32 entries each: the cycle only names files, generations do the real rolling. */
    private static final RollCycles ROLL = RollCycles.FAST_DAILY;
    /** Short: after a SIGKILL the next start must not wait long on a lock a dead writer held. */
    private static final long TIMEOUT_MS = 2_000;

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
        return SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(ROLL).timeoutMS(TIMEOUT_MS)
                .syncMode(sync == WalSync.NONE ? SyncMode.NONE : SyncMode.SYNC).build();
    }

    public static SingleChronicleQueue openReadOnly(Path dir) {
        return SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(ROLL).timeoutMS(TIMEOUT_MS).readOnly(true)
                .build();
    }
}
