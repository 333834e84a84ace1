package io.molia.core;

/**
 * Counts per long key, for the routing table's per-/24 entry counts: open addressing with linear probing over two
 * primitive arrays, a key whose count falls to zero removed (backward-shift deletion, no tombstones). A slot is empty
 * when its count is zero, so any long is a valid key. A {@code HashMap<Long, Integer>} costs a node, a boxed key and
 * a table slot per entry (~60 bytes); this costs 12 bytes per slot, at most 4/3 slots per key.
 *
 * <p>Owned by the core's thread; not thread-safe.
 */
final class LongCounts {
    private static final int MIN_CAPACITY = 16;
    private long[] keys = new long[MIN_CAPACITY];
    private int[] counts = new int[MIN_CAPACITY];
    private int size;

    /** The count of {@code key}: 0 when absent. */
    int get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); counts[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return counts[i];
            }
        }
        return 0;
    }

    /** Adds {@code delta} (may be negative) to the count of {@code key}; a count that reaches 0 is removed. */
    void add(long key, int delta) {
        if (delta == 0) {
            return;
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        for (; counts[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == key) {
                counts[i] += delta;
                if (counts[i] == 0) {
                    removeAt(i);
                }
                return;
            }
        }
        keys[i] = key;
        counts[i] = delta;
        if (++size * 4 > keys.length * 3) { // load factor 3/4
            resize(keys.length * 2);
        }
    }

    /** Keys with a nonzero count. */
    int size() {
        return size;
    }

    private void removeAt(int hole) {
        int mask = keys.length - 1;
        size--;
        // Shift back each later entry of the probe run whose home slot is not between the hole and it.
        for (int i = (hole + 1) & mask; counts[i] != 0; i = (i + 1) & mask) {
            int home = slot(keys[i], mask);
            if (((i - home) & mask) >= ((i - hole) & mask)) {
                keys[hole] = keys[i];
                counts[hole] = counts[i];
                hole = i;
            }
        }
        counts[hole] = 0;
    }

    private void resize(int capacity) {
        long[] oldKeys = keys;
        int[] oldCounts = counts;
        keys = new long[capacity];
        counts = new int[capacity];
        int mask = capacity - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldCounts[j] != 0) {
                int i = slot(oldKeys[j], mask);
                while (counts[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                counts[i] = oldCounts[j];
            }
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E37_79B9_7F4A_7C15L; // Fibonacci hashing: /24 keys are dense in their low bits
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
