package io.molia.blob;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.molia.crypto.Blake3;

/**
 * How a blob becomes stripes and fragments, and back (DESIGN §3.7): the blob is cut into stripes of
 * {@link BlobManifest#stripeBytes}; each stripe, padded with zeros to a multiple of 10, into 10 data fragments, and
 * Reed–Solomon adds 4 parity fragments. Fragment {@code i} of stripe {@code s} is stored on the nodes closest to its
 * placement key, BLAKE3(manifest key ‖ s as 4 bytes big-endian ‖ i as 1 byte), so the 14 fragments of a stripe land
 * on 14 different neighbourhoods.
 *
 * <p>Owns a BLAKE3 digest; one per thread.
 */
public final class BlobLayout {
    private final Blake3 blake3 = new Blake3();

    /** A blob cut up: its manifest (and key), and every fragment in stripe order. */
    public record Split(BlobManifest manifest, byte[] manifestKey, List<Fragment> fragments) {
    }

    /** One fragment of a stripe; {@code data} is exactly {@link BlobManifest#fragmentBytes} long. */
    public record Fragment(int stripe, int index, byte[] data) {
    }

    /** Where fragment {@code index} of stripe {@code stripe} of the blob named {@code manifestKey} is stored. */
    public byte[] placementKey(byte[] manifestKey, int stripe, int index) {
        byte[] in = ByteBuffer.allocate(Blake3.OUTPUT_BYTES + 5).put(manifestKey, 0, Blake3.OUTPUT_BYTES)
                .putInt(stripe).put((byte) index).array();
        return blake3.hash(in);
    }

    public Split split(byte[] blob) {
        return split(blob, BlobManifest.DEFAULT_STRIPE_BYTES);
    }

    /** Cuts {@code blob} into stripes of {@code stripeBytes} (a multiple of 10; tests use small ones). */
    public Split split(byte[] blob, int stripeBytes) {
        if (blob.length == 0 || blob.length > BlobManifest.MAX_BLOB_BYTES) {
            throw new IllegalArgumentException("a blob holds 1 to " + BlobManifest.MAX_BLOB_BYTES + " bytes, not "
                    + blob.length);
        }
        if (stripeBytes % ReedSolomon.DATA != 0 || stripeBytes <= 0
                || stripeBytes > BlobManifest.DEFAULT_STRIPE_BYTES) {
            throw new IllegalArgumentException("stripe of " + stripeBytes + " bytes");
        }
        int stripes = (blob.length + stripeBytes - 1) / stripeBytes;
        byte[] hashes = new byte[stripes * BlobManifest.STRIPE_ENTRY_BYTES];
        List<Fragment> fragments = new ArrayList<>(stripes * ReedSolomon.TOTAL);
        for (int s = 0; s < stripes; s++) {
            int start = s * stripeBytes;
            int dataBytes = Math.min(stripeBytes, blob.length - start);
            int fragmentBytes = BlobManifest.fragmentBytesFor(dataBytes);
            byte[][] stripe = new byte[ReedSolomon.TOTAL][fragmentBytes];
            for (int d = 0; d < ReedSolomon.DATA; d++) {
                int from = start + d * fragmentBytes;
                int n = Math.max(0, Math.min(fragmentBytes, start + dataBytes - from));
                System.arraycopy(blob, Math.min(from, blob.length), stripe[d], 0, n);
            }
            ReedSolomon.encode(stripe, 0, fragmentBytes);
            for (int i = 0; i < ReedSolomon.TOTAL; i++) {
                blake3.hash(stripe[i], 0, fragmentBytes, hashes, (s * ReedSolomon.TOTAL + i) * Blake3.OUTPUT_BYTES);
                fragments.add(new Fragment(s, i, stripe[i]));
            }
        }
        BlobManifest manifest = new BlobManifest(blob.length, stripeBytes, hashes);
        return new Split(manifest, manifest.key(blake3), fragments);
    }

