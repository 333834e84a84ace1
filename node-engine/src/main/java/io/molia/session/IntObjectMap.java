package io.molia.session;

import java.util.Arrays;

/**
 * An open-addressing map from non-zero {@code int} keys (session indices; 0 is never issued) to objects, with
 * linear probing and backward-shift deletion. {@link #get} neither boxes nor allocates: the receive path looks a
 * session up per datagram. {@link #put} grows the table when it is half full (handshake path only). Iterate with
 * {@link #slots()} and {@link #valueAt}. Owned by one thread; not thread-safe.
 */
final class IntObjectMap<V> {
    private int[] keys;
    private Object[] values;
    private int mask;
    private int size;

    IntObjectMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new int[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
    }

    /** Keys carry the shard in their low bits, so the slot comes from all the bits. */
    private static int slot(int key, int mask) {
        int h = key * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    V get(int key) {
        if (key == 0) {
            return null;
        }
        int[] k = keys;
        for (int i = slot(key, mask);; i = (i + 1) & mask) {
            int found = k[i];
            if (found == key) {
                return (V) values[i];
            }
            if (found == 0) {
                return null;
            }
        }
    }

    boolean containsKey(int key) {
        return get(key) != null;
    }

    /** Returns the value replaced, or null. */
    @SuppressWarnings("unchecked")
    V put(int key, V value) {
        if (key == 0 || value == null) {
            throw new IllegalArgumentException("key 0 and null values are not stored");
        }
        for (int i = slot(key, mask);; i = (i + 1) & mask) {
            int found = keys[i];
            if (found == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
            if (found == 0) {
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length) {
                    grow();
                }
                return null;
            }
        }
    }

    /** Returns the value removed, or null. */
    @SuppressWarnings("unchecked")
    V remove(int key) {
        if (key == 0) {
            return null;
        }
        int i = slot(key, mask);
        while (keys[i] != key) {
            if (keys[i] == 0) {
                return null;
            }
            i = (i + 1) & mask;
        }
        V old = (V) values[i];
        // Backward shift: move later entries of the probe run into the hole when their home allows it.
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = 0;
        values[hole] = null;
        size--;
        return old;
    }

    /** The number of slots, for iteration with {@link #valueAt}. */
    int slots() {
        return keys.length;
    }

    /** The value in slot {@code i}, or null when it is empty. */
    @SuppressWarnings("unchecked")
    V valueAt(int i) {
        return (V) values[i];
    }

    private void grow() {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int j = slot(oldKeys[i], mask);
                while (keys[j] != 0) {
                    j = (j + 1) & mask;
                }
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
            }
        }
        Arrays.fill(oldValues, null);
    }
}
