package io.molia.session;

/**
 * Whether this shard is under handshake load: the CPU the initiations it receives would cost, against a budget
 * (a share of the shard's thread), measured from the times the driver passes in. Owned by the shard thread; not
 * thread-safe.
 *
 * <p>What one handshake costs is measured, not assumed: a shard handles one datagram at a time, so the time from an
 * initiation it fully handled (the Noise work, the core's answer, the response) to the next datagram it is given is
 * at least that work, and exactly that when datagrams queue, which is when it matters. The smallest such gap in a
 * window is the estimate; it may rise by a sixteenth per window (the machine got busier) and is capped at
 * {@link #MAX_COST_NS} (a quiet shard sees only long gaps). It needs the time each datagram is handled: a driver
 * that passes one time for a whole read batch gives gaps of 0, which are ignored, and leaves fewer samples. The load of a window is then the initiations that
 * arrived with a valid mac1, answered or not, times that cost, over the window's length: it follows the machine's
 * real speed and stays high while a flood is being turned away, since a fixed rate threshold fired far below
 * capacity (commit b5fb9e6). Once over budget the shard stays under load for a second, as WireGuard does
 * ({@code UnderLoadAfterTime}), and for as long as the windows stay over a quarter of the budget: a flood that
 * waits for answers (as {@code molia bench handshakes} does) slows down once it is turned away, and without that
 * margin it would be let in again every second.
 *
 * <p>That margin alone did not hold a flood that waits out its timeouts (2 s in {@code molia bench handshakes}): its
 * windows fall to nothing while it waits, the shard leaves load after its second, and the flood returns to a shard
 * that answers it in full (issue 13's last figure: P95 5x in one run of two). So the hold itself follows the flood:
 * a shard that goes under load again within {@link #REENTRY_NS} of leaving it doubles its hold (up to
 * {@link #MAX_HOLD_NS}), and only a shard that stayed out of load that long starts again from {@link #HOLD_NS}. A
 * flood that comes back every few seconds therefore keeps the shard under load after its second or third return,
 * while a single burst still costs honest initiators a cookie round trip for one second only.
 *
 * <p>The window's length is counted as the time the shard's thread could run: the driver reports how long the thread
 * waited, runnable, for a CPU ({@link #onRunQueueDelay}, from Linux's schedstat), and that is taken off the window
 * (down to a tenth of it). On a machine whose cores are busy with other work a flood that costs a fifth of the wall
 * time may cost all the time the thread gets, and every answer already waits behind it: measured on the wall time,
 * the defence never engaged there (docs/benchmarks.md, load average 20 on 2 cores).
 *
 * <p>Under load it also decides the difficulty of the {@link AdmissionPuzzle}: cookies are not enough when the
 * handshakes the shard still does in full (valid mac2, within the rate limits: many addresses, or addresses that
 * really receive) cost half the budget or more in a window. Then Molia initiations need a solved puzzle, of
 * {@link AdmissionPuzzle#MIN_BITS} at first and one bit harder (twice the work) for each further such window, up to
 * {@link AdmissionPuzzle#MAX_BITS}; a bit easier after each {@link #CALM_WINDOWS} windows under an eighth of the
 * budget, never under the minimum while under load; no puzzle once the shard leaves load.
 */
final class HandshakeLoad {
    static final long WINDOW_NS = 100_000_000L;
    static final long HOLD_NS = 1_000_000_000L;
    /** The longest hold a returning flood earns: long enough to outlast any initiator's retransmission timer. */
    static final long MAX_HOLD_NS = 32_000_000_000L;
    /** Going under load again this soon after leaving it doubles the hold; a longer quiet spell resets it. */
    static final long REENTRY_NS = 10_000_000_000L;
    /**
     * A fifth of the shard's thread: the rest stays for the requests of the peers it already has. At half, a flood
     * from one process on this 2-core machine (14-43 % of node 0's thread) never set it off while honest lookups
     * through node 0 slowed 5-8x; at a fifth it did, and they stayed within 1.5x (docs/benchmarks.md).
     */
    static final double DEFAULT_BUDGET = 0.2;
    /** A handshake is four X25519 operations and some hashing: a few hundred µs; more is idle time measured. */
    static final long MAX_COST_NS = 2_000_000L;
    /** Under load, a window over this fraction of the budget keeps the shard under load. */
    static final int STAY_DIVISOR = 4;
    /** Windows in a row of little full-handshake work before the puzzle gets a bit easier. */
    static final int CALM_WINDOWS = 10;
    private static final long NONE = Long.MIN_VALUE;

    private final SessionCounters counters;
    private double budget = DEFAULT_BUDGET;
    private boolean forced;
    private long windowStartNs = NONE;
    private int offered;
    private long windowMinGapNs = Long.MAX_VALUE;
    private long costNs;
    private long workStartedNs = NONE;
    private long lastOverBudgetNs = NONE;
    private long holdNs = HOLD_NS;
    private boolean wasUnderLoad;
    private int handled;
    private int puzzleBits;
    private int forcedPuzzleBits;
    private int calmWindows;
    private long runQueueDelayNs = NONE;
    private long windowStartRunQueueDelayNs = NONE;

    HandshakeLoad(SessionCounters counters) {
        this.counters = counters;
    }

    /** A share of the thread (0 &lt; budget); 0 turns the measured signal off (only {@link #force} then). */
    void setBudget(double budget) {
        if (!(budget >= 0)) {
            throw new IllegalArgumentException("a handshake CPU budget is a share of a thread, at least 0");
        }
        this.budget = budget;
    }

