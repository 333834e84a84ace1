package io.molia.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import io.molia.crypto.Blake3;
import org.junit.jupiter.api.Test;

class FragmentObjectTest {
    private final Blake3 blake3 = new Blake3();

    private FragmentObject aFragment() {
        byte[] blob = new byte[3_000];
        Arrays.fill(blob, (byte) 7);
        BlobLayout.Split split = new BlobLayout().split(blob, 1_000);
        return FragmentObject.of(split.manifestKey(), split.fragments().get(2 * ReedSolomon.TOTAL + 11), blake3);
    }

    @Test
    void roundTripsAndItsHashIsTheManifests() throws BlobFormatException {
        FragmentObject f = aFragment();
        byte[] encoded = f.encode();
        assertEquals(FragmentObject.HEADER_BYTES + 100, encoded.length);
        FragmentObject back = FragmentObject.decode(encoded, 0, encoded.length, blake3);
        assertEquals(f, back);
        assertEquals(2, back.stripe());
        assertEquals(11, back.index());
        assertArrayEquals(encoded, back.encode());
    }

    @Test
    void aFlippedDataBitOrABadHeaderIsRefusedInOneLine() {
        byte[] good = aFragment().encode();
        byte[] e = good.clone();
        e[e.length - 1] ^= 1;
        assertRefused(e, "fragment 11 of stripe 2: data does not match its hash");
        e = good.clone();
        e[3] = 14;
        assertRefused(e, "fragment index 14 (0 to 13)");
        e = good.clone();
        e[36] = (byte) 0x80;
        assertRefused(e, "stripe 2147483650 (below 26843545)");
        assertRefused(Arrays.copyOf(good, FragmentObject.HEADER_BYTES), "fragment of 72 bytes: no data after its "
                + "72-byte header");
        e = good.clone();
        e[1] = 'B';
        assertRefused(e, "not a blob fragment (no \"MF\" magic)");
    }

    private void assertRefused(byte[] in, String message) {
        assertEquals(message, assertThrows(BlobFormatException.class,
                () -> FragmentObject.decode(in, 0, in.length, blake3)).getMessage());
    }
}
