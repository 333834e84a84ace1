package io.molia.blob;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.molia.crypto.Blake3;

/**
 * A fragment as a holder stores it and a bulk transfer carries it: which blob, stripe and index it is (so the holder
 * can derive its placement key and, for repair, find its siblings through the manifest), its hash, and its bytes.
 * Decoding checks the bytes against the hash, so a fragment damaged on the way or on disk is refused.
 *
 * <pre>
 *  0      2   3       4                  36           40                  72
 *  +------+---+-------+------------------+------------+-------------------+------------------+
 *  | "MF" | 1 | index | manifest key     | stripe u32 | BLAKE3 of data    | data (1..65,536) |
 *  +------+---+-------+------------------+------------+-------------------+------------------+
 *  big-endian
 * </pre>
 */
public record FragmentObject(byte[] manifestKey, int stripe, int index, byte[] hash, byte[] data) {
    public static final int HEADER_BYTES = 72;
    /** Where the BLAKE3 of the data sits in an encoded fragment (what a PROBE's HELD answer carries). */
    public static final int HASH_OFFSET = 40;
    public static final int VERSION = 1;
    public static final int MAX_DATA_BYTES = BlobManifest.DEFAULT_STRIPE_BYTES / ReedSolomon.DATA;
    private static final int MAX_STRIPE = (int) (BlobManifest.MAX_BLOB_BYTES / ReedSolomon.DATA);

    /** Whether {@code object}, as a store holds it (checked on the way in), is a fragment rather than a manifest. */
    public static boolean isFragment(byte[] object) {
        return object.length > HEADER_BYTES && object[0] == 'M' && object[1] == 'F';
    }

    /** A fragment of {@link BlobLayout#split}, with its hash computed. */
    public static FragmentObject of(byte[] manifestKey, BlobLayout.Fragment f, Blake3 blake3) {
        return new FragmentObject(manifestKey, f.stripe(), f.index(), blake3.hash(f.data()), f.data());
    }

    public byte[] encode() {
        return ByteBuffer.allocate(HEADER_BYTES + data.length).put((byte) 'M').put((byte) 'F').put((byte) VERSION)
                .put((byte) index).put(manifestKey).putInt(stripe).put(hash).put(data).array();
    }

    public static FragmentObject decode(byte[] in, int off, int len, Blake3 blake3) throws BlobFormatException {
        if (len <= HEADER_BYTES) {
            throw new BlobFormatException("fragment of " + len + " bytes: no data after its " + HEADER_BYTES
                    + "-byte header");
        }
        if (len > HEADER_BYTES + MAX_DATA_BYTES) {
            throw new BlobFormatException("fragment of " + (len - HEADER_BYTES) + " data bytes (at most "
                    + MAX_DATA_BYTES + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(in, off, len);
        if (b.get() != 'M' || b.get() != 'F') {
            throw new BlobFormatException("not a blob fragment (no \"MF\" magic)");
        }
        int version = b.get() & 0xFF;
        if (version != VERSION) {
            throw new BlobFormatException("blob fragment version " + version + " (this release reads " + VERSION + ")");
        }
        int index = b.get() & 0xFF;
        if (index >= ReedSolomon.TOTAL) {
            throw new BlobFormatException("fragment index " + index + " (0 to " + (ReedSolomon.TOTAL - 1) + ")");
        }
        byte[] manifestKey = new byte[Blake3.OUTPUT_BYTES];
        b.get(manifestKey);
        int stripe = b.getInt();
        if (stripe < 0 || stripe >= MAX_STRIPE) {
            throw new BlobFormatException("stripe " + Integer.toUnsignedString(stripe) + " (below " + MAX_STRIPE + ")");
        }
        byte[] hash = new byte[Blake3.OUTPUT_BYTES];
        b.get(hash);
        byte[] data = new byte[len - HEADER_BYTES];
        b.get(data);
        if (!Arrays.equals(hash, blake3.hash(data))) {
            throw new BlobFormatException("fragment " + index + " of stripe " + stripe + ": data does not match its "
                    + "hash");
        }
        return new FragmentObject(manifestKey, stripe, index, hash, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FragmentObject f && stripe == f.stripe && index == f.index
                && Arrays.equals(manifestKey, f.manifestKey) && Arrays.equals(hash, f.hash) && Arrays.equals(data,
                f.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(hash) + 7 * stripe + index;
    }
}
