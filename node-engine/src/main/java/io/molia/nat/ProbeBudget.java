package io.molia.nat;

import java.util.concurrent.TimeUnit;

/**
 * How many dial-back probes a core sends for others: a token bucket, so DIAL_BACK cannot turn a node into a
 * reflector (a probe is 12 bytes and goes only to an address a peer was seen at, or one a peer forwarded).
 * Owned by one core's thread; not thread-safe.
 */
public final class ProbeBudget {
    static final int PER_SECOND = 10;
    static final int BURST = 20;
    private static final long NS_PER_TOKEN = TimeUnit.SECONDS.toNanos(1) / PER_SECOND;

    private double tokens = BURST;
    private long refilledNs;
    private boolean started;

    /** Takes a token at {@code nowNs}; false when none is left (the caller counts the refusal). */
    public boolean tryTake(long nowNs) {
        if (!started) {
            started = true;
            refilledNs = nowNs;
        }
        tokens = Math.min(BURST, tokens + (double) (nowNs - refilledNs) / NS_PER_TOKEN);
        refilledNs = nowNs;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
