package io.molia.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * How long the calling thread has waited, runnable, for a CPU: the second field of Linux's
 * {@code /proc/thread-self/schedstat} (ns, cumulative). A shard's session layer reads its capacity from it
 * ({@link io.molia.session.SessionManager#onRunQueueDelay}): on a machine whose cores are busy with other work, the
 * shard's thread gets a fraction of the wall time, and a handshake budget counted on the whole of it would never
 * see a flood that is already delaying every answer. Read on the shard's own thread, at most every
 * {@link #PERIOD_NS}; elsewhere than Linux (no such file), it reports nothing and the budget is of the wall time.
 *
 * <p>The file is opened once, on the first read (so {@code thread-self} names the shard's thread), and read again
 * from offset 0 into one buffer: the kernel writes it afresh on every read at 0, and a read costs no object.
 */
final class RunQueueDelay implements AutoCloseable {
    static final long PERIOD_NS = 50_000_000L;
    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

    /** "run_ns delay_ns slices\n": three decimal longs. */
    private final ByteBuffer text = ByteBuffer.allocate(96);
    private final Path path;
    private FileChannel file;
    private long nextReadNs;
    private boolean unavailable;

    RunQueueDelay() {
        this(SCHEDSTAT);
    }

    /** Reads {@code path} instead, in the same format (tests). */
    RunQueueDelay(Path path) {
        this.path = path;
    }

    /** The cumulative run-queue delay of the calling thread when a read is due, else -1. */
    long readIfDue(long nowNs) {
        if (unavailable || nowNs < nextReadNs) {
            return -1;
        }
        nextReadNs = nowNs + PERIOD_NS;
        try {
            if (file == null) {
                file = FileChannel.open(path);
            }
            text.clear();
            file.read(text, 0);
            return secondField(text.flip());
        } catch (IOException | RuntimeException e) {
            unavailable = true; // not Linux, or a kernel without schedstats: the budget stays one of wall time
            close();
            return -1;
        }
    }

    private static long secondField(ByteBuffer b) {
        int i = b.position();
        while (i < b.limit() && b.get(i) != ' ') {
            i++;
        }
        i++;
        if (i >= b.limit() || b.get(i) < '0' || b.get(i) > '9') {
            throw new IllegalStateException("schedstat has no second field");
        }
        long v = 0;
        for (; i < b.limit() && b.get(i) >= '0' && b.get(i) <= '9'; i++) {
            v = v * 10 + (b.get(i) - '0');
        }
        return v;
    }

    /** Closes the file; safe from any thread (a read in progress then fails and reads stop). */
    @Override
    public void close() {
        try {
            if (file != null) {
                file.close();
            }
        } catch (IOException e) {
            // closing a procfs file loses nothing
        }
    }
}
