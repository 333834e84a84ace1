package io.molia.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.molia.contact.NodeId;
import org.junit.jupiter.api.Test;

class SessionDirectoryTest {
    @Test
    void aPeerIsSentThroughItsShardWhileFreshThenForgotten() {
        SessionDirectory directory = new SessionDirectory();
        NodeId peer = new NodeId(1, 2, 3, 4);
        assertEquals(-1, directory.shardOf(peer, 0), "unknown");
        directory.note(peer, 3, 0);
        assertEquals(3, directory.shardOf(peer, SessionDirectory.FRESH_NS - 1));
        assertEquals(-1, directory.shardOf(peer, SessionDirectory.FRESH_NS), "stale: no session lives that long");
        directory.note(peer, 2, SessionDirectory.FRESH_NS);
        assertEquals(2, directory.shardOf(peer, SessionDirectory.FRESH_NS), "the newest report wins");
        directory.sweep(2 * SessionDirectory.FRESH_NS);
        assertEquals(0, directory.size(), "swept");
    }

    @Test
    void aFullDirectoryTakesNoNewPeerButRefreshesKnownOnes() {
        SessionDirectory directory = new SessionDirectory();
        for (int i = 0; i < SessionDirectory.CAPACITY; i++) {
            directory.note(new NodeId(i, 0, 0, 0), 1, 0);
        }
        directory.note(new NodeId(-1, 0, 0, 0), 1, 0);
        assertEquals(SessionDirectory.CAPACITY, directory.size(), "bounded");
        assertEquals(-1, directory.shardOf(new NodeId(-1, 0, 0, 0), 0));
        directory.note(new NodeId(5, 0, 0, 0), 2, 10);
        assertEquals(2, directory.shardOf(new NodeId(5, 0, 0, 0), 10));
    }
}
