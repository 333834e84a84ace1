package io.molia.codec;

import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;

/**
 * The node IDs of public keys met before (ID = BLAKE3 of the key): a direct-mapped cache that spares hashing a key
 * again, each hit checked against the whole key. A {@link MessageCodec} hashes every contact it decodes unless given
 * one; the simulator gives one to all its nodes, which decode the same few hundred thousand keys over and over
 * (hashing them was 14 % of a 10k churn run's CPU).
 *
 * <p>Owned by one thread, like every codec that shares it; not thread-safe.
 */
public final class KnownIds {
    private final long[] keys;
    private final NodeId[] ids;
    private final int mask;

    /** A cache of {@code slots} keys (a power of two). */
    public KnownIds(int slots) {
        if (slots <= 0 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        keys = new long[4 * slots];
        ids = new NodeId[slots];
        mask = slots - 1;
    }

    /** The ID of the 32-byte key at {@code key[off]}: from the cache, or hashed (and cached). */
    NodeId idOf(Blake3 blake3, byte[] key, int off, byte[] scratch) {
        long k0 = NodeId.readLong(key, off);
        long k1 = NodeId.readLong(key, off + 8);
        long k2 = NodeId.readLong(key, off + 16);
        long k3 = NodeId.readLong(key, off + 24);
        int slot = (int) (k0 ^ k0 >>> 32) & mask; // a public key's bytes are already spread evenly
        int at = 4 * slot;
        NodeId id = ids[slot];
        if (id != null && keys[at] == k0 && keys[at + 1] == k1 && keys[at + 2] == k2 && keys[at + 3] == k3) {
            return id;
        }
        id = NodeId.ofPublicKey(blake3, key, off, scratch);
        keys[at] = k0;
        keys[at + 1] = k1;
        keys[at + 2] = k2;
        keys[at + 3] = k3;
        ids[slot] = id;
        return id;
    }
}
