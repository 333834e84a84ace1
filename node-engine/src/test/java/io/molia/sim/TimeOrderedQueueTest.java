package io.molia.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class TimeOrderedQueueTest {
    private record Item(long timeNs, long seq) {
    }

    /** The same order as a PriorityQueue by (time, seq), with ties in time and interleaved adds and polls. */
    @Test
    void pollsInTimeThenScheduleOrderLikeAPriorityQueue() {
        TimeOrderedQueue<Item> queue = new TimeOrderedQueue<>();
        PriorityQueue<Item> reference = new PriorityQueue<>(
                Comparator.comparingLong(Item::timeNs).thenComparingLong(Item::seq));
        SplittableRandom random = new SplittableRandom(17);
        long seq = 0;
        long now = 0;
        for (int step = 0; step < 300_000; step++) {
            if (random.nextInt(100) < 52) { // grows past its first 1024 slots, then shrinks and grows again
                Item item = new Item(now + random.nextInt(50), seq++); // few distinct times: many ties
                queue.add(item.timeNs(), item.seq(), item);
                reference.add(item);
            } else {
                Item expected = reference.poll();
                assertEquals(expected, queue.poll());
                if (expected != null) {
                    now = expected.timeNs();
                }
            }
            assertEquals(reference.size(), queue.size());
        }
        while (!reference.isEmpty()) {
            assertEquals(reference.poll(), queue.poll());
        }
        assertNull(queue.poll());
    }
}
