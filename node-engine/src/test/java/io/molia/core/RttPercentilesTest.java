package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RttPercentilesTest {
    private static final long MS = 1_000_000;

    @Test
    void percentilesOfASpreadPopulationWithinOneBin() {
        RttPercentiles p = new RttPercentiles();
        assertEquals(-1, p.percentileNs(0.5), "no sample, no percentile");
        for (int ms = 1; ms <= 400; ms++) {
            p.onSample(ms * MS); // uniform 1..400 ms
        }
        assertWithinOneBin(200 * MS, p.percentileNs(0.50));
        assertWithinOneBin(300 * MS, p.percentileNs(0.75));
        assertWithinOneBin(396 * MS, p.percentileNs(0.99));
    }

    @Test
    void oldSamplesFade() {
        RttPercentiles p = new RttPercentiles();
        for (int i = 0; i < RttPercentiles.HALF_LIFE_SAMPLES; i++) {
            p.onSample(20 * MS);
        }
        for (int i = 0; i < 4 * RttPercentiles.HALF_LIFE_SAMPLES; i++) {
            p.onSample(300 * MS);
        }
        assertWithinOneBin(300 * MS, p.percentileNs(0.10));
    }

    /** The answer is the upper bound of the bin (12.5 % wide) holding the true value. */
    private static void assertWithinOneBin(long expectedNs, long actualNs) {
        assertTrue(actualNs >= expectedNs && actualNs <= expectedNs * 1.13,
                "expected " + expectedNs / MS + " ms, got " + actualNs / (double) MS);
    }
}
