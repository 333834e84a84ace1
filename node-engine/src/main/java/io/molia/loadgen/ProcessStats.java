package io.molia.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of another process on this machine, from /proc (Linux). */
final class ProcessStats {
    private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private ProcessStats() {
    }

    /** utime + stime of {@code pid} in microseconds (/proc/PID/stat fields 14 and 15). */
    static double cpuMicros(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * (1e6 / TICKS_PER_SECOND);
    }

    /** Resident set size of {@code pid} in KiB, or -1 when /proc does not say. */
    static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** This process's CPU time in nanoseconds. */
    static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
