package io.molia.relay;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What birthday punches ({@link BirthdayPunch}) cost and won on this node: every socket, probe and attempt is
 * counted, so the budget per attempt ({@link BirthdayPunch#SOCKETS} sockets or {@link BirthdayPunch#SPRAY} probes,
 * {@link BirthdayPunch#WINDOW_NS}) can be checked against what was spent. Thread-safe.
 */
public final class BirthdayCounters {
    /** Attempts as the symmetric end (sockets opened) and as the port-restricted end (a spray). */
    public final AtomicLong opened = new AtomicLong();
    public final AtomicLong sprayed = new AtomicLong();
    /** Sockets opened and probes sent, both ends together. */
    public final AtomicLong sockets = new AtomicLong();
    public final AtomicLong probes = new AtomicLong();
    /** Attempts as the symmetric end that a spray probe reached (a hit), and that ended their window without. */
    public final AtomicLong hits = new AtomicLong();
    public final AtomicLong misses = new AtomicLong();
    /** Attempts not made: one was running already, or the node holds its most punched sockets. */
    public final AtomicLong refused = new AtomicLong();
    /** Probes that reached a shard's socket (never answered: a stranger's, or a spray that met no open port). */
    public final AtomicLong stray = new AtomicLong();
}