    /** Under load whatever the measure says (the driver's own signal, tests). */
    void force(boolean underLoad) {
        this.forced = underLoad;
    }

    /** Every datagram, first: ends the measurement of the handshake before it, and rolls the window. */
    void onDatagram(long nowNs) {
        if (workStartedNs != NONE) {
            long gap = nowNs - workStartedNs;
            if (gap > 0 && gap < windowMinGapNs) { // 0: a clock read once per batch, which measures nothing
                windowMinGapNs = gap;
            }
            workStartedNs = NONE;
        }
        if (windowStartNs == NONE) {
            windowStartNs = nowNs;
            return;
        }
        long elapsed = nowNs - windowStartNs;
        if (elapsed >= WINDOW_NS) {
            endWindow(nowNs, elapsed);
        }
    }

    /** An initiation with a valid mac1 arrived (whatever its fate): demand. */
    void onOffered() {
        offered++;
    }

    /** The datagram given at {@code nowNs} is an initiation this shard handles in full: its cost is measured. */
    void onFullHandshake(long nowNs) {
        workStartedNs = nowNs;
        handled++;
    }

    /** The shard thread's cumulative run-queue delay (ns), as the driver last read it. */
    void onRunQueueDelay(long cumulativeNs) {
        runQueueDelayNs = cumulativeNs;
        if (windowStartRunQueueDelayNs == NONE) {
            windowStartRunQueueDelayNs = cumulativeNs;
        }
    }

    /** Puzzles of this difficulty whatever the measure says (tests); 0: back to the measure. */
    void forcePuzzle(int bits) {
        this.forcedPuzzleBits = bits;
    }

    /** The difficulty a Molia initiation's puzzle must have now; 0 while no puzzle is asked. */
    int puzzleBits(long nowNs) {
        if (forcedPuzzleBits > 0) {
            return forcedPuzzleBits;
        }
        return underLoad(nowNs) ? puzzleBits : 0;
    }

    boolean underLoad(long nowNs) {
        return forced || (lastOverBudgetNs != NONE && nowNs - lastOverBudgetNs < holdNs);
    }

    /** How long this shard stays under load after its last window over budget (it grows while a flood returns). */
    long holdNs() {
        return holdNs;
    }

    private void endWindow(long nowNs, long elapsed) {
        if (windowMinGapNs != Long.MAX_VALUE) {
            long risen = costNs + costNs / 16;
            costNs = Math.min(MAX_COST_NS, costNs == 0 ? windowMinGapNs : Math.min(windowMinGapNs, risen));
        }
        long runnableNs = elapsed;
        if (windowStartRunQueueDelayNs != NONE) {
            long waitedNs = runQueueDelayNs - windowStartRunQueueDelayNs;
            runnableNs = Math.max(elapsed / 10, elapsed - Math.max(0, waitedNs));
            windowStartRunQueueDelayNs = runQueueDelayNs;
        }
        counters.handshakeRunnablePermille = runnableNs * 1000 / elapsed;
        long loadPermille = offered * costNs * 1000 / runnableNs;
        long thresholdPermille = (long) (budget * 1000) / (underLoad(nowNs) ? STAY_DIVISOR : 1);
        boolean over = budget > 0 && loadPermille >= Math.max(1, thresholdPermille);
        if (over && !underLoad(nowNs)) {
            // It left load when its last hold ran out.
            boolean returning = lastOverBudgetNs != NONE && nowNs - (lastOverBudgetNs + holdNs) < REENTRY_NS;
            holdNs = returning ? Math.min(MAX_HOLD_NS, 2 * holdNs) : HOLD_NS;
        }
        if (over) {
            lastOverBudgetNs = nowNs;
        }
        boolean now = underLoad(nowNs);
        if (now && !wasUnderLoad) {
            counters.underLoadPeriods++;
        }
        // Only a window spent wholly under load says whether cookies were enough: the one that set it off was
        // full handshakes for everyone.
        adaptPuzzle(now, wasUnderLoad && now, handled * costNs * 1000 / runnableNs);
        wasUnderLoad = now;
        counters.handshakeLoadPermille = loadPermille;
        counters.handshakeCostNs = costNs;
        counters.underLoadHoldNs = holdNs;
        counters.underLoad = now ? 1 : 0;
        windowStartNs = nowNs;
        offered = 0;
        handled = 0;
        windowMinGapNs = Long.MAX_VALUE;
    }

    private void adaptPuzzle(boolean underLoad, boolean wholeWindow, long handledPermille) {
        long budgetPermille = (long) (budget * 1000);
        if (!underLoad || budgetPermille == 0) {
            puzzleBits = 0;
            calmWindows = 0;
        } else if (!wholeWindow) {
            return;
        } else if (handledPermille * 2 >= budgetPermille) {
            puzzleBits = puzzleBits == 0 ? AdmissionPuzzle.MIN_BITS
                    : Math.min(AdmissionPuzzle.MAX_BITS, puzzleBits + 1);
            calmWindows = 0;
        } else if (puzzleBits > AdmissionPuzzle.MIN_BITS && handledPermille * 8 < budgetPermille
                && ++calmWindows >= CALM_WINDOWS) {
            puzzleBits--;
            calmWindows = 0;
        }
        counters.puzzleBits = puzzleBits;
    }
}
