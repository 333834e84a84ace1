package io.molia.loadgen;

import java.util.Arrays;

/**
 * Latencies of one kind of operation, kept whole (a bench's count bounds them) so percentiles are exact, not
 * estimated from buckets. Not thread-safe.
 */
final class Latencies {
    private long[] valuesNs = new long[1024];
    private int count;
    private boolean sorted = true;

    void record(long latencyNs) {
        if (count == valuesNs.length) {
            valuesNs = Arrays.copyOf(valuesNs, valuesNs.length * 2);
        }
        valuesNs[count++] = latencyNs;
        sorted = false;
    }

    void addAll(Latencies other) {
        for (int i = 0; i < other.count; i++) {
            record(other.valuesNs[i]);
        }
    }

    void clear() {
        count = 0;
        sorted = true;
    }

    int count() {
        return count;
    }

    /** The nearest-rank {@code q} quantile (0 &lt; q &le; 1) in nanoseconds; 0 when nothing was recorded. */
    long percentileNs(double q) {
        if (count == 0) {
            return 0;
        }
        if (!sorted) {
            Arrays.sort(valuesNs, 0, count);
            sorted = true;
        }
        return valuesNs[Math.min(count - 1, Math.max(0, (int) Math.ceil(q * count) - 1))];
    }

    long maxNs() {
        return percentileNs(1.0);
    }
}
