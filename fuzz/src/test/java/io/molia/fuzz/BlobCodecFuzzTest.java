package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.molia.blob.BlobFormatException;
import io.molia.blob.BlobManifest;
import io.molia.blob.FragmentObject;
import io.molia.crypto.Blake3;

/**
 * The blob records from any bytes, decoded from inside a larger buffer (so a read past the input would change the
 * outcome): a one-line {@link BlobFormatException}, or a record that re-encodes to exactly the input (one encoding
 * per record). A fragment is accepted only when its data hashes to the hash it carries.
 */
class BlobCodecFuzzTest {
    private final Blake3 blake3 = new Blake3();

    @FuzzTest(maxDuration = "30s")
    void manifestsRoundTripOrAreRefusedInOneLine(byte[] data) {
        byte[] framed = framed(data);
        try {
            BlobManifest m = BlobManifest.decode(framed, 3, data.length);
            assertArrayEquals(data, m.encode());
            assertTrue(m.blobBytes() > 0 && m.blobBytes() <= BlobManifest.MAX_BLOB_BYTES);
            long covered = (long) (m.stripes() - 1) * m.stripeBytes() + m.stripeDataBytes(m.stripes() - 1);
            assertEquals(m.blobBytes(), covered, "the stripes cover the blob exactly");
        } catch (BlobFormatException e) {
            assertOneLine(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void fragmentsRoundTripOnlyWithTheirHash(byte[] data) {
        byte[] framed = framed(data);
        try {
            FragmentObject f = FragmentObject.decode(framed, 3, data.length, blake3);
            assertArrayEquals(data, f.encode());
            assertArrayEquals(blake3.hash(f.data()), f.hash());
        } catch (BlobFormatException e) {
            assertOneLine(e);
        }
    }

    /** The input with junk before and after it, so a decoder that reads outside its slice is caught. */
    private static byte[] framed(byte[] data) {
        byte[] framed = new byte[data.length + 6];
        Arrays.fill(framed, (byte) 0x4D);
        System.arraycopy(data, 0, framed, 3, data.length);
        return framed;
    }

    private static void assertOneLine(BlobFormatException e) {
        assertTrue(!e.getMessage().isEmpty() && e.getMessage().indexOf('\n') < 0, e.getMessage());
    }
}
