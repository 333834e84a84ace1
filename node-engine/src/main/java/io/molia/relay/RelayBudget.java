package io.molia.relay;

import java.util.concurrent.TimeUnit;

/**
 * The share of a node's egress it may spend relaying for others (DESIGN §3.8: by default at most 10 %), over a
 * sliding window: the window is cut into slots, each holding the node's egress and the relayed bytes sent in it, and
 * the oldest slot is dropped as time moves on. A frame is forwarded only if, once counted, relayed bytes stay within
 * the share of the egress (the forwarded bytes are egress too). A node that sends nothing of its own relays nothing.
 *
 * <p>Owned by the relaying core's thread; not thread-safe. No allocation after construction.
 */
public final class RelayBudget {
    public static final int DEFAULT_PERCENT = 10;
    public static final long DEFAULT_WINDOW_NS = TimeUnit.SECONDS.toNanos(60);
    static final int SLOTS = 60;

    private final int percent;
    private final long slotNs;
    private final long[] egressBytes = new long[SLOTS];
    private final long[] relayedBytes = new long[SLOTS];
    /** The slot number (time / slotNs) of the newest slot written; slots older than SLOTS behind it are zero. */
    private long newestSlot = Long.MIN_VALUE;
    private long egressTotal;
    private long relayedTotal;
    private long lastEgressCounter = -1;

    /** {@code percent} of egress (0–100) over {@code windowNs}. */
    public RelayBudget(int percent, long windowNs) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("relay budget percent must be within 0..100: " + percent);
        }
        if (windowNs < SLOTS) {
            throw new IllegalArgumentException("relay budget window too short: " + windowNs + " ns");
        }
        this.percent = percent;
        this.slotNs = windowNs / SLOTS;
    }

    public int percent() {
        return percent;
    }

    public long windowNs() {
        return slotNs * SLOTS;
    }

    /**
     * The node's egress counter (bytes it ever sent, all shards) as read at {@code nowNs}: the growth since the last
     * reading is this slot's egress. Call before {@link #tryRelay}.
     */
    public void onEgressCounter(long nowNs, long egressCounterBytes) {
        advance(nowNs);
        if (lastEgressCounter >= 0 && egressCounterBytes > lastEgressCounter) {
            long grew = egressCounterBytes - lastEgressCounter;
            egressBytes[slot()] += grew;
            egressTotal += grew;
        }
        lastEgressCounter = Math.max(lastEgressCounter, egressCounterBytes);
    }

    /** Whether {@code bytes} more may be relayed at {@code nowNs}; when so they are counted (the caller sends them). */
    public boolean tryRelay(long nowNs, int bytes) {
        advance(nowNs);
        // relayed + bytes <= percent% of (egress + bytes): the frame about to go out is egress too
        if ((relayedTotal + bytes) * 100 > (long) percent * (egressTotal + bytes)) {
            return false;
        }
        int s = slot();
        relayedBytes[s] += bytes;
        relayedTotal += bytes;
        // The counter will show these bytes at the next reading: count them now, and skip them then.
        egressBytes[s] += bytes;
        egressTotal += bytes;
        if (lastEgressCounter >= 0) {
            lastEgressCounter += bytes;
        }
        return true;
    }

    /** Relayed bytes in the window as last updated (no update: metrics read it from another thread). */
    long relayedAsLastUpdated() {
        return relayedTotal;
    }

    /** Egress in the window as last updated (no update: metrics read it from another thread). */
    long egressAsLastUpdated() {
        return egressTotal;
    }

    /** Relayed bytes in the window. */
    public long relayedBytes(long nowNs) {
        advance(nowNs);
        return relayedTotal;
    }

    /** The node's egress in the window, relayed bytes included. */
    public long egressBytes(long nowNs) {
        advance(nowNs);
        return egressTotal;
    }

    /** How many relayed bytes the window allows with the egress seen so far. */
    public long limitBytes(long nowNs) {
        advance(nowNs);
        return egressTotal * percent / 100;
    }

    /** Relayed bytes per slot, oldest first (the dashboard's sparkline); {@code out} holds {@link #SLOTS}. */
    public void relayedPerSlot(long nowNs, long[] out) {
        advance(nowNs);
        for (int i = 0; i < SLOTS; i++) {
            out[i] = relayedBytes[(int) Math.floorMod(newestSlot - SLOTS + 1 + i, (long) SLOTS)];
        }
    }

    /** The newest slot's index (after {@link #advance}: a reading older than it counts in it). */
    private int slot() {
        return (int) Math.floorMod(newestSlot, (long) SLOTS);
    }

    /** Zeroes the slots that left the window since the newest one written. */
    private void advance(long nowNs) {
        long now = Math.floorDiv(nowNs, slotNs);
        if (newestSlot == Long.MIN_VALUE) {
            newestSlot = now;
            return;
        }
        if (now <= newestSlot) {
            return; // a reading older than the newest slot counts in it
        }
        long steps = Math.min(SLOTS, now - newestSlot);
        for (long i = 1; i <= steps; i++) {
            int s = (int) Math.floorMod(newestSlot + i, (long) SLOTS);
            egressTotal -= egressBytes[s];
            relayedTotal -= relayedBytes[s];
            egressBytes[s] = 0;
            relayedBytes[s] = 0;
        }
        newestSlot = now;
    }
}
