package io.molia.blob;

import java.util.concurrent.TimeUnit;

/**
 * Sends one object as a bulk transfer (DESIGN §3.4): numbered chunks under a congestion window, acknowledged
 * cumulatively and selectively by the receiver ({@link BulkReceiver}), lost chunks sent again. Sans-I/O: the caller
 * passes the time, polls frames, feeds acks and calls {@link #onTimer} at {@link #nextDeadlineNs}.
 *
 * <p>The window is AIMD in chunks: it starts at {@link #INITIAL_WINDOW}, grows by one chunk per acknowledged chunk
 * below the slow-start threshold and by one chunk per window above it, halves once per round trip that lost a chunk
 * (a chunk is lost when three chunks sent after it were acknowledged, or at the retransmission timeout, which also
 * drops the window to {@link #MIN_WINDOW}). It never exceeds {@link #MAX_WINDOW}, which is also how far past the
 * cumulative ack a chunk may be sent, so the receiver's 64-bit selective ack always describes the whole flight.
 * After {@link #MAX_TIMEOUTS} timeouts in a row without progress the transfer fails.
 *
 * <p>Owned by one thread; not thread-safe.
 */
public final class BulkSender {
    public static final int INITIAL_WINDOW = 4;
    public static final int MIN_WINDOW = 2;
    public static final int MAX_WINDOW = 64;
    public static final int MAX_TIMEOUTS = 6;
    /** Chunks acknowledged after a missing one before it counts as lost (TCP's duplicate-ack threshold). */
    private static final int REORDER_THRESHOLD = 3;
    private static final long INITIAL_RTO_NS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final long MIN_RTO_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_RTO_NS = TimeUnit.SECONDS.toNanos(4);
    private static final long NEVER = Long.MAX_VALUE;

    private final long transferId;
    private final byte[] object;
    private final int chunks;
    private final boolean[] acked;
    /** When each chunk was last sent; 0: not in flight (never sent, acknowledged, or declared lost). */
    private final long[] sentAtNs;
    /** Sequence numbers (of each chunk's last send) to tell which send an ack covers for loss detection. */
    private final long[] sendOrder;
    private final boolean[] retransmitted;
    private final boolean[] lost;
    private long sendCounter;
    /** Lowest chunk not yet acknowledged. */
    private int cumulative;
    /** Next chunk never sent. */
    private int nextNew;
    private int inFlight;
    private int lostPending;
    private int ackedCount;
    private double window = INITIAL_WINDOW;
    private double slowStartThreshold = MAX_WINDOW;
    /** A loss of a chunk sent before this send counter belongs to the round trip that already halved the window. */
    private long recoveryEnd;
    private long srttNs;
    private long rttVarNs;
    private long rtoNs = INITIAL_RTO_NS;
    private int timeoutsInARow;
    private boolean failed;
    private long chunksSent;
    private long chunksResent;
    private long lossEvents;
    private int maxInFlight;

    public BulkSender(long transferId, byte[] object) {
        if (object.length == 0) {
            throw new IllegalArgumentException("an empty object is not sent");
        }
        this.transferId = transferId;
        this.object = object;
        this.chunks = (int) BulkFrame.chunksFor(object.length);
        this.acked = new boolean[chunks];
        this.sentAtNs = new long[chunks];
        this.sendOrder = new long[chunks];
        this.retransmitted = new boolean[chunks];
        this.lost = new boolean[chunks];
    }

    public long transferId() {
        return transferId;
    }

    /**
     * Writes the next DATA frame the window allows into {@code out} (at least {@link BulkFrame#MAX_DATA_BYTES}) and
     * returns its length, or 0 when nothing may be sent now. Lost chunks go first, lowest first.
     */
    public int pollFrame(long nowNs, byte[] out, int off) {
        if (failed || done() || inFlight >= (int) window) {
            return 0;
        }
        int seq = -1;
        if (lostPending > 0) {
            for (int i = cumulative; i < chunks; i++) {
                if (lost[i]) {
                    seq = i;
                    lost[i] = false;
                    lostPending--;
                    retransmitted[i] = true;
                    chunksResent++;
                    break;
                }
            }
        }
        if (seq < 0) {
            if (nextNew >= chunks || nextNew >= cumulative + MAX_WINDOW) {
                return 0;
            }
            seq = nextNew++;
        }
        sentAtNs[seq] = Math.max(1, nowNs);
        sendOrder[seq] = ++sendCounter;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        chunksSent++;
        int at = seq * BulkFrame.CHUNK_PAYLOAD_BYTES;
        return BulkFrame.writeData(out, off, transferId, seq, chunks, object.length, object, at,
                BulkFrame.chunkBytes(object.length, seq));
    }

