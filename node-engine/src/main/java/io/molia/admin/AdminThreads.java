package io.molia.admin;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admin socket's own threads (acceptors, each connection's reader and writer, the stream scheduler) and the CPU
 * time they used, ended threads included: the {@code admin_threads_cpu_ns} figure, which shows what watching a node
 * costs it. Thread-safe.
 */
final class AdminThreads {
    private final Set<Thread> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong endedCpuNs = new AtomicLong();

    /** Counts {@code t} as one of the admin's threads from now on. */
    void add(Thread t) {
        live.add(t);
    }

    /** The calling connection thread ends: its CPU time moves to the ended total. */
    void retireCurrent() {
        long ns = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        if (live.remove(Thread.currentThread()) && ns > 0) {
            endedCpuNs.addAndGet(ns);
        }
    }

    /** CPU time of the admin socket's own threads (accept, connections, streams), ended ones included. */
    long cpuNs() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long total = endedCpuNs.get();
        for (Thread t : live) {
            long ns = mx.getThreadCpuTime(t.threadId());
            if (ns > 0) {
                total += ns;
            }
        }
        return total;
    }
}
