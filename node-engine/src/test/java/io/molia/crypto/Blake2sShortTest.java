package io.molia.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.SplittableRandom;

import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.junit.jupiter.api.Test;

/** The one-block BLAKE2s against RFC 7693's vector and BouncyCastle's digest, keyed and not, every length. */
class Blake2sShortTest {
    private final Blake2sShort b = new Blake2sShort();

    @Test
    void rfc7693AppendixB() {
        byte[] out = new byte[32];
        b.digest(null, 0, "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 3, 32, out, 0);
        assertEquals("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982", HexFormat.of().formatHex(out));
    }

    @Test
    void agreesWithBouncyCastleForEveryLengthKeyedAndNot() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] msg = new byte[64];
        byte[] key = new byte[32];
        random.nextBytes(msg);
        random.nextBytes(key);
        for (int keyLen : new int[] {0, 16, 32}) {
            for (int outLen : new int[] {16, 32}) {
                for (int len = 0; len <= 64; len++) {
                    Blake2sDigest reference = keyLen == 0 ? new Blake2sDigest(outLen * 8)
                            : new Blake2sDigest(java.util.Arrays.copyOf(key, keyLen), outLen, null, null);
                    reference.update(msg, 0, len);
                    byte[] expected = new byte[outLen];
                    reference.doFinal(expected, 0);
                    byte[] actual = new byte[outLen];
                    b.digest(key, keyLen, msg, 0, len, outLen, actual, 0);
                    assertArrayEquals(expected, actual, "key " + keyLen + ", out " + outLen + ", len " + len);
                }
            }
        }
    }

    @Test
    void leadingZeroBitsCountsFromTheFirstByte() {
        assertEquals(64, Blake2sShort.leadingZeroBits(new byte[8], 0));
        assertEquals(9, Blake2sShort.leadingZeroBits(new byte[] {0, 0x40, 0, 0, 0, 0, 0, 0}, 0));
    }
}
