package io.molia.blob;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.molia.crypto.Blake3;

/**
 * The content-addressed record that names a blob (DESIGN §3.7): its size, its stripe size, and the BLAKE3 hash of
 * each of the 14 fragments of every stripe. Its key is BLAKE3 of its encoding, so whoever holds the key can check
 * the manifest, and through it every fragment, without trusting the nodes that serve them.
 *
 * <pre>
 *  0      2   3   4                12                  16              20
 *  +------+---+---+----------------+-------------------+---------------+-------------------------------+
 *  | "MB" | 1 | 0 | blob bytes u64 | stripe bytes u32  | stripes u32   | stripes × 14 × 32-byte hashes |
 *  +------+---+---+----------------+-------------------+---------------+-------------------------------+
 *  big-endian; stripes = ceil(blob bytes / stripe bytes); the last stripe holds the remainder
 * </pre>
 *
 * <p>Immutable.
 */
public final class BlobManifest {
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 20;
    public static final int HASH_BYTES = Blake3.OUTPUT_BYTES;
    public static final int STRIPE_ENTRY_BYTES = ReedSolomon.TOTAL * HASH_BYTES;
    /** The largest blob a manifest may name: 256 MiB (a manifest of 180 KiB, 410 stripes of 640 KiB). */
    public static final long MAX_BLOB_BYTES = 256L << 20;
    /** The stripe size this release writes: ten 64 KiB fragments. */
    public static final int DEFAULT_STRIPE_BYTES = ReedSolomon.DATA * 64 * 1024;
    private static final byte MAGIC_0 = 'M';
    private static final byte MAGIC_1 = 'B';

    private final long blobBytes;
    private final int stripeBytes;
    /** {@code stripes × 14 × 32} bytes: fragment {@code i} of stripe {@code s} at {@code (s × 14 + i) × 32}. */
    private final byte[] hashes;

    BlobManifest(long blobBytes, int stripeBytes, byte[] hashes) {
        this.blobBytes = blobBytes;
        this.stripeBytes = stripeBytes;
        this.hashes = hashes;
    }

    public long blobBytes() {
        return blobBytes;
    }

    public int stripeBytes() {
        return stripeBytes;
    }

    public int stripes() {
        return hashes.length / STRIPE_ENTRY_BYTES;
    }

    /** Data bytes of stripe {@code s}: {@link #stripeBytes} but for the last. */
    public int stripeDataBytes(int s) {
        return (int) Math.min(stripeBytes, blobBytes - (long) s * stripeBytes);
    }

    /** Bytes of each of the 14 fragments of stripe {@code s} (the data padded with zeros to a multiple of 10). */
    public int fragmentBytes(int s) {
        return fragmentBytesFor(stripeDataBytes(s));
    }

    static int fragmentBytesFor(int stripeDataBytes) {
        return (stripeDataBytes + ReedSolomon.DATA - 1) / ReedSolomon.DATA;
    }

    /** Whether {@code hash[off, off + 32)} is the hash this manifest lists for fragment {@code index} of {@code s}. */
    public boolean hashMatches(int s, int index, byte[] hash, int off) {
        int at = (s * ReedSolomon.TOTAL + index) * HASH_BYTES;
        return Arrays.equals(hashes, at, at + HASH_BYTES, hash, off, off + HASH_BYTES);
    }

    public byte[] fragmentHash(int s, int index) {
        int at = (s * ReedSolomon.TOTAL + index) * HASH_BYTES;
        return Arrays.copyOfRange(hashes, at, at + HASH_BYTES);
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + hashes.length);
        b.put(MAGIC_0).put(MAGIC_1).put((byte) VERSION).put((byte) 0);
        b.putLong(blobBytes).putInt(stripeBytes).putInt(stripes()).put(hashes);
        return b.array();
    }

    /** The manifest's key: BLAKE3 of its encoding. */
    public byte[] key(Blake3 blake3) {
        return blake3.hash(encode());
    }

    public static BlobManifest decode(byte[] in, int off, int len) throws BlobFormatException {
        if (len < HEADER_BYTES) {
            throw new BlobFormatException("manifest of " + len + " bytes: shorter than its " + HEADER_BYTES
                    + "-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(in, off, len);
        if (b.get() != MAGIC_0 || b.get() != MAGIC_1) {
            throw new BlobFormatException("not a blob manifest (no \"MB\" magic)");
        }
        int version = b.get() & 0xFF;
        if (version != VERSION) {
            throw new BlobFormatException("blob manifest version " + version + " (this release reads " + VERSION + ")");
        }
        if (b.get() != 0) {
            throw new BlobFormatException("blob manifest reserved byte is not 0");
        }
        long blobBytes = b.getLong();
        long stripeBytes = b.getInt() & 0xFFFF_FFFFL;
        long stripes = b.getInt() & 0xFFFF_FFFFL;
        if (blobBytes <= 0 || blobBytes > MAX_BLOB_BYTES) {
            throw new BlobFormatException("blob of " + blobBytes + " bytes (1 to " + MAX_BLOB_BYTES + ")");
        }
        if (stripeBytes < ReedSolomon.DATA || stripeBytes > DEFAULT_STRIPE_BYTES
                || stripeBytes % ReedSolomon.DATA != 0) {
            throw new BlobFormatException("stripe of " + stripeBytes + " bytes (a multiple of 10 up to "
                    + DEFAULT_STRIPE_BYTES + ")");
        }
        long expectedStripes = (blobBytes + stripeBytes - 1) / stripeBytes;
        if (stripes != expectedStripes) {
            throw new BlobFormatException(stripes + " stripes listed, " + expectedStripes + " needed");
        }
        if (len != HEADER_BYTES + stripes * STRIPE_ENTRY_BYTES) {
            throw new BlobFormatException("manifest of " + len + " bytes, " + (HEADER_BYTES + stripes
                    * STRIPE_ENTRY_BYTES) + " expected for " + stripes + " stripes");
        }
        byte[] hashes = new byte[(int) (stripes * STRIPE_ENTRY_BYTES)];
        b.get(hashes);
        return new BlobManifest(blobBytes, (int) stripeBytes, hashes);
    }
}
