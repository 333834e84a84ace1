package io.molia.contact;

import io.molia.crypto.Blake3;

/**
 * The static proof of work on an identity (DESIGN §3.5): a contact is valid only if BLAKE3(node ID ‖ nonce), the
 * nonce as 8 big-endian bytes, starts with at least {@link #bits()} zero bits. {@code c} is a network parameter:
 * choosing an ID costs 2^c hashes once, and an ID near a chosen target 2^(prefix bits) candidate keys more: the proof
 * binds an ID but does not choose it (measured in the simulator: docs/benchmarks.md, "Sybils around the keys").
 *
 * <p>A check costs one BLAKE3 of 40 bytes; identities that passed are remembered in a small direct-mapped table
 * (their ID words and nonce), so a peer met again costs a few compares and nothing is allocated either way. Pairs
 * that failed are remembered in a second, smaller table of their own: a client without the work (answered, never
 * learned) costs one hash per session rather than one per request, and a stream of forged pairs evicts only other
 * forged pairs, never the honest. Owned by one thread (a shard, the simulator loop); not thread-safe.
 */
public final class ProofOfWork {
    /** Leading zero bits the public network asks for: 2^25 hashes, about 10 s of one core here (docs/benchmarks.md). */
    public static final int DEFAULT_BITS = 25;
    /** More than this is not a proof anyone can compute. */
    public static final int MAX_BITS = 64;
    public static final int INPUT_BYTES = NodeId.BYTES + Long.BYTES;
    private static final int CACHE_SLOTS = 1024;
    private static final int REFUSED_SLOTS = 256;
    private static final int SLOT_LONGS = 5;

    private final int bits;
    private final Blake3 blake3 = new Blake3();
    private final byte[] input = new byte[INPUT_BYTES];
    private final byte[] hash = new byte[Blake3.OUTPUT_BYTES];
    /**
     * Per slot: the four ID words and the nonce of an identity that passed; a zero ID marks an empty slot. Empty when
     * no work is asked (nothing to remember; 40 KiB per core, 4 GiB in a 100k-node simulation).
     */
    private final long[] cache;
    /** The same for pairs that failed (10 KiB per core). */
    private final long[] refused;
    private long hashes;

    public ProofOfWork(int bits) {
        if (bits < 0 || bits > MAX_BITS) {
            throw new IllegalArgumentException("proof-of-work bits must be in 0.." + MAX_BITS + ", got " + bits);
        }
        this.bits = bits;
        this.cache = new long[bits == 0 ? 0 : CACHE_SLOTS * SLOT_LONGS];
        this.refused = new long[bits == 0 ? 0 : REFUSED_SLOTS * SLOT_LONGS];
    }

    /** BLAKE3 checks computed so far: the pairs neither table remembered. */
    public long hashes() {
        return hashes;
    }

    public int bits() {
        return bits;
    }

    public boolean valid(Contact c) {
        return valid(c.id(), c.powNonce());
    }

    /** Whether {@code nonce} proves {@link #bits()} of work on {@code id}; allocation-free. */
    public boolean valid(NodeId id, long nonce) {
        if (bits == 0) {
            return true;
        }
        long w0 = id.word(0);
        long w1 = id.word(1);
        long w2 = id.word(2);
        long w3 = id.word(3);
        long mix = w0 ^ w3 ^ nonce;
        int slot = (int) (mix & (CACHE_SLOTS - 1)) * SLOT_LONGS;
        if (holds(cache, slot, w0, w1, w2, w3, nonce)) {
            return true;
        }
        int refusedSlot = (int) (mix & (REFUSED_SLOTS - 1)) * SLOT_LONGS;
        if (holds(refused, refusedSlot, w0, w1, w2, w3, nonce)) {
            return false;
        }
        hashes++;
        boolean valid = leadingZeroBits(blake3, id, nonce, input, hash) >= bits;
        long[] table = valid ? cache : refused;
        int at = valid ? slot : refusedSlot;
        table[at] = w0;
        table[at + 1] = w1;
        table[at + 2] = w2;
        table[at + 3] = w3;
        table[at + 4] = nonce;
        return valid;
    }

    /** Whether {@code table}'s slot at {@code at} remembers this pair; a zero ID marks an empty slot. */
    private static boolean holds(long[] table, int at, long w0, long w1, long w2, long w3, long nonce) {
        return table[at] == w0 && table[at + 1] == w1 && table[at + 2] == w2 && table[at + 3] == w3
                && table[at + 4] == nonce && (w0 | w1 | w2 | w3) != 0;
    }

    /**
     * Leading zero bits of BLAKE3(id ‖ nonce): {@code input} is a reusable buffer of {@link #INPUT_BYTES},
     * {@code hash} one of 32 bytes.
     */
    public static int leadingZeroBits(Blake3 blake3, NodeId id, long nonce, byte[] input, byte[] hash) {
        id.writeTo(input, 0);
        writeNonce(input, nonce);
        blake3.hash(input, 0, INPUT_BYTES, hash, 0);
        return leadingZeroBits(hash);
    }

    /** The nonce written big-endian after the ID in an input buffer of {@link #INPUT_BYTES}. */
    public static void writeNonce(byte[] input, long nonce) {
        for (int i = 0; i < Long.BYTES; i++) {
            input[NodeId.BYTES + i] = (byte) (nonce >>> (56 - 8 * i));
        }
    }

    /** Leading zero bits of a 32-byte hash, counted from its first byte's most significant bit (at most 64). */
    public static int leadingZeroBits(byte[] hash) {
        long head = NodeId.readLong(hash, 0);
        return Long.numberOfLeadingZeros(head);
    }

    /** Leading zero bits of BLAKE3(id ‖ nonce), for cold paths (start, keygen, tools). */
    public static int leadingZeroBits(NodeId id, long nonce) {
        return leadingZeroBits(new Blake3(), id, nonce, new byte[INPUT_BYTES], new byte[Blake3.OUTPUT_BYTES]);
    }
}
