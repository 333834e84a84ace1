package io.molia.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * The allocation check of STYLE.md's "prove it": a warmed-up path, measured with the thread's allocated-bytes
 * counter, must allocate nothing. A late JIT recompilation may allocate once (deoptimisation rematerialises
 * objects), so up to five rounds are measured and one of them must allocate nothing at all.
 */
public final class SteadyStateAllocation {
    private static final int ROUNDS = 5;

    /** One measured round of the path: returns how many of its operations succeeded. */
    @FunctionalInterface
    public interface Round {
        long run(int round);
    }

    private SteadyStateAllocation() {
    }

    /** Runs {@code round} until one round of {@code operations} allocates 0 bytes; fails after five. */
    public static void assertAllocatesNothing(String what, long operations, Round round) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        long[] perRound = new long[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long before = threads.getThreadAllocatedBytes(thread);
            long done = round.run(r);
            perRound[r] = threads.getThreadAllocatedBytes(thread) - before;
            assertEquals(operations, done, "every one of " + operations + " " + what + " done");
            if (perRound[r] == 0) {
                return;
            }
        }
        throw new AssertionError("bytes allocated per round of " + operations + " " + what + ": "
                + Arrays.toString(perRound));
    }
}
