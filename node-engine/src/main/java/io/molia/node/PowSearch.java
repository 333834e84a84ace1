package io.molia.node;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import io.molia.contact.NodeId;
import io.molia.contact.ProofOfWork;
import io.molia.crypto.Blake3;

/**
 * Searches a nonce that proves {@code bits} of work on an identity ({@link ProofOfWork}), on several threads.
 * Threads claim chunks of {@link #CHUNK} nonces in increasing order, so every nonce below the lowest chunk still in
 * progress has been tried: that {@link #resumeFrom() watermark} is what an interrupted search saves, and a resumed one
 * starts there (repeating at most a chunk per thread). Progress is read from other threads while it runs.
 */
public final class PowSearch {
    /** Nonces a thread claims at once: a few milliseconds of work. */
    public static final long CHUNK = 1 << 14;
    private static final long NOT_FOUND = -1;

    private final NodeId id;
    private final int bits;
    private final AtomicLong nextChunk;
    private final AtomicLong tried = new AtomicLong();
    private final AtomicLong found = new AtomicLong(NOT_FOUND);
    private final AtomicBoolean stop = new AtomicBoolean();
    /** Per thread: the first nonce of the chunk it works on, or Long.MAX_VALUE when it works on none. */
    private final AtomicLongArray inProgress;
    private final List<Thread> threads = new ArrayList<>();
    private final long startAt;

    /** A search for {@code id} that starts at nonce {@code startAt} (0, or a saved {@link #resumeFrom()}). */
    public PowSearch(NodeId id, int bits, int threadCount, long startAt) {
        if (bits < 0 || bits > ProofOfWork.MAX_BITS || threadCount < 1 || startAt < 0) {
            throw new IllegalArgumentException("bits " + bits + ", threads " + threadCount + ", start " + startAt);
        }
        this.id = id;
        this.bits = bits;
        this.startAt = startAt;
        this.nextChunk = new AtomicLong(startAt);
        this.inProgress = new AtomicLongArray(threadCount);
        for (int i = 0; i < threadCount; i++) {
            inProgress.set(i, Long.MAX_VALUE);
            int slot = i;
            Thread t = new Thread(() -> work(slot), "molia-pow-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    /** Starts the threads; returns at once. */
    public PowSearch start() {
        threads.forEach(Thread::start);
        return this;
    }

    /** Waits up to {@code millis} for the end (found or stopped); true when it ended. */
    public boolean await(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** Asks the threads to stop (Ctrl-C); {@link #await} then returns soon. */
    public void stop() {
        stop.set(true);
    }

    /** The nonce found, or -1 while none is. */
    public long found() {
        return found.get();
    }

    /** Nonces tried by this search (not counting those a previous run tried). */
    public long tried() {
        return tried.get();
    }

    /** Where a new search may resume: every nonce below it, from {@code startAt}, was tried. */
    public long resumeFrom() {
        synchronized (inProgress) {
            long min = nextChunk.get();
            for (int i = 0; i < inProgress.length(); i++) {
                min = Math.min(min, inProgress.get(i));
            }
            return min;
        }
    }

    /** Nonces tried since nonce 0, over this run and the runs it resumed. */
    public long triedOverall() {
        return startAt + tried.get();
    }

    private void work(int slot) {
        Blake3 blake3 = new Blake3();
        byte[] input = new byte[ProofOfWork.INPUT_BYTES];
        byte[] hash = new byte[Blake3.OUTPUT_BYTES];
        id.writeTo(input, 0);
        while (!stop.get() && found.get() == NOT_FOUND) {
            long first = claim(slot);
            for (long nonce = first; nonce < first + CHUNK; nonce++) {
                ProofOfWork.writeNonce(input, nonce);
                blake3.hash(input, 0, ProofOfWork.INPUT_BYTES, hash, 0);
                if (ProofOfWork.leadingZeroBits(hash) >= bits) {
                    found.compareAndSet(NOT_FOUND, nonce);
                    break;
                }
            }
            tried.addAndGet(CHUNK);
            inProgress.set(slot, Long.MAX_VALUE);
        }
    }

    /** The next chunk, marked in progress before it leaves the counter: the watermark never passes it. */
    private long claim(int slot) {
        synchronized (inProgress) {
            long first = nextChunk.getAndAdd(CHUNK);
            inProgress.set(slot, first);
            return first;
        }
    }
}
