package io.molia.core;

import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;

/**
 * Write tokens (DESIGN §3.5, as BitTorrent's BEP 5 tokens): a node answers FIND_NODE and FIND_VALUE with a token
 * for the asker, and accepts a write (STORE, and the record writes to come) only with a token it issued to that
 * same writer. So a writer must have received at its own address before it writes: a spoofed source cannot store,
 * and a write costs a round trip first.
 *
 * <p>A token is 8 bytes: the low 8 bits of its epoch (a {@link #ROTATION_NS} period of the node's monotonic clock)
 * in the top byte, then 56 bits of BLAKE3(secret ‖ epoch ‖ writer's address ‖ writer's ID). Every shard of a node
 * holds the node's one {@link Secret} and the same clock, so all issue and check the same tokens with no shared
 * state: a token issued by the shard that answered a FIND_NODE is good on the shard that owns the key. Tokens of
 * the current and the previous epoch are accepted (5 to 10 minutes); an older one is {@link Check#EXPIRED}.
 *
 * <p>Issuing and checking allocate nothing (but the table's few doublings). A writer asking again within an epoch
 * (the neighbours that look up through this node all day) gets its token from a small direct-mapped table instead of
 * a BLAKE3 of 90 bytes (about a microsecond). Owned by one thread (a shard's core); not thread-safe.
 */
public final class WriteTokens {
    /** How often the secret rotates; a token stays valid one to two periods. */
    public static final long ROTATION_NS = TimeUnit.MINUTES.toNanos(5);
    /** Epochs back a token is still recognised as once valid (and refused as expired), beyond the accepted two. */
    private static final int EXPIRED_EPOCHS_RECOGNISED = 4;
    private static final int EPOCH_BITS = 8;
    private static final long MAC_MASK = -1L >>> EPOCH_BITS;
    private static final int INPUT_BYTES = Secret.BYTES + Long.BYTES + NodeAddress.IPV6_WIRE_BYTES + NodeId.BYTES;
    private static final int CACHE_SLOTS = 1024;
    /** A core starts with this many slots: most simulated cores meet few writers, and 100k of them hold tables. */
    private static final int INITIAL_CACHE_SLOTS = 64;
    /** Per slot: the writer's four ID words, its address (high, low, port), the epoch, and the token. */
    private static final int SLOT_LONGS = 9;

    /** What {@link #check} made of a write's token. */
    public enum Check {
        VALID, MISSING, EXPIRED, INVALID;

        /** The {@code reason} label of a refusal in metrics. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A node's secret: 32 random bytes drawn once at start, shared read-only by its shards. Immutable. */
    public static final class Secret {
        public static final int BYTES = 32;
        private final byte[] bytes;

        public Secret(byte[] bytes) {
            if (bytes.length != BYTES) {
                throw new IllegalArgumentException("a write-token secret is 32 bytes, got " + bytes.length);
            }
            this.bytes = bytes.clone();
        }
    }

    private final Blake3 blake3 = new Blake3();
    private final byte[] input = new byte[INPUT_BYTES];
    private final byte[] hash = new byte[Blake3.OUTPUT_BYTES];
    private long[] issued = new long[INITIAL_CACHE_SLOTS * SLOT_LONGS];
    private int missesSinceGrown;

    public WriteTokens(Secret secret) {
        System.arraycopy(secret.bytes, 0, input, 0, Secret.BYTES);
    }

    /** The token for a writer at {@code address} with ID {@code writer}, as of {@code nowNs}. */
    public long issue(long nowNs, NodeAddress address, NodeId writer) {
        long epoch = epoch(nowNs);
        long w0 = writer.word(0);
        long w1 = writer.word(1);
        long w2 = writer.word(2);
        long w3 = writer.word(3);
        long[] c = issued;
        int slot = (int) ((w0 ^ address.lo() ^ address.port()) & (c.length / SLOT_LONGS - 1)) * SLOT_LONGS;
        if (c[slot + 8] != 0 && c[slot] == w0 && c[slot + 1] == w1 && c[slot + 2] == w2 && c[slot + 3] == w3
                && c[slot + 4] == address.hi() && c[slot + 5] == address.lo() && c[slot + 6] == address.port()
                && c[slot + 7] == epoch) {
            return c[slot + 8];
        }
        long token = (epoch << (64 - EPOCH_BITS)) | mac(epoch, address, writer);
        if (++missesSinceGrown > c.length / SLOT_LONGS && c.length < CACHE_SLOTS * SLOT_LONGS) {
            // As many misses as slots: more writers than the table holds. Twice the slots, empty (tokens recompute).
            c = new long[2 * c.length];
            issued = c;
            missesSinceGrown = 0;
            slot = (int) ((w0 ^ address.lo() ^ address.port()) & (c.length / SLOT_LONGS - 1)) * SLOT_LONGS;
        }
        c[slot] = w0;
        c[slot + 1] = w1;
        c[slot + 2] = w2;
        c[slot + 3] = w3;
        c[slot + 4] = address.hi();
        c[slot + 5] = address.lo();
        c[slot + 6] = address.port();
        c[slot + 7] = epoch;
        c[slot + 8] = token;
        return token;
    }

    /** Whether {@code token} was issued to this writer lately, or why not. */
    public Check check(long nowNs, NodeAddress address, NodeId writer, long token) {
        if (token == 0) {
            return Check.MISSING;
        }
        long now = epoch(nowNs);
        long epochLow = token >>> (64 - EPOCH_BITS);
        long age = (now - epochLow) & ((1L << EPOCH_BITS) - 1); // epochs since the one in the token, mod 256
        if (age > 1 + EXPIRED_EPOCHS_RECOGNISED) {
            return Check.INVALID; // from the future, or too old to tell from a forgery
        }
        long epoch = now - age;
        if ((token & MAC_MASK) != mac(epoch, address, writer)) {
            return Check.INVALID; // forged, or issued to another address or ID
        }
        return age <= 1 ? Check.VALID : Check.EXPIRED;
    }

    private static long epoch(long nowNs) {
        return Math.floorDiv(nowNs, ROTATION_NS);
    }

    private long mac(long epoch, NodeAddress address, NodeId writer) {
        int p = Secret.BYTES;
        for (int i = 0; i < Long.BYTES; i++) {
            input[p++] = (byte) (epoch >>> (56 - 8 * i));
        }
        p = address.writeTo(input, p);
        writer.writeTo(input, p);
        p += NodeId.BYTES;
        blake3.hash(input, 0, p, hash, 0);
        return NodeId.readLong(hash, 0) & MAC_MASK;
    }
}
