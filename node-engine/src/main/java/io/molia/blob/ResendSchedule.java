package io.molia.blob;

/**
 * A request frame (a FETCH, a PROBE) sent again until it is answered: first after {@code firstNs}, then after twice
 * as long each time, {@code attempts} sends in all. One schedule for both, so they back off alike.
 *
 * <p>Owned by the thread of its {@link BlobTransfers}; not thread-safe.
 */
final class ResendSchedule {
    /** What {@link #onTimer} says to do now. */
    static final int WAIT = 0;
    static final int SEND_AGAIN = 1;
    static final int GIVE_UP = 2;

    final byte[] frame;
    private final long firstNs;
    private final int attempts;
    private int sent = 1;
    private long dueNs;

    /** The frame was sent once at {@code nowNs}. */
    ResendSchedule(byte[] frame, long firstNs, int attempts, long nowNs) {
        this.frame = frame;
        this.firstNs = firstNs;
        this.attempts = attempts;
        this.dueNs = nowNs + firstNs;
    }

    long dueNs() {
        return dueNs;
    }

    /** At {@code nowNs}: wait, send {@link #frame} again (the next time is set), or give up (every send is spent). */
    int onTimer(long nowNs) {
        if (nowNs < dueNs) {
            return WAIT;
        }
        if (sent >= attempts) {
            return GIVE_UP;
        }
        sent++;
        dueNs = nowNs + (firstNs << (sent - 1));
        return SEND_AGAIN;
    }
}
