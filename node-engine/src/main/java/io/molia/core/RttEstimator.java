package io.molia.core;

/**
 * Smoothed round-trip time and its variation (RFC 6298: SRTT, RTTVAR, RTO = SRTT + 4·RTTVAR), in nanoseconds.
 * One per routing entry, and one node-wide aggregate that gives the timeout for peers never measured.
 *
 * <p>Not final only so that a {@link RoutingEntry} can be its own estimator. Not thread-safe; owned by the core's
 * thread.
 */
public class RttEstimator {
    private long srttNs;
    private long rttvarNs;
    private int samples;

    /** Records one round-trip sample. */
    public void onSample(long rttNs) {
        if (rttNs < 0) {
            return;
        }
        if (samples == 0) {
            srttNs = rttNs;
            rttvarNs = rttNs / 2;
        } else {
            long error = Math.abs(srttNs - rttNs);
            rttvarNs += (error - rttvarNs) / 4; // beta = 1/4
            srttNs += (rttNs - srttNs) / 8; // alpha = 1/8
        }
        if (samples < Integer.MAX_VALUE) {
            samples++;
        }
    }

    public boolean hasSamples() {
        return samples > 0;
    }

    public long srttNs() {
        return srttNs;
    }

    public long rttvarNs() {
        return rttvarNs;
    }

    /** RTO = SRTT + 4·RTTVAR clamped to [min, max]; {@code fallbackNs} while there is no sample. */
    public long timeoutNs(long fallbackNs, long minNs, long maxNs) {
        if (samples == 0) {
            return fallbackNs;
        }
        return Math.max(minNs, Math.min(maxNs, srttNs + 4 * rttvarNs));
    }
}
