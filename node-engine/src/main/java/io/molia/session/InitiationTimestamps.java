package io.molia.session;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.random.RandomGenerator;

import io.molia.crypto.Blake2s;

/**
 * The replay rule for handshake initiations, node-wide (DESIGN §3.4): an initiation is accepted only if its TAI64N
 * timestamp lies within {@link #windowNs()} of the responder's wall clock and is newer than every timestamp accepted
 * before from the same static key, on any shard. WireGuard remembers the newest timestamp per configured peer for
 * ever; a DHT node meets unbounded numbers of keys, so it remembers them only while a replay could still pass the
 * window, in a table of fixed size shared by all shards.
 *
 * <p>Direct-mapped: a key's slot is a keyed BLAKE2s of the key (an outsider cannot aim keys at a victim's slot), and
 * a slot holds one immutable {@link Stamp} replaced by compare-and-set, so two shards offered the same initiation at
 * once accept it at most once, with no lock. When a key takes a slot another key holds, the evicted key's newest
 * timestamp raises the slot's floor: a key not in its slot is accepted only above the floor, so eviction never
 * reopens a replay (it can only make a newcomer whose clock lags the evicted one's wait for a fresher timestamp,
 * which its next retransmission, 5 s later, carries). Memory: {@code slots} references and at most as many
 * 32-byte stamps; evictions are counted by the caller ({@link #check} says so).
 *
 * <p>Thread-safe (lock-free); called on every shard's loop for initiations that passed mac1 and the Noise checks.
 */
public final class InitiationTimestamps {
    /** Accepted: the timestamp is now the key's newest. */
    public static final int ACCEPTED = 0;
    /** Accepted, and another key's entry was evicted to make room (counted by the caller). */
    public static final int ACCEPTED_EVICTING = 1;
    /** Refused: not newer than what the key sent before (a replay, or an old retransmission). */
    public static final int REPLAYED = 2;
    /** Refused: the timestamp lies outside the freshness window of the responder's clock. */
    public static final int STALE = 3;

    /** Default window: honest clocks within two minutes of ours are accepted (Kerberos allows five). */
    public static final long DEFAULT_WINDOW_NS = 120_000_000_000L;
    /** Default table size: a node accepting 5,000 new keys a second for the window still finds most in place. */
    public static final int DEFAULT_SLOTS = 1 << 17;

    /** A slot's content: the key that holds it, its newest timestamp, and the floor left by evicted keys. */
    private record Stamp(long fingerprint, long newestUnixNs, long floorUnixNs) {
    }

    private final AtomicReferenceArray<Stamp> slots;
    private final int mask;
    private final long windowNs;
    private final byte[] hashKey = new byte[32];

    /** {@code slots} a power of two; {@code random} only seeds the secret that places keys in slots. */
    public InitiationTimestamps(int slots, long windowNs, RandomGenerator random) {
        if (slots < 1 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two");
        }
        if (windowNs <= 0) {
            throw new IllegalArgumentException("the freshness window must be positive");
        }
        this.slots = new AtomicReferenceArray<>(slots);
        this.mask = slots - 1;
        this.windowNs = windowNs;
        random.nextBytes(hashKey);
    }

    public long windowNs() {
        return windowNs;
    }

    /**
     * Checks the initiation timestamp {@code tai64n[off, off + 12)} from static key {@code remoteStatic} against the
     * responder's wall clock {@code unixNanos} and records it when accepted. Returns {@link #ACCEPTED},
     * {@link #ACCEPTED_EVICTING}, {@link #REPLAYED} or {@link #STALE}. Call last, once every other check passed:
     * an accepted timestamp can never be accepted again.
     */
    public int check(Blake2s blake2s, byte[] remoteStatic, byte[] tai64n, int off, long unixNanos) {
        long ts = Tai64n.toUnixNanos(tai64n, off);
        if (ts == Long.MIN_VALUE || ts < unixNanos - windowNs || ts > unixNanos + windowNs) {
            return STALE;
        }
        byte[] h = new byte[Blake2s.MAC_BYTES];
        blake2s.mac(hashKey, remoteStatic, 0, remoteStatic.length, h, 0);
        long fingerprint = WireGuardConstants.readLongLe(h, 0);
        int slot = (int) WireGuardConstants.readLongLe(h, 8) & mask;
        while (true) {
            Stamp old = slots.get(slot);
            Stamp next;
            boolean evicting = false;
            if (old == null) {
                next = new Stamp(fingerprint, ts, Long.MIN_VALUE);
            } else if (old.fingerprint == fingerprint) {
                if (ts <= old.newestUnixNs) {
                    return REPLAYED;
                }
                next = new Stamp(fingerprint, ts, old.floorUnixNs);
            } else {
                if (ts <= old.floorUnixNs) {
                    return REPLAYED; // this key may have been evicted from here with a timestamp this new
                }
                // An entry already outside the window protects nothing: the window refuses its replays.
                evicting = old.newestUnixNs >= unixNanos - windowNs;
                next = new Stamp(fingerprint, ts, Math.max(old.floorUnixNs, old.newestUnixNs));
            }
            if (slots.compareAndSet(slot, old, next)) {
                return evicting ? ACCEPTED_EVICTING : ACCEPTED;
            }
        }
    }
}
