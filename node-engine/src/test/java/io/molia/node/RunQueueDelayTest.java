package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The calling thread's run-queue delay, from the real /proc of this Linux machine. */
class RunQueueDelayTest {
    private static long fromFile() throws Exception {
        return Long.parseLong(Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split(" ")[1]);
    }

    @Test
    void eachDueReadIsFreshAndReadsBetweenPeriodsReportNothing() throws Exception {
        try (RunQueueDelay delay = new RunQueueDelay()) {
            long before = fromFile();
            long first = delay.readIfDue(0);
            assertTrue(first >= before && first <= fromFile(), "the thread's delay now: " + first);
            assertEquals(-1, delay.readIfDue(RunQueueDelay.PERIOD_NS - 1), "not due yet");
            for (int i = 0; i < 50; i++) {
                Thread.sleep(1); // every wakeup waits a little on the run queue
            }
            long between = fromFile();
            long second = delay.readIfDue(RunQueueDelay.PERIOD_NS);
            assertTrue(between > first, "50 wakeups added run-queue delay: " + first + " -> " + between);
            assertTrue(second >= between, "read afresh from the same file, not the first read's text: " + second
                    + " < " + between);
        }
    }

    @Test
    @Tag("allocation")
    void aReadAllocatesNothingOnceOpen() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (RunQueueDelay delay = new RunQueueDelay()) {
            long sum = 0;
            for (int i = 0; i < 20_000; i++) {
                sum += delay.readIfDue(i * RunQueueDelay.PERIOD_NS); // warm: the JIT compiles the read
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 20_000; i < 21_000; i++) {
                sum += delay.readIfDue(i * RunQueueDelay.PERIOD_NS);
            }
            long perRead = (threads.getCurrentThreadAllocatedBytes() - before) / 1_000;
            assertTrue(sum > 0);
            assertEquals(0, perRead, "bytes per read");
        }
    }
}
