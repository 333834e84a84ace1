package io.molia.session;

import java.util.Arrays;

/**
 * The peers of one shard ordered by when something may next be due for them: a binary min-heap in an array, each
 * peer holding its own slot index, so moving a peer's deadline earlier or removing a forgotten peer happens in place
 * (O(log n)) and nothing is allocated once the array has grown to the number of peers. Owned by the shard thread;
 * not thread-safe.
 */
final class PeerDeadlines {
    private Peer[] heap = new Peer[64];
    private int size;

    int size() {
        return size;
    }

    /** Makes sure {@code peer} comes up at {@code atNs} or before (a later time than it has changes nothing). */
    void atOrBefore(Peer peer, long atNs) {
        if (peer.deadlineSlot < 0) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            peer.scheduledNs = atNs;
            heap[size] = peer;
            peer.deadlineSlot = size++;
            up(peer.deadlineSlot);
        } else if (atNs < peer.scheduledNs) {
            peer.scheduledNs = atNs;
            up(peer.deadlineSlot);
        }
    }

    /** The earliest deadline, Long.MAX_VALUE when no peer has one. */
    long earliestNs() {
        return size == 0 ? Long.MAX_VALUE : heap[0].scheduledNs;
    }

    /** The peer whose deadline came by {@code nowNs}, taken out of the heap; null if none. */
    Peer pollDue(long nowNs) {
        if (size == 0 || heap[0].scheduledNs > nowNs) {
            return null;
        }
        Peer due = heap[0];
        remove(due);
        return due;
    }

    /** Takes {@code peer} out (it is forgotten); nothing when it has no deadline. */
    void remove(Peer peer) {
        int slot = peer.deadlineSlot;
        if (slot < 0) {
            return;
        }
        Peer last = heap[--size];
        heap[size] = null;
        peer.deadlineSlot = -1;
        peer.scheduledNs = Long.MAX_VALUE;
        if (last != peer) {
            heap[slot] = last;
            last.deadlineSlot = slot;
            down(slot);
            up(last.deadlineSlot);
        }
    }

    private void up(int slot) {
        Peer p = heap[slot];
        while (slot > 0) {
            int parent = (slot - 1) >>> 1;
            if (heap[parent].scheduledNs <= p.scheduledNs) {
                break;
            }
            place(heap[parent], slot);
            slot = parent;
        }
        place(p, slot);
    }

    private void down(int slot) {
        Peer p = heap[slot];
        while (true) {
            int child = 2 * slot + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1].scheduledNs < heap[child].scheduledNs) {
                child++;
            }
            if (heap[child].scheduledNs >= p.scheduledNs) {
                break;
            }
            place(heap[child], slot);
            slot = child;
        }
        place(p, slot);
    }

    private void place(Peer p, int slot) {
        heap[slot] = p;
        p.deadlineSlot = slot;
    }
}
