package io.molia.core;

import java.util.concurrent.TimeUnit;

import io.molia.contact.Contact;

/**
 * Which routing entries to ping before this node hands them out again: an entry not heard from for
 * {@link #staleAfterNs()} is checked when a FIND_NODE answer names it, so the entries that other nodes' lookups are
 * given are the ones kept fresh, and a departed peer stops being handed out one check later instead of staying in
 * the table until this node happens to ask it.
 *
 * <p>The staleness bound follows the churn the checks observe: a check of an entry last seen {@code Δ} ago fails
 * with probability 1 − e^(−λΔ) when peers leave at rate λ, so λ is estimated as −ln(1 − share of failed checks)
 * over the mean {@code Δ} of the checks (all counts halved every {@link #HALF_LIFE_CHECKS} checks, so it follows a
 * change of churn) and the bound is set so that about {@link #TOLERATED_DEAD} of the stale entries are dead: at 30 %/min of
 * churn (λ = 0.005/s) about 1 minute, on a calm network the ceiling. It starts at {@link #INITIAL_STALE_NS}, so the
 * first checks measure the churn.
 *
 * <p>Bounded: at most {@link #CAPACITY} checks wait to be sent; an entry offered while the queue is full is checked
 * the next time it is handed out. Offering allocates nothing (it runs on the FIND_NODE answer path). Owned by the
 * core's thread; not thread-safe.
 */
final class LivenessChecks {
    static final int CAPACITY = 64;
    static final long MIN_STALE_NS = TimeUnit.SECONDS.toNanos(10);
    static final long MAX_STALE_NS = TimeUnit.MINUTES.toNanos(5);
    static final long INITIAL_STALE_NS = TimeUnit.MINUTES.toNanos(1);
    /** The share of stale entries that may be dead when handed out. */
    static final double TOLERATED_DEAD = 0.25;
    static final int HALF_LIFE_CHECKS = 256;

    private final Contact[] queue = new Contact[CAPACITY];
    private int head;
    private int size;
    private double checks;
    private double failedChecks;
    private double checkedSeconds;
    private int outcomes;
    private long staleAfterNs = INITIAL_STALE_NS;

    /** Entries not heard from for this long are checked before they are handed out again. */
    long staleAfterNs() {
        return staleAfterNs;
    }

    /** Queues a check of {@code entry} if it is stale and no check is out; returns whether it was queued. */
    boolean offer(long nowNs, RoutingEntry entry) {
        if (entry.pingPending() || nowNs - entry.lastSeenNs() < staleAfterNs || size == CAPACITY) {
            return false;
        }
        entry.markPingPending();
        queue[(head + size++) % CAPACITY] = entry.contact();
        return true;
    }

    /** The next contact to ping, or null. */
    Contact poll() {
        if (size == 0) {
            return null;
        }
        Contact next = queue[head];
        queue[head] = null;
        head = (head + 1) % CAPACITY;
        size--;
        return next;
    }

    /** The outcome of a check of a peer last seen {@code sinceSeenNs} before it was pinged. */
    void onOutcome(long sinceSeenNs, boolean answered) {
        if (++outcomes % HALF_LIFE_CHECKS == 0) {
            checks /= 2;
            failedChecks /= 2;
            checkedSeconds /= 2;
        }
        checks++;
        checkedSeconds += Math.max(0, sinceSeenNs) / 1e9;
        if (!answered) {
            failedChecks++;
        }
        double failedShare = Math.min(0.99, failedChecks / checks);
        double ratePerSecond = checkedSeconds <= 0 ? 0 : -Math.log(1 - failedShare) / (checkedSeconds / checks);
        long bound = ratePerSecond <= 0 ? MAX_STALE_NS
                : (long) (-Math.log(1 - TOLERATED_DEAD) / ratePerSecond * 1e9);
        staleAfterNs = Math.max(MIN_STALE_NS, Math.min(MAX_STALE_NS, bound));
    }
}
