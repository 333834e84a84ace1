package io.molia.core;

import io.molia.contact.Contact;

/**
 * The core's outgoing datagrams: a fixed ring of reusable slots, each slot's buffer borrowed from a
 * {@link TransmitBuffers} when used and given back when the driver drained the queue (its {@link #poll} found it
 * empty), so the steady state allocates nothing and an idle simulated node costs only the ring. A drained queue
 * starts over at its first slot, so a core's own pool holds its deepest burst, not one buffer per slot it ever
 * cycled through. When full, new datagrams are dropped (the core counts them): a driver that does not drain is a
 * bug, not a reason to grow without bound.
 *
 * <p>Owned by the core's thread; not thread-safe.
 */
final class TransmitQueue {
    private final Outbound[] slots;
    private TransmitBuffers buffers;
    private int head;
    private int size;
    /** Slots holding a borrowed buffer. */
    private int holding;

    TransmitQueue(int capacity, TransmitBuffers buffers) {
        slots = new Outbound[capacity];
        this.buffers = buffers;
    }

    /** Borrows from {@code shared} from now on; call while empty (what it holds then goes back where it came from). */
    void borrowFrom(TransmitBuffers shared) {
        if (size == 0) {
            giveBack();
        }
        buffers = shared;
    }

    /** Queues a copy of {@code source[0, length)}; false when the queue is full. */
    boolean offer(Contact to, byte[] source, int length, boolean reply) {
        byte[] buffer = nextBuffer();
        if (buffer == null) {
            return false;
        }
        System.arraycopy(source, 0, buffer, 0, length);
        commit(to, length, reply);
        return true;
    }

    /**
     * The buffer of the slot the next datagram goes in, to encode into directly (then {@link #commit}); null when
     * the queue is full.
     */
    byte[] nextBuffer() {
        if (size == slots.length) {
            return null;
        }
        int index = (head + size) % slots.length;
        Outbound slot = slots[index];
        if (slot == null) {
            slot = new Outbound();
            slots[index] = slot;
        }
        if (slot.data() == null) {
            slot.lend(buffers.take());
            holding++;
        }
        return slot.data();
    }

    /** Queues the datagram encoded into {@link #nextBuffer()}'s first {@code length} bytes. */
    void commit(Contact to, int length, boolean reply) {
        slots[(head + size) % slots.length].set(to, length, reply);
        size++;
    }

    /** The next datagram, valid until the next offer or poll; null when empty (the buffers then go back). */
    Outbound poll() {
        if (size == 0) {
            giveBack();
            return null;
        }
        Outbound slot = slots[head];
        head = (head + 1) % slots.length;
        size--;
        if (size == 0) {
            head = 0; // start over at the first slot: buffers exist only up to the deepest the queue ever was
        }
        return slot;
    }

    private void giveBack() {
        for (int i = 0; holding > 0 && i < slots.length; i++) {
            if (slots[i] != null && slots[i].data() != null) {
                buffers.give(slots[i].takeBack());
                holding--;
            }
        }
    }
}