    /** An ACK frame of this transfer ({@link BulkFrame#check} passed); stale and duplicate acks are harmless. */
    public void onAck(long nowNs, byte[] in, int off) {
        if (failed || BulkFrame.transferId(in, off) != transferId) {
            return;
        }
        // Chunks never sent cannot have arrived: an ack naming them is wrong, and only the sent ones count.
        long cum = Math.min(BulkFrame.cumulative(in, off), nextNew);
        long selective = BulkFrame.selective(in, off);
        long newestAckedSend = 0;
        for (int i = cumulative; i < cum; i++) {
            newestAckedSend = Math.max(newestAckedSend, markAcked(nowNs, i));
        }
        for (int bit = 0; bit < 64; bit++) {
            long i = cum + 1 + bit;
            if ((selective & (1L << bit)) != 0 && i < nextNew) {
                newestAckedSend = Math.max(newestAckedSend, markAcked(nowNs, (int) i));
            }
        }
        while (cumulative < chunks && acked[cumulative]) {
            cumulative++;
        }
        if (newestAckedSend > 0) {
            timeoutsInARow = 0;
            detectLoss(newestAckedSend);
        }
    }

    /** Returns the send counter of the chunk's last send when this ack is news, else 0. */
    private long markAcked(long nowNs, int i) {
        if (acked[i]) {
            return 0;
        }
        acked[i] = true;
        ackedCount++;
        if (lost[i]) {
            lost[i] = false; // acknowledged after all: a late ack, not a loss
            lostPending--;
        }
        if (sentAtNs[i] != 0) {
            inFlight--;
            if (!retransmitted[i]) {
                sampleRtt(nowNs - sentAtNs[i]);
            }
            sentAtNs[i] = 0;
        }
        if (window < slowStartThreshold) {
            window = Math.min(MAX_WINDOW, window + 1);
        } else {
            window = Math.min(MAX_WINDOW, window + 1 / window);
        }
        return sendOrder[i];
    }

    /** Chunks in flight sent {@link #REORDER_THRESHOLD} sends before an acknowledged one are lost. */
    private void detectLoss(long newestAckedSend) {
        boolean newLoss = false;
        for (int i = cumulative; i < chunks && i < nextNew; i++) {
            if (!acked[i] && sentAtNs[i] != 0 && sendOrder[i] + REORDER_THRESHOLD <= newestAckedSend) {
                declareLost(i);
                if (sendOrder[i] > recoveryEnd) {
                    newLoss = true;
                }
            }
        }
        if (newLoss) {
            lossEvents++;
            slowStartThreshold = Math.max(MIN_WINDOW, window / 2);
            window = slowStartThreshold;
            recoveryEnd = sendCounter;
        }
    }

    private void declareLost(int i) {
        sentAtNs[i] = 0;
        inFlight--;
        lost[i] = true;
        lostPending++;
    }

    private void sampleRtt(long rttNs) {
        if (srttNs == 0) {
            srttNs = rttNs;
            rttVarNs = rttNs / 2;
        } else {
            rttVarNs = (3 * rttVarNs + Math.abs(srttNs - rttNs)) / 4;
            srttNs = (7 * srttNs + rttNs) / 8;
        }
        rtoNs = Math.clamp(srttNs + 4 * rttVarNs, MIN_RTO_NS, MAX_RTO_NS);
    }

    /** When {@link #onTimer} must run next: the retransmission timeout of the oldest chunk in flight. */
    public long nextDeadlineNs() {
        if (failed || done() || inFlight == 0) {
            return NEVER;
        }
        long oldest = NEVER;
        for (int i = cumulative; i < nextNew; i++) {
            if (sentAtNs[i] != 0) {
                oldest = Math.min(oldest, sentAtNs[i]);
            }
        }
        return oldest == NEVER ? NEVER : oldest + rtoNs;
    }

    /** At the retransmission timeout every chunk in flight is lost; the window drops and the timeout doubles. */
    public void onTimer(long nowNs) {
        if (nowNs < nextDeadlineNs()) {
            return;
        }
        if (++timeoutsInARow > MAX_TIMEOUTS) {
            failed = true;
            return;
        }
        for (int i = cumulative; i < nextNew; i++) {
            if (sentAtNs[i] != 0) {
                declareLost(i);
            }
        }
        lossEvents++;
        slowStartThreshold = Math.max(MIN_WINDOW, window / 2);
        window = MIN_WINDOW;
        recoveryEnd = sendCounter;
        rtoNs = Math.min(MAX_RTO_NS, rtoNs * 2);
    }

    public boolean done() {
        return ackedCount == chunks;
    }

    /** The receiver stopped answering: {@link #MAX_TIMEOUTS} timeouts in a row. */
    public boolean failed() {
        return failed;
    }

    public int chunks() {
        return chunks;
    }

    public int window() {
        return (int) window;
    }

    public int inFlight() {
        return inFlight;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public long chunksSent() {
        return chunksSent;
    }

    public long chunksResent() {
        return chunksResent;
    }

    public long lossEvents() {
        return lossEvents;
    }
}
