package io.molia.node;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The durations of the last completed lookups, gets and puts, over every shard: what the admin view's percentiles
 * are taken over. Written by each shard's loop once per completed operation (lock-free), read by operator views.
 */
final class OperationTimes {
    /** How many completed operations the percentiles are taken over. */
    static final int RECENT = 1024;

    private final AtomicLongArray ring = new AtomicLongArray(RECENT);
    private final AtomicLong completed = new AtomicLong();

    void add(long tookNs) {
        ring.set((int) (completed.getAndIncrement() % RECENT), tookNs);
    }

    /** The last durations (ns), at most {@link #RECENT}, in no particular order (a copy). */
    long[] recent() {
        int n = (int) Math.min(completed.get(), RECENT);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = ring.get(i);
        }
        return out;
    }
}
