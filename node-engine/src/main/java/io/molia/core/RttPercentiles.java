package io.molia.core;

/**
 * Percentiles of a population of round-trip times (here: first contacts, peers never measured before), from a
 * histogram of log-spaced bins (each 12.5 % wider than the one before, 1 ms to about 10 s). The smoothed SRTT/RTTVAR
 * of {@link RttEstimator} suits one peer's RTT; it does not describe a population whose spread is its point, and it
 * follows whatever the last samples were (a lookup asks nearby peers first). Old samples fade: all counts are halved
 * every {@link #HALF_LIFE_SAMPLES} samples.
 *
 * <p>Allocation-free. Owned by the core's thread; not thread-safe.
 */
final class RttPercentiles {
    static final int HALF_LIFE_SAMPLES = 512;
    private static final double MIN_NS = 1_000_000;
    private static final double GROWTH = 1.125;
    private static final int BINS = 80;
    private static final double LOG_GROWTH = Math.log(GROWTH);

    private final double[] counts = new double[BINS];
    private double total;
    private int samples;

    void onSample(long rttNs) {
        if (rttNs < 0) {
            return;
        }
        if (++samples % HALF_LIFE_SAMPLES == 0) {
            for (int i = 0; i < BINS; i++) {
                counts[i] /= 2;
            }
            total /= 2;
        }
        counts[bin(rttNs)]++;
        total++;
    }

    int samples() {
        return samples;
    }

    /** The upper bound of the bin holding quantile {@code q} (0..1) of the samples; -1 with no sample yet. */
    long percentileNs(double q) {
        if (total <= 0) {
            return -1;
        }
        double wanted = q * total;
        double seen = 0;
        for (int i = 0; i < BINS; i++) {
            seen += counts[i];
            if (seen >= wanted) {
                return upperNs(i);
            }
        }
        return upperNs(BINS - 1);
    }

    private static int bin(long rttNs) {
        if (rttNs <= MIN_NS) {
            return 0;
        }
        return Math.min(BINS - 1, (int) (Math.log(rttNs / MIN_NS) / LOG_GROWTH) + 1);
    }

    private static long upperNs(int bin) {
        return (long) (MIN_NS * Math.pow(GROWTH, bin));
    }
}
