package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import org.junit.jupiter.api.Test;

class TransmitQueueTest {
    @Test
    void aQueueDrainedAfterEveryDatagramReusesOneSlot() {
        TransmitQueue queue = new TransmitQueue(256, new TransmitBuffers());
        Contact to = TestContacts.random(new SplittableRandom(1));
        byte[] datagram = {1, 2, 3};
        Set<Outbound> slots = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            assertTrue(queue.offer(to, datagram, datagram.length, false));
            slots.add(queue.poll());
            assertNull(queue.poll());
        }
        assertEquals(1, slots.size(), "one buffer, not one per slot of the ring");
    }

    @Test
    void aBurstKeepsItsOrderAndItsSlots() {
        TransmitQueue queue = new TransmitQueue(4, new TransmitBuffers());
        Contact to = TestContacts.random(new SplittableRandom(2));
        for (int round = 0; round < 3; round++) {
            for (byte b = 0; b < 4; b++) {
                assertTrue(queue.offer(to, new byte[] {b}, 1, false));
            }
            assertFalse(queue.offer(to, new byte[] {9}, 1, false), "full");
            Outbound first = queue.poll();
            assertEquals(0, first.data()[0]);
            for (byte b = 1; b < 4; b++) {
                assertEquals(b, queue.poll().data()[0]);
            }
            assertNull(queue.poll());
            assertTrue(queue.offer(to, new byte[] {7}, 1, false));
            assertSame(first, queue.poll(), "a drained queue starts over at its first slot");
        }
    }

    /** Two queues on one pool (the simulator's nodes): each gives its burst's buffers back once drained. */
    @Test
    void queuesSharingAPoolHoldOneBurstBetweenThem() {
        TransmitBuffers pool = new TransmitBuffers();
        TransmitQueue a = new TransmitQueue(8, new TransmitBuffers());
        TransmitQueue b = new TransmitQueue(8, new TransmitBuffers());
        a.borrowFrom(pool);
        b.borrowFrom(pool);
        Contact to = TestContacts.random(new SplittableRandom(3));
        Set<byte[]> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (TransmitQueue q : new TransmitQueue[] {a, b, a}) {
            for (byte i = 0; i < 5; i++) {
                assertTrue(q.offer(to, new byte[] {i, 42}, 2, false));
            }
            for (byte i = 0; i < 5; i++) {
                Outbound out = q.poll();
                assertEquals(i, out.data()[0], "in order, its own bytes");
                assertEquals(2, out.length());
                seen.add(out.data());
            }
            assertEquals(0, pool.idle(), "lent until the driver finds the queue empty");
            assertNull(q.poll());
            assertEquals(5, pool.idle(), "all given back");
        }
        assertEquals(5, seen.size(), "three bursts of five on five buffers");
    }
}
