package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Token buckets in a fixed table: rate, burst, refill, and eviction of colliding keys (counted). */
class TokenBucketsTest {
    private static final long MS = 1_000_000L;

    @Test
    void aKeyGetsItsBurstThenOneTokenPerPeriodAndNeverMoreThanTheBurst() {
        TokenBuckets b = new TokenBuckets(16, 10, 3); // a token every 100 ms
        long now = 5_000 * MS;
        for (int i = 0; i < 3; i++) {
            assertTrue(b.take(now, 1, 2));
        }
        assertFalse(b.take(now, 1, 2), "the burst is spent");
        assertFalse(b.take(now + 99 * MS, 1, 2), "a refusal takes nothing but the clock moves on");
        assertTrue(b.take(now + 100 * MS, 1, 2), "one token after 100 ms");
        assertFalse(b.take(now + 100 * MS, 1, 2));
        now += 60_000 * MS; // a minute idle refills to the burst, not beyond
        for (int i = 0; i < 3; i++) {
            assertTrue(b.take(now, 1, 2));
        }
        assertFalse(b.take(now, 1, 2));
        assertTrue(b.take(now, 1, 3), "another key has its own bucket");
        assertEquals(0, b.evictions());
    }

    @Test
    void aFullTableEvictsTheKeyANewcomerCollidesWithAndCountsIt() {
        TokenBuckets b = new TokenBuckets(4, 1, 1);
        for (long key = 0; key < 100; key++) {
            assertTrue(b.take(0, key, 0), "a newcomer starts with a full bucket: eviction never limits more");
        }
        assertTrue(b.evictions() >= 96, "100 keys in 4 slots: " + b.evictions());
    }

    @Test
    void aBadShapeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBuckets(12, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new TokenBuckets(16, 0, 1));
    }
}
