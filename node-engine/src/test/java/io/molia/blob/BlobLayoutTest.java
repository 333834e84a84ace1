package io.molia.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.SplittableRandom;

import io.molia.crypto.Blake3;
import org.junit.jupiter.api.Test;

class BlobLayoutTest {
    private final BlobLayout layout = new BlobLayout();

    private static byte[] blob(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static byte[][][] byStripe(BlobLayout.Split split) {
        byte[][][] f = new byte[split.manifest().stripes()][ReedSolomon.TOTAL][];
        for (BlobLayout.Fragment fragment : split.fragments()) {
            f[fragment.stripe()][fragment.index()] = fragment.data();
        }
        return f;
    }

    @Test
    void aMebibyteBlobIsTwoStripesOfFourteenFragmentsAndReadsBack() throws BlobFormatException {
        byte[] b = blob(1 << 20, 1);
        BlobLayout.Split split = layout.split(b);
        assertEquals(2, split.manifest().stripes());
        assertEquals(28, split.fragments().size());
        assertEquals(65_536, split.manifest().fragmentBytes(0));
        assertEquals(((1 << 20) - BlobManifest.DEFAULT_STRIPE_BYTES + 9) / 10, split.manifest().fragmentBytes(1));
        assertEquals(BlobManifest.HEADER_BYTES + 2 * BlobManifest.STRIPE_ENTRY_BYTES, split.manifest().encode().length);
        byte[][][] f = byStripe(split);
        BlobLayout.Assembled read = layout.assemble(split.manifest(), (s, i) -> f[s][i]);
        assertArrayEquals(b, read.blob());
        assertEquals(0, read.fragmentsRebuilt());
    }

    @Test
    void fourLostFragmentsPerStripeAreRebuiltAndBadOnesRefused() throws BlobFormatException {
        byte[] b = blob(123_457, 2); // a short last stripe, padded
        BlobLayout.Split split = layout.split(b, 50_000);
        assertEquals(3, split.manifest().stripes());
        byte[][][] f = byStripe(split);
        byte[] corrupt = f[1][5].clone();
        corrupt[0] ^= 1;
        BlobLayout.Assembled read = layout.assemble(split.manifest(), (s, i) -> switch (i) {
            case 0, 4, 9 -> null;          // three data fragments gone
            case 5 -> s == 1 ? corrupt : f[s][i];  // one served with a flipped bit: refused, so four missing
            case 7 -> s == 2 ? new byte[3] : f[s][i]; // one served with the wrong length
            default -> f[s][i];
        });
        assertArrayEquals(b, read.blob());
        assertEquals(2, read.fragmentsRefused());
        assertEquals(3 * 3 + 1 + 1, read.fragmentsRebuilt());
    }

    @Test
    void fiveLostFragmentsOfAStripeFailTheRead() {
        BlobLayout.Split split = layout.split(blob(5_000, 3), 1_000);
        byte[][][] f = byStripe(split);
        BlobFormatException e = assertThrows(BlobFormatException.class,
                () -> layout.assemble(split.manifest(), (s, i) -> s == 3 && i < 5 ? null : f[s][i]));
        assertEquals("stripe 3: 9 good fragments of the 10 needed", e.getMessage());
    }

    @Test
    void repairRebuildsExactlyTheMissingSiblings() {
        BlobLayout.Split split = layout.split(blob(10_000, 4), 10_000);
        byte[][][] f = byStripe(split);
        byte[][] stripe = f[0].clone();
        stripe[2] = null;
        stripe[12] = null;
        assertArrayEquals(new int[] {2, 12}, BlobLayout.rebuildMissing(split.manifest(), 0, stripe));
        assertArrayEquals(f[0][2], stripe[2]);
        assertArrayEquals(f[0][12], stripe[12]);
    }

    @Test
    void theManifestIsContentAddressedAndRoundTrips() throws BlobFormatException {
        BlobLayout.Split split = layout.split(blob(2_000_000, 5));
        byte[] encoded = split.manifest().encode();
        assertArrayEquals(new Blake3().hash(encoded), split.manifestKey());
        BlobManifest back = BlobManifest.decode(encoded, 0, encoded.length);
        assertArrayEquals(encoded, back.encode());
        assertEquals(2_000_000, back.blobBytes());
        assertArrayEquals(split.manifest().fragmentHash(3, 13), back.fragmentHash(3, 13));
    }

    @Test
    void malformedManifestsAreRefusedInOneLine() {
        byte[] good = layout.split(blob(100, 6), 100).manifest().encode();
        assertRefused(new byte[5], "manifest of 5 bytes: shorter than its 20-byte header");
        byte[] m = good.clone();
        m[0] = 'X';
        assertRefused(m, "not a blob manifest (no \"MB\" magic)");
        m = good.clone();
        m[2] = 2;
        assertRefused(m, "blob manifest version 2 (this release reads 1)");
        m = good.clone();
        m[19] = 2;
        assertRefused(m, "2 stripes listed, 1 needed");
        assertRefused(java.util.Arrays.copyOf(good, good.length - 1), "manifest of 467 bytes, 468 expected for 1 "
                + "stripes");
        m = good.clone();
        m[15] = 7;
        assertRefused(m, "stripe of 7 bytes (a multiple of 10 up to 655360)");
    }

    private static void assertRefused(byte[] manifest, String message) {
        BlobFormatException e = assertThrows(BlobFormatException.class,
                () -> BlobManifest.decode(manifest, 0, manifest.length));
        assertEquals(message, e.getMessage());
    }

    @Test
    void theFourteenPlacementKeysOfEveryStripeDiffer() {
        byte[] key = new byte[32];
        Set<String> keys = new HashSet<>();
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < ReedSolomon.TOTAL; i++) {
                keys.add(HexFormat.of().formatHex(layout.placementKey(key, s, i)));
            }
        }
        assertEquals(42, keys.size());
        // Golden: BLAKE3(32 zero bytes ‖ 00 00 00 01 ‖ 05), so other implementations place fragments alike.
        byte[] in = new byte[37];
        in[35] = 1;
        in[36] = 5;
        assertArrayEquals(new Blake3().hash(in), layout.placementKey(key, 1, 5));
        assertTrue(keys.contains(HexFormat.of().formatHex(new Blake3().hash(in))));
    }
}
