package io.molia.sim;

import java.util.Locale;

/**
 * A region cut off from the rest of the network for a while, then rejoined:
 * {@code --partition FRACTION@START+DURATION}. The region is the {@code fraction} of the matrix's sites nearest (by
 * RTT) to one site drawn from the seed, so it is a part of the world rather than a scattering of nodes; every
 * datagram between a node on those sites and one elsewhere is lost from {@code startSeconds} (simulated seconds
 * since the run began, warm-up included) for {@code durationSeconds}.
 */
public record Partition(double fraction, double startSeconds, double durationSeconds) {

    public Partition {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("--partition: the region's fraction must be in (0, 1), not " + fraction);
        }
        if (!(startSeconds >= 0) || !(durationSeconds > 0)) {
            throw new IllegalArgumentException("--partition: START must be >= 0 and DURATION > 0 seconds");
        }
    }

    /** Parses {@code FRACTION@START+DURATION}, e.g. {@code 0.2@80+30}; one-line error otherwise. */
    public static Partition parse(String spec) {
        int at = spec.indexOf('@');
        int plus = spec.indexOf('+', at + 1);
        if (at <= 0 || plus < 0) {
            throw new IllegalArgumentException("--partition: expected FRACTION@START+DURATION (e.g. 0.2@80+30), not '"
                    + spec + "'");
        }
        try {
            return new Partition(Double.parseDouble(spec.substring(0, at)),
                    Double.parseDouble(spec.substring(at + 1, plus)), Double.parseDouble(spec.substring(plus + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--partition: expected FRACTION@START+DURATION (e.g. 0.2@80+30), not '"
                    + spec + "'");
        }
    }

    public double healSeconds() {
        return startSeconds + durationSeconds;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s@%s+%s", fraction, startSeconds, durationSeconds);
    }
}
