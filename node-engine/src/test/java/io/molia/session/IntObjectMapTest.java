package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The session-index map against HashMap: random puts, gets and removes, keys sharing their low (shard) bits. */
class IntObjectMapTest {
    @Test
    void behavesAsAHashMap() {
        SplittableRandom random = new SplittableRandom(5);
        IntObjectMap<String> map = new IntObjectMap<>(4);
        Map<Integer, String> reference = new HashMap<>();
        int[] keys = new int[300];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (random.nextInt() << 2) | 3; // as session indices of shard 3
            if (keys[i] == 0) {
                keys[i] = 7;
            }
        }
        for (int step = 0; step < 200_000; step++) {
            int key = keys[random.nextInt(keys.length)];
            switch (random.nextInt(3)) {
                case 0 -> assertEquals(reference.put(key, "v" + step), map.put(key, "v" + step));
                case 1 -> assertEquals(reference.remove(key), map.remove(key));
                default -> assertEquals(reference.get(key), map.get(key));
            }
            assertEquals(reference.size(), map.size());
        }
        int seen = 0;
        for (int i = 0; i < map.slots(); i++) {
            if (map.valueAt(i) != null) {
                seen++;
            }
        }
        assertEquals(reference.size(), seen);
        for (int key : keys) {
            assertEquals(reference.get(key), map.get(key));
        }
    }
}
