package io.molia.contact;

import java.util.HexFormat;

import io.molia.crypto.Blake3;

/**
 * A 256-bit Kademlia identifier (node IDs and record keys share the space), held as four big-endian longs so
 * XOR distances compare without allocating.
 *
 * <p>A node's ID is BLAKE3-256 of its Ed25519 public key. Immutable.
 */
public final class NodeId implements Comparable<NodeId> {
    public static final int BYTES = 32;
    public static final int BITS = 256;

    private final long w0;
    private final long w1;
    private final long w2;
    private final long w3;

    public NodeId(long w0, long w1, long w2, long w3) {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
    }

    public static NodeId fromBytes(byte[] b, int off) {
        return new NodeId(readLong(b, off), readLong(b, off + 8), readLong(b, off + 16), readLong(b, off + 24));
    }

    public static NodeId fromBytes(byte[] b) {
        if (b.length != BYTES) {
            throw new IllegalArgumentException("an ID is 32 bytes, got " + b.length);
        }
        return fromBytes(b, 0);
    }

    public static NodeId fromHex(String hex) {
        return fromBytes(HexFormat.of().parseHex(hex));
    }

    /** ID = BLAKE3-256(public key); {@code scratch} is a 32-byte buffer the caller reuses. */
    public static NodeId ofPublicKey(Blake3 blake3, byte[] publicKey, int off, byte[] scratch) {
        blake3.hash(publicKey, off, 32, scratch, 0);
        return fromBytes(scratch, 0);
    }

    public static NodeId ofPublicKey(byte[] publicKey) {
        return ofPublicKey(new Blake3(), publicKey, 0, new byte[BYTES]);
    }

    /** The 64-bit word {@code i} (0 = most significant). */
    public long word(int i) {
        return switch (i) {
            case 0 -> w0;
            case 1 -> w1;
            case 2 -> w2;
            case 3 -> w3;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    public void writeTo(byte[] b, int off) {
        writeLong(b, off, w0);
        writeLong(b, off + 8, w1);
        writeLong(b, off + 16, w2);
        writeLong(b, off + 24, w3);
    }

    public byte[] toBytes() {
        byte[] b = new byte[BYTES];
        writeTo(b, 0);
        return b;
    }

    public NodeId xor(NodeId o) {
        return new NodeId(w0 ^ o.w0, w1 ^ o.w1, w2 ^ o.w2, w3 ^ o.w3);
    }

    /**
     * Compares the XOR distances of {@code a} and {@code b} to this ID: negative when {@code a} is closer.
     * Allocation-free; the lookup's ordering and the routing table's selection both rest on it.
     */
    public int compareDistance(NodeId a, NodeId b) {
        return compareDistance(w0, w1, w2, w3, a, b);
    }

    /** {@link #compareDistance(NodeId, NodeId)} for a target held as four words (decoded in place, no object). */
    public static int compareDistance(long t0, long t1, long t2, long t3, NodeId a, NodeId b) {
        int c = Long.compareUnsigned(t0 ^ a.w0, t0 ^ b.w0);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(t1 ^ a.w1, t1 ^ b.w1);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(t2 ^ a.w2, t2 ^ b.w2);
        if (c != 0) {
            return c;
        }
        return Long.compareUnsigned(t3 ^ a.w3, t3 ^ b.w3);
    }

    /** Number of leading bits this ID shares with {@code o}: 256 when equal. The bucket index is derived from it. */
    public int commonPrefixLength(NodeId o) {
        return commonPrefixLength(o.w0, o.w1, o.w2, o.w3);
    }

    /** {@link #commonPrefixLength(NodeId)} against an ID held as four words. */
    public int commonPrefixLength(long o0, long o1, long o2, long o3) {
        long x = w0 ^ o0;
        if (x != 0) {
            return Long.numberOfLeadingZeros(x);
        }
        x = w1 ^ o1;
        if (x != 0) {
            return 64 + Long.numberOfLeadingZeros(x);
        }
        x = w2 ^ o2;
        if (x != 0) {
            return 128 + Long.numberOfLeadingZeros(x);
        }
        x = w3 ^ o3;
        return x != 0 ? 192 + Long.numberOfLeadingZeros(x) : BITS;
    }

    /** Bit {@code i} counted from the most significant (0) to the least significant (255). */
    public boolean bit(int i) {
        return ((word(i >>> 6) >>> (63 - (i & 63))) & 1L) != 0;
    }

    /** This ID with bit {@code i} flipped: the first ID of the sibling subtree at depth {@code i}. */
    public NodeId flipBit(int i) {
        long mask = 1L << (63 - (i & 63));
        return switch (i >>> 6) {
            case 0 -> new NodeId(w0 ^ mask, w1, w2, w3);
            case 1 -> new NodeId(w0, w1 ^ mask, w2, w3);
            case 2 -> new NodeId(w0, w1, w2 ^ mask, w3);
            default -> new NodeId(w0, w1, w2, w3 ^ mask);
        };
    }

    /** The top 64 bits, for cheap sorting and sampling in the simulator. */
    public long prefix64() {
        return w0;
    }

    @Override
    public int compareTo(NodeId o) {
        int c = Long.compareUnsigned(w0, o.w0);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(w1, o.w1);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(w2, o.w2);
        return c != 0 ? c : Long.compareUnsigned(w3, o.w3);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId n && n.w0 == w0 && n.w1 == w1 && n.w2 == w2 && n.w3 == w3;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(w0 ^ w3);
    }

    public String toHex() {
        return HexFormat.of().formatHex(toBytes());
    }

    /** The first 16 hex digits: enough to tell IDs apart in logs and tables. */
    public String shortHex() {
        return String.format("%016x", w0);
    }

    @Override
    public String toString() {
        return shortHex();
    }

    public static long readLong(byte[] b, int off) {
        return ((long) (b[off] & 0xff) << 56) | ((long) (b[off + 1] & 0xff) << 48) | ((long) (b[off + 2] & 0xff) << 40)
                | ((long) (b[off + 3] & 0xff) << 32) | ((long) (b[off + 4] & 0xff) << 24)
                | ((long) (b[off + 5] & 0xff) << 16) | ((long) (b[off + 6] & 0xff) << 8) | (b[off + 7] & 0xff);
    }

    public static void writeLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }
}
