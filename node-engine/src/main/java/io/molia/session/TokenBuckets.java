package io.molia.session;

/**
 * Token buckets for many keys in bounded memory: a fixed table indexed by a hash of the key, where a newcomer takes
 * the slot of the key it collides with (an eviction, counted: the evicted key starts again with a full bucket, so a
 * table too small for the sources it sees limits less, never more). Each bucket earns one token per
 * {@code 1 s / perSecond} and holds at most {@code burst}. Owned by the shard thread; not thread-safe; allocates
 * nothing.
 */
final class TokenBuckets {
    private final long costNs;
    private final long maxCreditNs;
    private final int mask;
    private final long[] keyHi;
    private final long[] keyLo;
    private final boolean[] used;
    private final long[] creditNs;
    private final long[] updatedNs;
    private long evictions;

    /** {@code slots}: a power of two. */
    TokenBuckets(int slots, int perSecond, int burst) {
        if (Integer.bitCount(slots) != 1 || perSecond < 1 || burst < 1) {
            throw new IllegalArgumentException("slots a power of two, a rate and a burst of at least 1");
        }
        this.costNs = 1_000_000_000L / perSecond;
        this.maxCreditNs = burst * costNs;
        this.mask = slots - 1;
        this.keyHi = new long[slots];
        this.keyLo = new long[slots];
        this.used = new boolean[slots];
        this.creditNs = new long[slots];
        this.updatedNs = new long[slots];
    }

    /** Whether the key may pass now; it takes a token when it may. */
    boolean take(long nowNs, long hi, long lo) {
        int slot = slot(hi, lo);
        if (!used[slot] || keyHi[slot] != hi || keyLo[slot] != lo) {
            if (used[slot]) {
                evictions++;
            }
            used[slot] = true;
            keyHi[slot] = hi;
            keyLo[slot] = lo;
            creditNs[slot] = maxCreditNs;
            updatedNs[slot] = nowNs;
        }
        long credit = Math.min(maxCreditNs, creditNs[slot] + Math.max(0, nowNs - updatedNs[slot]));
        updatedNs[slot] = nowNs;
        if (credit < costNs) {
            creditNs[slot] = credit;
            return false;
        }
        creditNs[slot] = credit - costNs;
        return true;
    }

    /** Keys that lost their slot to another key. */
    long evictions() {
        return evictions;
    }

    private int slot(long hi, long lo) {
        long h = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ (h >>> 29)) & mask;
    }
}
