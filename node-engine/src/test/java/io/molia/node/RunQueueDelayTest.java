package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calling thread's run-queue delay, from the real /proc of this Linux machine. */
class RunQueueDelayTest {
    private static long fromFile() throws Exception {
        return Long.parseLong(Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split(" ")[1]);
    }

    @Test
    void aDueReadIsTheCallingThreadsDelayNow() throws Exception {
        try (RunQueueDelay delay = new RunQueueDelay()) {
            long before = fromFile();
            long read = delay.readIfDue(0);
            assertTrue(read >= before && read <= fromFile(), "the thread's delay now: " + read);
            assertEquals(-1, delay.readIfDue(RunQueueDelay.PERIOD_NS - 1), "not due yet");
        }
    }

    @Test
    void eachDueReadRereadsTheFileFromItsStart(@TempDir Path dir) throws Exception {
        Path stat = dir.resolve("schedstat");
        Files.writeString(stat, "1000 20 3\n");
        try (RunQueueDelay delay = new RunQueueDelay(stat)) {
            assertEquals(20, delay.readIfDue(0));
            Files.writeString(stat, "2000 4500 7\n");
            assertEquals(-1, delay.readIfDue(1), "not due yet");
            assertEquals(4500, delay.readIfDue(RunQueueDelay.PERIOD_NS), "the text now, not the first read's");
            Files.writeString(stat, "garbage\n");
            assertEquals(-1, delay.readIfDue(2 * RunQueueDelay.PERIOD_NS), "an unreadable file stops the reads");
            Files.writeString(stat, "1 2 3\n");
            assertEquals(-1, delay.readIfDue(3 * RunQueueDelay.PERIOD_NS), "for good");
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
