package io.molia.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The sliding-window egress share, by hand-fed counters and clock. */
class RelayBudgetTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    @Test
    void relaysNothingWithoutEgressOfItsOwn() {
        RelayBudget b = new RelayBudget(10, 60 * S);
        b.onEgressCounter(0, 0);
        assertFalse(b.tryRelay(0, 1));
        assertEquals(0, b.limitBytes(0));
    }

    @Test
    void relayedBytesStayWithinTheShareOfEgressThatIncludesThem() {
        RelayBudget b = new RelayBudget(10, 60 * S);
        b.onEgressCounter(0, 0);
        b.onEgressCounter(S, 9_000); // the node's own 9,000 bytes
        // 1,000 relayed of 10,000 sent is exactly 10 %
        assertTrue(b.tryRelay(S, 600));
        assertTrue(b.tryRelay(S, 400));
        assertFalse(b.tryRelay(S, 1));
        assertEquals(1_000, b.relayedBytes(S));
        assertEquals(10_000, b.egressBytes(S));
        // The counter now shows the relayed 1,000 too: they are not counted twice.
        b.onEgressCounter(2 * S, 10_000);
        assertEquals(10_000, b.egressBytes(2 * S));
        assertFalse(b.tryRelay(2 * S, 1));
    }

    @Test
    void theWindowSlidesAndOldBytesLeaveIt() {
        RelayBudget b = new RelayBudget(10, 60 * S);
        b.onEgressCounter(0, 0);
        b.onEgressCounter(0, 90_000);
        assertTrue(b.tryRelay(0, 10_000));
        assertFalse(b.tryRelay(0, 1));
        // 30 s on, new egress of its own: room again for 10 % of the new bytes (the old still count).
        b.onEgressCounter(30 * S, 200_000);
        assertEquals(200_000, b.egressBytes(30 * S));
        assertTrue(b.tryRelay(30 * S, 10_000));
        // 61 s after the first slot, it left the window: only the second slot's 100,000 + 10,000 remain.
        assertEquals(110_000, b.egressBytes(61 * S));
        assertEquals(10_000, b.relayedBytes(61 * S));
        assertEquals(11_000, b.limitBytes(61 * S));
        // long silence empties the window
        assertEquals(0, b.egressBytes(500 * S));
        assertEquals(0, b.relayedBytes(500 * S));
        assertFalse(b.tryRelay(500 * S, 1));
    }

    @Test
    void sparklineHoldsRelayedBytesPerSlotOldestFirst() {
        RelayBudget b = new RelayBudget(50, 60 * S);
        b.onEgressCounter(0, 0);
        b.onEgressCounter(0, 1_000_000);
        assertTrue(b.tryRelay(0, 100));
        assertTrue(b.tryRelay(2 * S, 300));
        long[] slots = new long[RelayBudget.SLOTS];
        b.relayedPerSlot(2 * S, slots);
        assertEquals(300, slots[RelayBudget.SLOTS - 1]);
        assertEquals(0, slots[RelayBudget.SLOTS - 2]);
        assertEquals(100, slots[RelayBudget.SLOTS - 3]);
    }

    @Test
    void zeroPercentRelaysNothingAndBadSettingsAreRefused() {
        RelayBudget off = new RelayBudget(0, 60 * S);
        off.onEgressCounter(0, 0);
        off.onEgressCounter(0, 1_000_000);
        assertFalse(off.tryRelay(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new RelayBudget(101, 60 * S));
        assertThrows(IllegalArgumentException.class, () -> new RelayBudget(10, 1));
    }
}
