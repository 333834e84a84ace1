package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import org.junit.jupiter.api.Test;

/** The deadline heap against a plain map of the same deadlines, under random moves, removals and polls. */
class PeerDeadlinesTest {
    private static Peer peer(int i) {
        byte[] key = new byte[32];
        key[0] = (byte) i;
        key[1] = (byte) (i >>> 8);
        NodeAddress address = NodeAddress.ipv4(i, 4000);
        return new Peer(key, new Contact(NodeId.ofPublicKey(key), key, 0, address), address);
    }

    @Test
    void peersComeUpInDeadlineOrderWhateverTheMovesAndRemovals() {
        SplittableRandom random = new SplittableRandom(7);
        PeerDeadlines heap = new PeerDeadlines();
        Map<Peer, Long> expected = new HashMap<>();
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            peers.add(peer(i));
        }
        long now = 0;
        for (int step = 0; step < 20_000; step++) {
            Peer p = peers.get(random.nextInt(peers.size()));
            switch (random.nextInt(4)) {
                case 0, 1 -> {
                    long at = now + random.nextLong(1_000);
                    heap.atOrBefore(p, at);
                    expected.merge(p, at, Math::min);
                }
                case 2 -> {
                    heap.remove(p);
                    expected.remove(p);
                }
                default -> {
                    now += random.nextLong(50);
                    Peer due;
                    while ((due = heap.pollDue(now)) != null) {
                        long at = expected.remove(due);
                        assertTrue(at <= now && expected.values().stream().allMatch(other -> other >= at),
                                "came up in order, when due");
                        assertEquals(-1, due.deadlineSlot);
                    }
                    long earliest = expected.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
                    assertEquals(earliest, heap.earliestNs());
                    assertEquals(expected.size(), heap.size());
                }
            }
        }
        heap.atOrBefore(peers.get(0), 5);
        heap.atOrBefore(peers.get(0), 9); // later: no change
        assertEquals(5, peers.get(0).scheduledNs);
        while (heap.pollDue(Long.MAX_VALUE) != null) {
            // drain
        }
        assertNull(heap.pollDue(Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, heap.earliestNs());
    }
}
