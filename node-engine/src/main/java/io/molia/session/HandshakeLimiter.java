package io.molia.session;

import io.molia.contact.NodeAddress;

/**
 * Under load, initiations with a valid mac2 (the sender proved it receives at its address) are still limited per
 * source, as WireGuard's rate limiter does it: a token bucket of {@link #PER_SECOND} a second with a burst of
 * {@link #BURST} per IPv4 address or IPv6 /64. Bounded memory: a fixed table indexed by a hash of the source, where
 * a newcomer takes the slot of the source it collides with (counted). Owned by the shard thread; not thread-safe;
 * allocates nothing.
 */
final class HandshakeLimiter {
    static final int PER_SECOND = 20;
    static final int BURST = 5;
    static final int SLOTS = 4096;
    private static final long COST_NS = 1_000_000_000L / PER_SECOND;
    private static final long MAX_CREDIT_NS = BURST * COST_NS;

    private final SessionCounters counters;
    private final long[] hi = new long[SLOTS];
    private final long[] lo = new long[SLOTS];
    private final boolean[] used = new boolean[SLOTS];
    private final long[] creditNs = new long[SLOTS];
    private final long[] updatedNs = new long[SLOTS];

    HandshakeLimiter(SessionCounters counters) {
        this.counters = counters;
    }

    /** Whether an initiation from {@code from} may be handled now (it takes a token when it may). */
    boolean allow(long nowNs, NodeAddress from) {
        long keyHi = from.hi();
        long keyLo = from.isIpv4() ? from.lo() : 0; // IPv6: one /64, which one customer gets
        int slot = slot(keyHi, keyLo);
        if (!used[slot] || hi[slot] != keyHi || lo[slot] != keyLo) {
            if (used[slot]) {
                counters.handshakeLimiterEvictions++;
            }
            used[slot] = true;
            hi[slot] = keyHi;
            lo[slot] = keyLo;
            creditNs[slot] = MAX_CREDIT_NS;
            updatedNs[slot] = nowNs;
        }
        long credit = Math.min(MAX_CREDIT_NS, creditNs[slot] + Math.max(0, nowNs - updatedNs[slot]));
        updatedNs[slot] = nowNs;
        if (credit < COST_NS) {
            creditNs[slot] = credit;
            return false;
        }
        creditNs[slot] = credit - COST_NS;
        return true;
    }

    private static int slot(long keyHi, long keyLo) {
        long h = (keyHi * 0x9E3779B97F4A7C15L) ^ (keyLo * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ (h >>> 29)) & (SLOTS - 1);
    }
}
