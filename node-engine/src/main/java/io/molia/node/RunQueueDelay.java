package io.molia.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long the calling thread has waited, runnable, for a CPU: the second field of Linux's
 * {@code /proc/thread-self/schedstat} (ns, cumulative). A shard's session layer reads its capacity from it
 * ({@link io.molia.session.SessionManager#onRunQueueDelay}): on a machine whose cores are busy with other work, the
 * shard's thread gets a fraction of the wall time, and a handshake budget counted on the whole of it would never
 * see a flood that is already delaying every answer. Read on the shard's own thread, at most every
 * {@link #PERIOD_NS}; elsewhere than Linux (no such file), it reports nothing and the budget is of the wall time.
 */
final class RunQueueDelay {
    static final long PERIOD_NS = 50_000_000L;
    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

    private long nextReadNs;
    private boolean unavailable;

    /** The cumulative run-queue delay of the calling thread when a read is due, else -1. */
    long readIfDue(long nowNs) {
        if (unavailable || nowNs < nextReadNs) {
            return -1;
        }
        nextReadNs = nowNs + PERIOD_NS;
        try {
            String[] fields = Files.readString(SCHEDSTAT).trim().split(" ");
            return Long.parseLong(fields[1]);
        } catch (IOException | RuntimeException e) {
            unavailable = true; // not Linux, or a kernel without schedstats: the budget stays one of wall time
            return -1;
        }
    }
}
