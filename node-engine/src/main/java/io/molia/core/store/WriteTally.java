package io.molia.core.store;

import io.molia.record.WriteOutcome;

/** How many writes a store ended with each {@link WriteOutcome}: what its metrics and views read. */
final class WriteTally {
    private final long[] counts = new long[WriteOutcome.values().length];

    void count(WriteOutcome outcome) {
        counts[outcome.ordinal()]++;
    }

    /** Writes that ended with {@code outcome} (STORED included). */
    long of(WriteOutcome outcome) {
        return counts[outcome.ordinal()];
    }

    /** Writes refused for any reason. */
    long refused() {
        long n = 0;
        for (WriteOutcome o : WriteOutcome.values()) {
            n += o.stored() ? 0 : counts[o.ordinal()];
        }
        return n;
    }
}