    /** Where a blob's fragments come from when it is read: null when a fragment could not be had. */
    @FunctionalInterface
    public interface FragmentSource {
        byte[] fragment(int stripe, int index);
    }

    /** What {@link #assemble} found: the blob, and how many fragments it refused by hash or rebuilt. */
    public record Assembled(byte[] blob, int fragmentsRefused, int fragmentsRebuilt) {
    }

    /**
     * Reads a blob back: each stripe from the first 10 fragments whose hash the manifest lists (a fragment with the
     * wrong length or hash is refused and counted), the missing ones rebuilt by Reed–Solomon.
     *
     * @throws BlobFormatException when a stripe has fewer than 10 good fragments
     */
    public Assembled assemble(BlobManifest manifest, FragmentSource source) throws BlobFormatException {
        byte[] blob = new byte[(int) manifest.blobBytes()];
        byte[] hash = new byte[Blake3.OUTPUT_BYTES];
        int refused = 0;
        int rebuilt = 0;
        for (int s = 0; s < manifest.stripes(); s++) {
            int fragmentBytes = manifest.fragmentBytes(s);
            byte[][] stripe = new byte[ReedSolomon.TOTAL][];
            boolean[] present = new boolean[ReedSolomon.TOTAL];
            int good = 0;
            for (int i = 0; i < ReedSolomon.TOTAL && good < ReedSolomon.DATA; i++) {
                byte[] f = source.fragment(s, i);
                if (f == null) {
                    continue;
                }
                if (f.length == fragmentBytes) {
                    blake3.hash(f, 0, f.length, hash, 0);
                }
                if (f.length != fragmentBytes || !manifest.hashMatches(s, i, hash, 0)) {
                    refused++;
                    continue;
                }
                stripe[i] = f;
                present[i] = true;
                good++;
            }
            if (good < ReedSolomon.DATA) {
                throw new BlobFormatException("stripe " + s + ": " + good + " good fragments of the 10 needed");
            }
            for (int i = 0; i < ReedSolomon.TOTAL; i++) {
                if (!present[i]) {
                    stripe[i] = new byte[fragmentBytes];
                    if (i < ReedSolomon.DATA) {
                        rebuilt++;
                    }
                }
            }
            boolean dataMissing = false;
            for (int d = 0; d < ReedSolomon.DATA; d++) {
                dataMissing |= !present[d];
            }
            if (dataMissing) {
                ReedSolomon.reconstruct(stripe, present, 0, fragmentBytes);
            }
            int start = s * manifest.stripeBytes();
            int dataBytes = manifest.stripeDataBytes(s);
            for (int d = 0; d < ReedSolomon.DATA; d++) {
                int n = Math.max(0, Math.min(fragmentBytes, dataBytes - d * fragmentBytes));
                System.arraycopy(stripe[d], 0, blob, start + d * fragmentBytes, n);
            }
        }
        return new Assembled(blob, refused, rebuilt);
    }

    /**
     * Rebuilds the fragments of one stripe that are missing (repair): {@code stripe[i]} null where missing, at least
     * 10 present and already checked against the manifest. Returns the indices rebuilt, their arrays filled in.
     */
    public static int[] rebuildMissing(BlobManifest manifest, int s, byte[][] stripe) {
        int fragmentBytes = manifest.fragmentBytes(s);
        boolean[] present = new boolean[ReedSolomon.TOTAL];
        int missing = 0;
        for (int i = 0; i < ReedSolomon.TOTAL; i++) {
            present[i] = stripe[i] != null;
            if (!present[i]) {
                stripe[i] = new byte[fragmentBytes];
                missing++;
            }
        }
        int[] rebuilt = new int[missing];
        if (missing > 0) {
            ReedSolomon.reconstruct(stripe, present, 0, fragmentBytes);
            int n = 0;
            for (int i = 0; i < ReedSolomon.TOTAL; i++) {
                if (!present[i]) {
                    rebuilt[n++] = i;
                }
            }
        }
        return rebuilt;
    }
}
