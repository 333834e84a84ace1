package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class LongCountsTest {

    @Test
    void countsRiseFallAndVanishAtZero() {
        LongCounts c = new LongCounts();
        assertEquals(0, c.get(0));
        c.add(0, 1); // key 0 is a key like any other
        c.add(0, 1);
        c.add(-5, 1);
        assertEquals(2, c.get(0));
        assertEquals(1, c.get(-5));
        assertEquals(2, c.size());
        c.add(0, -2);
        assertEquals(0, c.get(0));
        assertEquals(1, c.size());
        c.add(7, -1); // a key absent goes negative, as HashMap.merge would put it
        assertEquals(-1, c.get(7));
    }

    /** Against a HashMap under random adds and removals of colliding keys: growth and backward-shift deletion. */
    @Test
    void agreesWithAHashMapUnderRandomChurn() {
        LongCounts c = new LongCounts();
        Map<Long, Integer> reference = new HashMap<>();
        SplittableRandom random = new SplittableRandom(42);
        for (int step = 0; step < 200_000; step++) {
            long key = random.nextInt(3_000) * 256L; // /24 keys: low bits alike
            int delta = reference.containsKey(key) && random.nextBoolean() ? -1 : 1;
            c.add(key, delta);
            reference.merge(key, delta, (a, b) -> a + b == 0 ? null : a + b);
            if (step % 1000 == 0) {
                for (long k = 0; k < 3_000; k++) {
                    assertEquals(reference.getOrDefault(k * 256, 0), c.get(k * 256), "key " + k * 256);
                }
                assertEquals(reference.size(), c.size());
            }
        }
    }
}
