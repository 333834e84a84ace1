package io.molia.sim;

import java.util.Arrays;

/**
 * The simulator's event queue: items in the order of (time, sequence number), a binary heap whose keys sit in two
 * primitive arrays, so sifting compares longs in place instead of following a pointer to each event (a
 * {@code PriorityQueue} of comparable events spent ~9 % of a 10k churn run in {@code compareTo} and its sifts).
 * Sequence numbers are unique, so the order is total and every run of a seed polls the same sequence.
 *
 * <p>Owned by the simulation's thread; not thread-safe.
 */
final class TimeOrderedQueue<T> {
    private long[] times = new long[1024];
    private long[] seqs = new long[1024];
    private Object[] items = new Object[1024];
    private int size;

    void add(long timeNs, long seq, T item) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            seqs = Arrays.copyOf(seqs, size * 2);
            items = Arrays.copyOf(items, size * 2);
        }
        int i = size++;
        while (i > 0) { // sift up
            int parent = (i - 1) >>> 1;
            if (!before(timeNs, seq, times[parent], seqs[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        times[i] = timeNs;
        seqs[i] = seq;
        items[i] = item;
    }

    /** The earliest item, removed; null when empty. */
    @SuppressWarnings("unchecked")
    T poll() {
        if (size == 0) {
            return null;
        }
        T first = (T) items[0];
        int last = --size;
        long time = times[last];
        long seq = seqs[last];
        Object item = items[last];
        items[last] = null;
        int i = 0;
        int half = size >>> 1;
        while (i < half) { // sift down
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(times[right], seqs[right], times[child], seqs[child])) {
                child = right;
            }
            if (!before(times[child], seqs[child], time, seq)) {
                break;
            }
            move(child, i);
            i = child;
        }
        if (size > 0) {
            times[i] = time;
            seqs[i] = seq;
            items[i] = item;
        }
        return first;
    }

    int size() {
        return size;
    }

    private void move(int from, int to) {
        times[to] = times[from];
        seqs[to] = seqs[from];
        items[to] = items[from];
    }

    private static boolean before(long timeA, long seqA, long timeB, long seqB) {
        return timeA < timeB || timeA == timeB && seqA < seqB;
    }
}
